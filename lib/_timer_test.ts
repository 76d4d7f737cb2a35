import assert from "node:assert/strict";
import { sleep, startTimer, startWatchdog } from "./_timer.ts";

Deno.test("startWatchdog() fires once after its time, and not at all once cancelled", async () => {
  const fired: string[] = [];
  const start = performance.now();
  startWatchdog(40, () => fired.push(`a ${performance.now() - start >= 35}`));
  const cancel = startWatchdog(20, () => fired.push("cancelled"));
  startWatchdog(0, () => fired.push("zero"));
  cancel();
  cancel(); // twice is harmless
  await sleep(120);
  assert.deepEqual(fired, ["zero", "a true"]);
});

Deno.test("startWatchdog() fires while the program waits on other work, and keeps nothing alive", async () => {
  const script = `
    import { startWatchdog } from ${JSON.stringify(new URL("./_timer.ts", import.meta.url).href)};
    const a = new Deno.Command("sleep", { args: ["5"] }).spawn();
    startWatchdog(100, () => { console.log("fired"); a.kill(); });
    await a.status;
    startWatchdog(10_000, () => console.log("must not fire"));
    console.log("end");
  `;
  const start = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(
    new TextDecoder().decode(out.stdout),
    "fired\nend\n",
    new TextDecoder().decode(out.stderr),
  );
  assert.ok(performance.now() - start < 4000, "a pending watchdog kept the program alive");
});

Deno.test("startTimer() waits out a delay beyond 2^31 ms instead of firing at once", async () => {
  let fired = false;
  const cancel = startTimer(2 ** 31 + 1000, () => fired = true);
  const cancelHuge = startTimer(1e300, () => fired = true);
  // The marker: a short timer, which fires after an overflowing one would have.
  await new Promise<void>((resolve) => startTimer(20, resolve));
  cancel();
  cancelHuge();
  assert.equal(fired, false);
});
