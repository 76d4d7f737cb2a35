/**
 * Helpers of the scripting tests: the Orchard app in a process of its own, a client connected
 * to it, and short builders for specifiers and events.
 *
 * @module
 */

import assert from "node:assert/strict";
import { AppleEventError } from "../../lib/errors.ts";
import { PERMISSIONS } from "../../lib/permissions.ts";
import { type AppConnection, connectApp } from "../../lib/scripting/mod.ts";
import {
  Comparison,
  type ComparisonOperator,
  EnumConstant,
  InsertionLocation,
  type InsertionPosition,
  type KeyForm,
  LogicalTest,
  ObjectSpecifier,
  type SpecifierRoot,
  type TestDescriptor,
  TypeCode,
  type Value,
} from "../../lib/wire/value.ts";
import { toJson } from "../../lib/wire/json.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";

/** A running app process. */
export interface AppProcess {
  /** The runtime directory. */
  runtimeDir: string;
  /** The process. */
  child: Deno.ChildProcess;
  /** Its standard error, once it has exited. */
  stderr: () => Promise<string>;
  /** Stops it and removes the runtime directory. */
  stop: () => Promise<void>;
}

/** Starts a script that serves an app and prints "ready"; resolves once it does. */
export async function startApp(
  script: string,
  env: Record<string, string> = {},
  runtimeDir?: string,
): Promise<AppProcess> {
  const dir = runtimeDir ?? await tempRuntimeDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...PERMISSIONS, script],
    env: { IPCKIT_RUNTIME_DIR: dir, IPCKIT_IDLE_TIMEOUT: "5", ...env },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const errText = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("ready\n")) {
    const { value, done } = await reader.read();
    if (done) {
      const status = await child.status;
      throw new Error(`the app exited (${status.code}) before it was ready: ${await errText}`);
    }
    out += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  let stopped = false;
  return {
    runtimeDir: dir,
    child,
    stderr: () => errText,
    stop: async () => {
      if (!stopped) {
        stopped = true;
        try {
          child.kill("SIGTERM");
        } catch { /* gone */ }
        await child.status;
        await errText;
      }
      if (!runtimeDir) await cleanupRuntimeDir(dir);
    },
  };
}

/** The Orchard app's script. */
export const ORCHARD: string = new URL("./_orchard_app.ts", import.meta.url).pathname;

/** Runs `fn` with the Orchard app running and a client connected to it. */
export async function withOrchard(
  fn: (app: AppConnection, proc: AppProcess) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const proc = await startApp(ORCHARD, env);
  const app = await connectApp("Orchard", { runtimeDir: proc.runtimeDir });
  try {
    await fn(app, proc);
  } finally {
    app.close();
    await proc.stop();
  }
}

type From = ObjectSpecifier | SpecifierRoot;

/** A specifier. */
export function spec(want: string, from: From, form: KeyForm, seld: Value): ObjectSpecifier {
  return new ObjectSpecifier(want, from, form, seld);
}

/** `<class> N of from` (negative from the end). */
export function at(want: string, index: number, from: From = "application"): ObjectSpecifier {
  return spec(want, from, "index", BigInt(index));
}

/** `every <class> of from`. */
export function every(want: string, from: From = "application"): ObjectSpecifier {
  return spec(want, from, "index", "every");
}

/** `<class> "name" of from`. */
export function named(want: string, name: string, from: From = "application"): ObjectSpecifier {
  return spec(want, from, "name", name);
}

/** `<class> id X of from`. */
export function byId(want: string, id: Value, from: From = "application"): ObjectSpecifier {
  return spec(want, from, "id", id);
}

/** `<property> of from` (a reference an app sent back included). */
export function prop(code: string, from: From | Value): ObjectSpecifier {
  if (!(from instanceof ObjectSpecifier) && typeof from !== "string") {
    throw new TypeError(`not a reference: ${String(from)}`);
  }
  return spec("prop", from as From, "property", code);
}

/** `its <property>` in a test. */
export function its(code: string): ObjectSpecifier {
  return prop(code, "examined");
}

/** `every <class> of from whose test`. */
export function whose(
  want: string,
  test: TestDescriptor,
  from: From = "application",
): ObjectSpecifier {
  return spec(want, from, "test", test);
}

/** A comparison. */
export function cmp(op: ComparisonOperator, left: Value, right: Value): Comparison {
  return new Comparison(op, left, right);
}

/** `and`. */
export function and(...tests: TestDescriptor[]): LogicalTest {
  return new LogicalTest("and", tests);
}

/** `or`. */
export function or(...tests: TestDescriptor[]): LogicalTest {
  return new LogicalTest("or", tests);
}

/** `not`. */
export function not(t: TestDescriptor): LogicalTest {
  return new LogicalTest("not", [t]);
}

/** An insertion location. */
export function insertion(position: InsertionPosition, object: From): InsertionLocation {
  return new InsertionLocation(position, object);
}

/** A type code. */
export function type(code: string): TypeCode {
  return new TypeCode(code);
}

/** An enumerator constant. */
export function constant(code: string): EnumConstant {
  return new EnumConstant(code);
}

/** `get X`. */
export function get(app: AppConnection, direct: Value): Promise<Value> {
  return app.send({ code: "coregetd", params: { "----": direct } });
}

/** `set X to Y`. */
export function set(app: AppConnection, direct: Value, to: Value): Promise<Value> {
  return app.send({ code: "coresetd", params: { "----": direct, data: to } });
}

export { cleanupRuntimeDir, tempRuntimeDir };

/**
 * A check for `assert.rejects`: an {@linkcode AppleEventError} of `number`, its message
 * matching `message` and its offending object `offending`, each where given.
 */
export function rejectsWith(
  number: number,
  message?: RegExp,
  offending?: Value,
): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof AppleEventError, `not an AppleEventError: ${e}`);
    assert.equal(e.number, number, e.message);
    if (message) assert.match(e.message, message);
    if (offending !== undefined) {
      assert.equal(toJson(e.offendingObject as Value), toJson(offending));
    }
    return true;
  };
}
