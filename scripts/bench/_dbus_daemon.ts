/**
 * A private D-Bus for benchmarks: a `dbus-daemon` of its own on a socket in a temporary
 * directory (never the session or system bus), and a libdbus peer program compiled from C
 * with gcc, so that the D-Bus side runs at the speed of the reference client library.
 *
 * @module
 */

/** A running private bus and the compiled peer program. */
export interface PrivateBus {
  /** The bus address, as `dbus-daemon --print-address` gives it. */
  readonly address: string;
  /** The compiled peer program. */
  readonly peer: string;
  /** Stops the daemon and removes its directory. */
  stop(): Promise<void>;
}

const FIX = "apt-get install dbus-daemon libdbus-1-dev gcc pkg-config";

/**
 * Compiles `source` (a C file using libdbus) and starts a private `dbus-daemon`.
 *
 * @returns the bus, or a line saying why there is none and how to install what is missing.
 */
export async function startPrivateBus(source: string): Promise<PrivateBus | string> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-bench-dbus-" });
  const peer = `${dir}/peer`;
  try {
    const flags = await new Deno.Command("pkg-config", {
      args: ["--cflags", "--libs", "dbus-1"],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!flags.success) throw new Error("pkg-config finds no dbus-1");
    const cc = await new Deno.Command("gcc", {
      args: [
        "-O2",
        "-o",
        peer,
        source,
        ...new TextDecoder().decode(flags.stdout).trim().split(/\s+/),
      ],
      stderr: "inherit",
    }).output();
    if (!cc.success) throw new Error("gcc failed");
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    return `the D-Bus peer was not built (${(error as Error).message}): ${FIX}`;
  }
  const config = `${dir}/bus.conf`;
  await Deno.writeTextFile(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${dir}/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <limit name="max_incoming_bytes">1000000000</limit>
  <limit name="max_outgoing_bytes">1000000000</limit>
  <limit name="max_message_size">200000000</limit>
  <limit name="max_connections_per_user">10000</limit>
  <limit name="max_completed_connections">10000</limit>
</busconfig>
`,
  );
  let daemon: Deno.ChildProcess;
  try {
    daemon = new Deno.Command("dbus-daemon", {
      args: [`--config-file=${config}`, "--nofork", "--print-address=1"],
      stdout: "piped",
      stderr: "null", // it complains that it may not raise its fd limit; nothing else to say
    }).spawn();
  } catch {
    await Deno.remove(dir, { recursive: true });
    return `dbus-daemon is not installed: ${FIX}`;
  }
  const address = await firstLine(daemon.stdout);
  return {
    address,
    peer,
    async stop() {
      daemon.kill("SIGTERM");
      await daemon.status;
      await daemon.stdout.cancel().catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** The first line a process writes, without its newline. */
export async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  reader.releaseLock();
  return text.trim();
}
