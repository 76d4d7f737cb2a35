/**
 * Services on demand against the same program started by hand, in one run:
 *
 * - **first send to a stopped service**, until its reply: the sender finds no port, asks the
 *   broker (already running), which starts the service through its supervisor and answers
 *   once the port is served; the sender then sends. Against: starting the same program by hand
 *   (`Deno.Command`) and sending once it says it listens. Target: at most 1.2×. Also against
 *   the same start by hand in a session of its own, as a service runs (its process group is
 *   what stop signals): where the kernel groups CPU time by session (`sched_autogroup`), a busy
 *   machine gives a new session's start-up less of it than the benchmark's own session gets,
 *   which is not the launch path's cost.
 * - **a send to a running service**, against the same send to a plain port (a port no service
 *   declares, served by the same program started by hand): on-demand ports cost nothing once
 *   served (the broker is not on the data path).
 *
 * Rounds alternate between the sides; each figure is the median of the rounds. The service
 * program is a Deno echo port (`--serve NAME`), the same for both sides.
 *
 * @module
 */

import { callBroker } from "../../lib/broker/once.ts";
import { stopBroker } from "../../lib/broker/client.ts";
import { LAUNCH_METHODS } from "../../lib/launch/protocol.ts";
import { PERMISSIONS } from "../../lib/permissions.ts";
import { sendOnce } from "../../lib/ports/once.ts";
import { fmt, median, table } from "./_stats.ts";

const SELF = new URL(import.meta.url).pathname;
const DECLARED = "com.example.bench.launched";
const PLAIN = "com.example.bench.plain";
const LABEL = "com.example.bench.launched";
const COLD_ROUNDS = 15;
const WARM_ROUNDS = 7;
const WARM_SENDS = 100;

/** The service program's command line. */
function serviceCommand(port: string): string[] {
  return [Deno.execPath(), "run", "--quiet", ...PERMISSIONS, SELF, "--serve", port];
}

/** `--serve NAME`: an echo port; says `listening` once it serves. */
async function serve(name: string): Promise<void> {
  const { createLocalPort } = await import("../../lib/ports/mod.ts");
  await createLocalPort(name, (_msgid, data) => data);
  console.log("listening");
}

/** Starts the program by hand (`detached`: in a session of its own); resolves once it listens. */
async function startByHand(port: string, detached = false): Promise<Deno.ChildProcess> {
  const [program, ...args] = serviceCommand(port);
  const child = new Deno.Command(program, { args, stdout: "piped", stderr: "inherit", detached })
    .spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("listening\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the service program ended before it listened");
    text += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return child;
}

async function stopByHand(child: Deno.ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  await child.status;
}

/** Runs the benchmark and returns its markdown. */
export async function launchBench(): Promise<string> {
  const runtimeDir = await Deno.makeTempDir({ prefix: "ipckit-bench-launch-" });
  await Deno.chmod(runtimeDir, 0o700);
  const config = await Deno.makeTempDir({ prefix: "ipckit-bench-config-" });
  // The broker and the programs this starts inherit the environment: this runtime directory,
  // an empty services directory.
  const saved = ["XDG_CONFIG_HOME", "IPCKIT_RUNTIME_DIR"].map((k) => [k, Deno.env.get(k)]);
  Deno.env.set("XDG_CONFIG_HOME", config);
  Deno.env.set("IPCKIT_RUNTIME_DIR", runtimeDir);
  const file = `${config}/launched.yaml`;
  await Deno.writeTextFile(
    file,
    // Both sides run in the same directory (Deno finds, or not, a deno.json from there).
    `label: ${LABEL}\nprogramArguments: ${
      JSON.stringify(serviceCommand(DECLARED))
    }\nports: [${DECLARED}]\nthrottleInterval: 0\nworkingDirectory: ${
      JSON.stringify(Deno.cwd())
    }\n`,
  );
  const options = { runtimeDir };
  const body = new TextEncoder().encode("ping");
  try {
    await callBroker(LAUNCH_METHODS.load, { paths: [file] }, options);
    // Warm-up: each side once.
    await sendOnce(DECLARED, 1, body, { ...options, sendTimeout: 30 });
    await callBroker(LAUNCH_METHODS.stop, { label: LABEL }, options);
    await stopByHand(await startByHand(PLAIN));

    const onDemand: number[] = [];
    const byHand: number[] = [];
    const ownSession: number[] = [];
    const demandOnce = async () => {
      const start = performance.now();
      await sendOnce(DECLARED, 1, body, { ...options, sendTimeout: 30 });
      onDemand.push(performance.now() - start);
      await callBroker(LAUNCH_METHODS.stop, { label: LABEL }, options);
    };
    const byHandOnce = async (detached: boolean) => {
      const start = performance.now();
      const child = await startByHand(PLAIN, detached);
      await sendOnce(PLAIN, 1, body, options);
      (detached ? ownSession : byHand).push(performance.now() - start);
      await stopByHand(child);
    };
    for (let round = 0; round < COLD_ROUNDS; round++) {
      if (round % 2 === 0) await demandOnce();
      await byHandOnce(round % 2 === 0);
      await byHandOnce(round % 2 === 1);
      if (round % 2 === 1) await demandOnce();
    }

    // Both running: a send to the declared port against one to the plain port.
    await sendOnce(DECLARED, 1, body, { ...options, sendTimeout: 30 });
    const plain = await startByHand(PLAIN);
    const toService: number[] = [];
    const toPlain: number[] = [];
    const batch = async (port: string) => {
      const start = performance.now();
      for (let i = 0; i < WARM_SENDS; i++) await sendOnce(port, 1, body, options);
      return (performance.now() - start) / WARM_SENDS;
    };
    await batch(DECLARED);
    await batch(PLAIN);
    for (let round = 0; round < WARM_ROUNDS; round++) {
      // Each side first in every other round: what the order does falls on both alike.
      if (round % 2 === 0) toService.push(await batch(DECLARED));
      toPlain.push(await batch(PLAIN));
      if (round % 2 === 1) toService.push(await batch(DECLARED));
    }
    await stopByHand(plain);

    const cold = median(onDemand) / median(byHand);
    const warm = median(toService) / median(toPlain);
    return [
      "## Services on demand\n",
      `Medians of ${COLD_ROUNDS} alternating rounds (first send), and of ${WARM_ROUNDS} rounds of ${WARM_SENDS} sends (running).\n`,
      table(["case", "ipckit services", "baseline", "ratio"], [
        [
          "first send to a stopped service, until the reply (vs started by hand, sent once listening)",
          `${fmt(median(onDemand))} ms`,
          `${fmt(median(byHand))} ms`,
          `${cold.toFixed(2)}× (target ≤ 1.2×)`,
        ],
        [
          "the same, against the program started by hand in a session of its own (as a service runs)",
          `${fmt(median(onDemand))} ms`,
          `${fmt(median(ownSession))} ms`,
          `${(median(onDemand) / median(ownSession)).toFixed(2)}×`,
        ],
        [
          "a send to a running service (vs a plain port), one connection per send",
          `${fmt(median(toService) * 1000)} µs`,
          `${fmt(median(toPlain) * 1000)} µs`,
          `${warm.toFixed(2)}×`,
        ],
      ]),
    ].join("\n");
  } finally {
    await stopBroker(options).catch(() => {});
    for (const [key, value] of saved) {
      if (value === undefined) Deno.env.delete(key!);
      else Deno.env.set(key!, value);
    }
    await Deno.remove(runtimeDir, { recursive: true }).catch(() => {});
    await Deno.remove(config, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "--serve") await serve(Deno.args[1]);
  else console.log(await launchBench());
}
