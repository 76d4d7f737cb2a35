/**
 * `ipckit services list|load|unload|start|stop|kickstart|print|log|check`: the service manager,
 * in launchctl's words. Each command's work is in `services_run.ts`, loaded when it runs.
 *
 * @module
 */

import type { Command, CommandSpec, Invocation } from "../_spec.ts";

const json = { flags: "--json", description: "print JSON", conflicts: ["--yaml"] };
const yaml = { flags: "--yaml", description: "print YAML", conflicts: ["--json"] };

/** `ipckit services list`. */
export const listSpec: CommandSpec = {
  name: "services list",
  summary: "List the loaded services: pid, last exit, state, label (launchctl list)",
  options: [json, yaml],
  examples: [
    "ipckit services list",
    "ipckit services list --json | jq -r '.[] | select(.state == \"running\") | .label'",
  ],
};

/** `ipckit services load`. */
export const loadSpec: CommandSpec = {
  name: "services load",
  summary: "Load service definitions from YAML files or directories (launchctl load)",
  args: [{
    name: "path",
    description: "a definition file or a directory of them",
    required: true,
    variadic: true,
  }],
  examples: [
    "ipckit services load ~/services/echo.yaml",
    "ipckit services load ./services   # every .yaml and .yml file in it",
  ],
};

/** `ipckit services unload`. */
export const unloadSpec: CommandSpec = {
  name: "services unload",
  summary: "Stop a service and forget its definition (launchctl unload)",
  args: [{ name: "label", description: "the service's label", required: true }],
  examples: ["ipckit services unload com.example.echo"],
};

/** `ipckit services start`. */
export const startSpec: CommandSpec = {
  name: "services start",
  summary: "Start a loaded service unless it runs (launchctl start)",
  args: [{ name: "label", description: "the service's label", required: true }],
  examples: ["ipckit services start com.example.echo"],
};

/** `ipckit services stop`. */
export const stopSpec: CommandSpec = {
  name: "services stop",
  summary: "Stop a service: SIGTERM to its process group, SIGKILL after exitTimeout",
  args: [{ name: "label", description: "the service's label", required: true }],
  examples: ["ipckit services stop com.example.echo"],
};

/** `ipckit services kickstart`. */
export const kickstartSpec: CommandSpec = {
  name: "services kickstart",
  summary:
    "Start a service now, past its throttle; -k restarts a running one (launchctl kickstart)",
  args: [{ name: "label", description: "the service's label", required: true }],
  options: [{ flags: "-k, --kill", description: "stop it first when it runs" }],
  examples: [
    "ipckit services kickstart com.example.echo",
    "ipckit services kickstart -k com.example.echo   # restart",
  ],
};

/** `ipckit services print`. */
export const printSpec: CommandSpec = {
  name: "services print",
  summary: "Print a service's definition, state, pid, runs, last exit, log (launchctl print)",
  args: [{ name: "label", description: "the service's label", required: true }],
  options: [json, yaml],
  examples: [
    "ipckit services print com.example.echo",
    "ipckit services print com.example.echo --json | jq .lastExit",
  ],
};

/** `ipckit services log`. */
export const logSpec: CommandSpec = {
  name: "services log",
  summary: "Print a service's log (its standard output and error); --follow keeps printing",
  args: [{ name: "label", description: "the service's label", required: true }],
  options: [{ flags: "-f, --follow", description: "keep printing what is written, until Ctrl-C" }],
  examples: [
    "ipckit services log com.example.echo",
    "ipckit services log com.example.echo --follow",
  ],
};

/** `ipckit services check`. */
export const checkSpec: CommandSpec = {
  name: "services check",
  summary: "Check definition files without loading them (every problem with its line and column)",
  args: [{ name: "file", description: "a definition file", required: true, variadic: true }],
  examples: [
    "ipckit services check echo.yaml",
    "ipckit services check services/*.yaml || echo 'fix them first'",
  ],
};

function lazy(name: keyof typeof import("./services_run.ts")) {
  return async (invocation: Invocation): Promise<number> => {
    const module = await import("./services_run.ts");
    return await module[name](invocation);
  };
}

/** The `services` commands. */
export const commands: Command[] = [
  { spec: listSpec, run: lazy("list") },
  { spec: loadSpec, run: lazy("load") },
  { spec: unloadSpec, run: lazy("unload") },
  { spec: startSpec, run: lazy("start") },
  { spec: stopSpec, run: lazy("stop") },
  { spec: kickstartSpec, run: lazy("kickstart") },
  { spec: printSpec, run: lazy("print") },
  { spec: logSpec, run: lazy("log") },
  { spec: checkSpec, run: lazy("check") },
];
