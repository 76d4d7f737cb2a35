/**
 * `ipckit services list|load|unload|start|stop|kickstart|print|log|check`: the service manager,
 * in launchctl's words. Each command's work is in `services_run.ts`, loaded when it runs.
 *
 * @module
 */

import type { CommandSpec, OptionSpec } from "../_spec.ts";

const json = {
  flags: "--json",
  description: "print JSON",
  conflicts: ["--yaml"],
} as const satisfies OptionSpec;
const yaml = {
  flags: "--yaml",
  description: "print YAML",
  conflicts: ["--json"],
} as const satisfies OptionSpec;

/** `ipckit services list`. */
export const listSpec = {
  name: "services list",
  summary: "List the loaded services: pid, last exit, state, label (launchctl list)",
  options: [json, yaml],
  examples: [
    "ipckit services list",
    "ipckit services list --json | jq -r '.[] | select(.state == \"running\") | .label'",
  ],
} as const satisfies CommandSpec;

/** `ipckit services load`. */
export const loadSpec = {
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
} as const satisfies CommandSpec;

/** `ipckit services unload`. */
export const unloadSpec = {
  name: "services unload",
  summary: "Stop a service and forget its definition (launchctl unload)",
  args: [{ name: "label", description: "the service's label", required: true }],
  examples: ["ipckit services unload com.example.echo"],
} as const satisfies CommandSpec;

/** `ipckit services start`. */
export const startSpec = {
  name: "services start",
  summary: "Start a loaded service unless it runs (launchctl start)",
  args: [{ name: "label", description: "the service's label", required: true }],
  examples: ["ipckit services start com.example.echo"],
} as const satisfies CommandSpec;

/** `ipckit services stop`. */
export const stopSpec = {
  name: "services stop",
  summary: "Stop a service: SIGTERM to its process group, SIGKILL after exitTimeout",
  args: [{ name: "label", description: "the service's label", required: true }],
  examples: ["ipckit services stop com.example.echo"],
} as const satisfies CommandSpec;

/** `ipckit services kickstart`. */
export const kickstartSpec = {
  name: "services kickstart",
  summary:
    "Start a service now, past its throttle; -k restarts a running one (launchctl kickstart)",
  args: [{ name: "label", description: "the service's label", required: true }],
  options: [{ flags: "-k, --kill", description: "stop it first when it runs" }],
  examples: [
    "ipckit services kickstart com.example.echo",
    "ipckit services kickstart -k com.example.echo   # restart",
  ],
} as const satisfies CommandSpec;

/** `ipckit services print`. */
export const printSpec = {
  name: "services print",
  summary: "Print a service's definition, state, pid, runs, last exit, log (launchctl print)",
  args: [{ name: "label", description: "the service's label", required: true }],
  options: [json, yaml],
  examples: [
    "ipckit services print com.example.echo",
    "ipckit services print com.example.echo --json | jq .lastExit",
  ],
} as const satisfies CommandSpec;

/** `ipckit services log`. */
export const logSpec = {
  name: "services log",
  summary: "Print a service's log (its standard output and error); --follow keeps printing",
  args: [{ name: "label", description: "the service's label", required: true }],
  options: [{ flags: "-f, --follow", description: "keep printing what is written, until Ctrl-C" }],
  examples: [
    "ipckit services log com.example.echo",
    "ipckit services log com.example.echo --follow",
  ],
} as const satisfies CommandSpec;

/** `ipckit services check`. */
export const checkSpec = {
  name: "services check",
  summary: "Check definition files without loading them (every problem with its line and column)",
  args: [{ name: "file", description: "a definition file", required: true, variadic: true }],
  examples: [
    "ipckit services check echo.yaml",
    "ipckit services check services/*.yaml || echo 'fix them first'",
  ],
} as const satisfies CommandSpec;
