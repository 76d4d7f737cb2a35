/**
 * The supervisor: the small program each service is launched through, so that a broker that
 * crashes orphans nothing. It is a POSIX shell script, started detached (a session of its own):
 * it puts its output on the service's log files, writes the service's pid to `pid`, runs the
 * service in a session and process group of its own (util-linux `setsid`: stopping it reaches
 * every process it started, and never the supervisor), waits for it and writes its exit status
 * to `status`. A new broker reads both files: it can neither wait for a process it did not
 * start nor read a pipe whose reader died with the old broker. It knows a live supervisor by
 * its pid, the boot it was started in, and (where `ps` is) its command line, which names the
 * service's directory.
 *
 * Deno's `Deno.Command` has no nice, ionice or resource-limit options, so those are wrappers
 * in the command line (`nice`, `ionice`, `prlimit`), each of which executes the next.
 *
 * @module
 */

import { RESOURCE_LIMITS, type ServiceDefinition } from "./definition.ts";

/**
 * The script: `sh -c SCRIPT ipckit-supervisor DIR OUT ERR CGROUP COMMAND…`. The service runs
 * in the foreground of the script (a background job would start with SIGINT ignored), in a
 * subshell that writes its own pid (read from `/proc/self/stat`: `$$` is the parent's) and
 * then becomes the service through `exec`. The script's own standard error is /dev/null, so
 * the shell's note on a killed child ("Killed") stays out of the log. Nothing but builtins and
 * one fork come before the service starts: each process more is start-up every launch pays.
 *
 * With a CGROUP name (`processType: background`), the subshell first moves itself into a child
 * cgroup of its own of that name with a quarter of the default CPU weight (v1 `cpu.shares`
 * 256, or v2 `cpu.weight` 25 where the cpu controller is delegated), and writes the cgroup's
 * path to `cgroup`, or an empty line where no writable cgroup allows it. The shell does it:
 * Deno touches `/proc` and `/sys` only with `--allow-all`.
 */
export const SUPERVISOR_SCRIPT = `dir=$1 out=$2 err=$3 cg=$4
shift 4
command exec </dev/null >>"$out" 3>>"$err" || exit 126
exec 2>/dev/null
weigh() {
  while IFS=: read -r _ ctl path; do
    case ",$ctl," in
    *,cpu,*) d=/sys/fs/cgroup/cpu\${path%/} f=cpu.shares v=256 ;;
    ,,) d=/sys/fs/cgroup\${path%/} f=cpu.weight v=25
      [ -d /sys/fs/cgroup/unified ] && d=/sys/fs/cgroup/unified\${path%/}
      case " $(cat "$d/cgroup.subtree_control") " in *" cpu "*) ;; *) continue ;; esac ;;
    *) continue ;;
    esac
    if mkdir -p "$d/$cg" && echo "$v" >"$d/$cg/$f" && echo "$1" >"$d/$cg/cgroup.procs"; then
      echo "$d/$cg" >"$dir/cgroup"
      return
    fi
  done </proc/self/cgroup
  echo >"$dir/cgroup"
}
(
  read -r pid _ </proc/self/stat
  echo "$pid" >"$dir/pid"
  [ -z "$cg" ] || weigh "$pid"
  exec setsid "$@" 2>&3 3>&-
)
st=$?
echo "$st" >"$dir/status.tmp" && mv -f "$dir/status.tmp" "$dir/status"
`;

/** The supervisor's command line for the job in `dir`; `cgroup` names its CPU cgroup, if any. */
export function supervisorCommand(
  dir: string,
  stdoutPath: string,
  stderrPath: string,
  cgroup: string,
  argv: string[],
): [string, string[]] {
  return [
    "/bin/sh",
    ["-c", SUPERVISOR_SCRIPT, SUPERVISOR_NAME, dir, stdoutPath, stderrPath, cgroup, ...argv],
  ];
}

/** The name the supervisor runs under (its `$0`, as `ps` shows it). */
export const SUPERVISOR_NAME = "ipckit-supervisor";

/** A service's command line with its wrappers, and what could not apply. */
export interface ServiceCommand {
  /** The command line: wrappers first, then the program and its arguments. */
  argv: string[];
  /** Settings that could not apply, and why. */
  notApplied: string[];
}

/** Whether a program is on the PATH (`which` without running it). */
function onPath(program: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${program}`).isFile) return true;
    } catch { /* not here */ }
  }
  return false;
}

/**
 * Builds the command line of a service: `nice`/`ionice` for its `processType`, `prlimit` for its
 * limits, then the program.
 */
export function serviceCommand(definition: ServiceDefinition): ServiceCommand {
  const notApplied: string[] = [];
  const argv: string[] = [];
  switch (definition.processType) {
    case "background":
      if (onPath("nice")) argv.push("nice", "-n", "10");
      else notApplied.push("processType background: no nice on the PATH; runs at the default");
      if (onPath("ionice")) argv.push("ionice", "-c", "3");
      else notApplied.push("processType background: no ionice on the PATH; default I/O priority");
      break;
    case "adaptive":
      notApplied.push(
        "processType adaptive: Linux has no priority that follows the service's clients; runs as standard",
      );
      break;
    case "interactive":
      notApplied.push(
        "processType interactive: a user cannot raise a priority above the default; runs at the default",
      );
      break;
  }
  const limits: string[] = [];
  const soft = definition.softResourceLimits ?? {};
  const hard = definition.hardResourceLimits ?? {};
  for (const name of Object.keys(RESOURCE_LIMITS)) {
    if (!(name in soft) && !(name in hard)) continue;
    limits.push(`--${RESOURCE_LIMITS[name]}=${soft[name] ?? ""}:${hard[name] ?? ""}`);
  }
  if (limits.length) {
    if (onPath("prlimit")) argv.push("prlimit", ...limits, "--");
    else notApplied.push("resource limits: no prlimit on the PATH (util-linux); none set");
  }
  const args = definition.programArguments ?? [];
  if (definition.program) argv.push(definition.program, ...args.slice(1));
  else argv.push(...args);
  return { argv, notApplied };
}

/**
 * Describes an exit status as the supervisor's shell reports it: `exit N`, or `signal NAME` for
 * a status above 128 (the shell's way of saying the service was killed by a signal).
 */
export function describeStatus(code: number): string {
  if (code > 128 && code < 128 + 65) {
    const name = SIGNAL_NAMES[code - 128];
    return `signal ${name ?? code - 128}`;
  }
  return `exit ${code}`;
}

/** Whether a status means the service was killed by a signal. */
export function isSignal(code: number): boolean {
  return code > 128 && code < 128 + 65;
}

const SIGNAL_NAMES: Record<number, string> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  10: "SIGUSR1",
  11: "SIGSEGV",
  12: "SIGUSR2",
  13: "SIGPIPE",
  14: "SIGALRM",
  15: "SIGTERM",
};
