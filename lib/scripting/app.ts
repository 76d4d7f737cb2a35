/**
 * {@linkcode serveScriptableApp}: makes a Deno program scriptable, as Cocoa Scripting does a
 * Mac app. It loads the definition, checks the model against it, serves a message port named
 * after the bundle id, and answers each event: the standard suite generically, the
 * definition's own commands through the app's handlers, errors as AppleEvent error numbers.
 *
 * @module
 */

import { startTimer } from "../_timer.ts";
import { AppleEventError, NameTakenError } from "../errors.ts";
import { createLocalPort, type LocalPort } from "../ports/mod.ts";
import { portPaths } from "../ports/names.ts";
import type { ResolvedCommand } from "../sdef/dictionary.ts";
import { loadDictionary } from "../sdef/load.ts";
import { terminologyTable } from "../sdef/terminology.ts";
import { camelCase } from "../sdp/naming.ts";
import { ensureDirSync, writeFileReplacing } from "../transport/no_follow.ts";
import { ensureRuntimeDir } from "../transport/runtime_dir.ts";
import { decodeValue, encodeValue } from "../wire/msgpack.ts";
import { assertValue, type Dictionary, ObjectSpecifier, type Value } from "../wire/value.ts";
import { fail, Model, type ObjItem } from "./_model.ts";
import { expandedSdefText } from "./_sdef_text.ts";
import { coerceIn } from "./coerce.ts";
import { checkModel } from "./model_check.ts";
import {
  appPortName,
  type AppRecord,
  APPS_DIR,
  DEFAULT_TIMEOUT,
  DIRECT,
  ERRORS,
  eventFromValue,
  EVENTS,
  MSG,
  replyToValue,
  type ScriptingEvent,
  type ScriptingReply,
} from "./protocol.ts";
import { leaves, resolveSpecifier } from "./resolve.ts";
import * as suite from "./standard_suite.ts";
import type { CommandHandler, ModelChange, ScriptableApp, ScriptableAppOptions } from "./types.ts";

const GENERIC: Record<string, (model: Model, event: ScriptingEvent) => Value> = {
  [EVENTS.get]: suite.get,
  [EVENTS.set]: suite.set,
  [EVENTS.count]: suite.count,
  [EVENTS.exists]: suite.exists,
  [EVENTS.make]: suite.make,
  [EVENTS.delete]: suite.del,
  [EVENTS.duplicate]: suite.duplicate,
  [EVENTS.move]: suite.move,
};

/** The generic commands that change the model, by code. */
const CHANGES = new Map<string, ModelChange["command"]>([
  [EVENTS.set, "set"],
  [EVENTS.make, "make"],
  [EVENTS.delete, "delete"],
  [EVENTS.duplicate, "duplicate"],
  [EVENTS.move, "move"],
]);

/** Reads the definition option: a URL, a path, or the XML itself. */
async function readDefinition(definition: string | URL): Promise<{ text: string; file: string }> {
  if (definition instanceof URL) {
    if (definition.protocol === "file:") {
      const file = decodeURIComponent(definition.pathname);
      return { text: await Deno.readTextFile(file), file };
    }
    const response = await fetch(definition);
    return { text: await response.text(), file: "-" };
  }
  if (definition.trimStart().startsWith("<")) return { text: definition, file: "-" };
  return { text: await Deno.readTextFile(definition), file: definition };
}

/**
 * Serves a scriptable app: its model, answering events sent to its bundle id or name.
 *
 * @example A scriptable orchard
 * ```ts ignore
 * import { serveScriptableApp } from "./mod.ts";
 * const app = await serveScriptableApp({
 *   bundleId: "com.example.Orchard",
 *   name: "Orchard",
 *   definition: new URL("./Orchard.sdef", import.meta.url),
 *   model: { trees: [{ id: 1, name: "Bramley", fruits: [] }] },
 *   handlers: { harvest: ({ direct }) => ({ count: 3, weight: 0.7 }) },
 * });
 * await app.close();
 * ```
 *
 * @throws {TypeError} when the model misses keys the definition needs (each one named).
 * @throws {NameTakenError} when an app with the same bundle id already runs.
 */
export async function serveScriptableApp(options: ScriptableAppOptions): Promise<ScriptableApp> {
  const { bundleId, name } = options;
  if (typeof bundleId !== "string" || bundleId === "" || typeof name !== "string" || name === "") {
    throw new TypeError("serveScriptableApp() needs a bundleId and a name");
  }
  const { text, file } = await readDefinition(options.definition);
  const dict = await loadDictionary(text, { file });
  const sdefText = await expandedSdefText(text, file);
  const terminology = JSON.stringify(terminologyTable(dict));
  const model = new Model(dict, options.model, {
    name,
    version: options.version ?? "1.0",
    classes: options.classes ?? {},
    classOf: options.classOf,
  });
  const problems = checkModel(model);
  if (problems.length > 0) {
    throw new TypeError(
      `the model of ${name} does not match its definition: ${problems.join("; ")}`,
    );
  }
  const handlers = options.handlers ?? {};
  const onChange = options.onChange;
  const runtime = { runtimeDir: options.runtimeDir };
  const commands = new Map<string, ResolvedCommand>();
  for (const c of dict.commands) if (!commands.has(c.code)) commands.set(c.code, c);
  // The app's handler of each event code, found once per code.
  const handlerOf = new Map<string, CommandHandler | undefined>();
  // Generic commands answer synchronously: no promise on the path of a plain get.
  const handle = (event: ScriptingEvent): Value | Promise<Value> => {
    const cmd = commands.get(event.code);
    let handler = handlerOf.get(event.code);
    if (handler === undefined && !handlerOf.has(event.code)) {
      handler = (cmd && handlers[camelCase(cmd.name)]) ?? handlers[event.code];
      if (handlerOf.size < 4096) handlerOf.set(event.code, handler); // unknown codes: bounded
    }
    if (handler) return callHandler(model, cmd, handler, event);
    const generic = GENERIC[event.code];
    if (generic) {
      const value = generic(model, event);
      if (onChange && CHANGES.has(event.code)) {
        return Promise.resolve(onChange({ command: CHANGES.get(event.code)!, event }))
          .then(() => value);
      }
      return value;
    }
    const direct = event.params?.[DIRECT];
    const target = direct instanceof ObjectSpecifier
      ? model.describe(direct)
      : `application "${name}"`;
    return fail(
      ERRORS.notHandled,
      `${target} doesn’t understand the “${cmd?.name ?? `«event ${event.code}»`}” message.`,
    );
  };

  let port: LocalPort;
  try {
    port = await createLocalPort(appPortName(bundleId), (msgid, data) => {
      if (msgid === MSG.definition) {
        return encodeValue({
          sdef: sdefText,
          terminology,
          title: dict.title ?? null,
          name,
          bundleId,
        });
      }
      const answer = (reply: ScriptingReply): Uint8Array => {
        try {
          return encodeValue(replyToValue(reply));
        } catch (error) {
          return encodeValue(replyToValue(errorReply(error, model)));
        }
      };
      if (msgid !== MSG.event) {
        return answer(errorReply(
          new AppleEventError(ERRORS.parameterError, `unknown request ${msgid}`),
          model,
        ));
      }
      let event: ScriptingEvent;
      try {
        event = eventFromValue(decodeValue(data));
      } catch (error) {
        return answer(errorReply(
          new AppleEventError(
            ERRORS.parameterError,
            `a malformed event: ${(error as Error).message}`,
          ),
          model,
        ));
      }
      try {
        const value = handle(event);
        if (value instanceof Promise) {
          return value.then(
            (v) => answer({ ok: true, value: v }),
            (error) => answer(errorReply(error, model)),
          );
        }
        return answer({ ok: true, value });
      } catch (error) {
        return answer(errorReply(error, model));
      }
    }, { concurrency: options.concurrency ?? 16, ...runtime });
  } catch (error) {
    if (error instanceof NameTakenError) {
      throw new NameTakenError(
        `cannot serve ${name}: an app with the bundle id ${bundleId} already runs; quit it first (ipckit apps lists it)`,
        { cause: error },
      );
    }
    throw error;
  }
  const dir = `${await ensureRuntimeDir(runtime)}/${APPS_DIR}`;
  const base = (await portPaths(appPortName(bundleId), runtime)).info.split("/").pop()!;
  const recordFile = `${dir}/${base}`;
  const record: AppRecord = {
    name,
    bundleId,
    pid: Deno.pid,
    since: new Date().toISOString(),
  };
  if (dict.title !== undefined) record.title = dict.title;
  try {
    // A link planted at the folder is refused, and one at the record replaced: neither is
    // written through.
    ensureDirSync(dir);
    await writeFileReplacing(recordFile, JSON.stringify(record));
  } catch (error) {
    await port.invalidate();
    throw error;
  }
  let closed: Promise<void> | undefined;
  function close(): Promise<void> {
    closed ??= (async () => {
      try {
        await Deno.remove(recordFile);
      } catch {
        // already gone
      }
      await port.invalidate();
    })();
    return closed;
  }
  return {
    bundleId,
    name,
    dictionary: dict,
    async postEvent(eventName: string, params: Record<string, unknown> = {}): Promise<void> {
      const ev = dict.events.find((e) => e.name === eventName || camelCase(e.name) === eventName);
      if (!ev) throw new TypeError(`the definition of ${name} has no event "${eventName}"`);
      const userInfo: Dictionary = {};
      for (const [key, v] of Object.entries(params)) {
        const p = ev.parameters.find((x) => camelCase(x.name) === key || x.name === key);
        userInfo[p ? camelCase(p.name) : key] = model.toWire(v, p?.types);
      }
      const { postNotification } = await import("../notifications/mod.ts");
      await postNotification(`${bundleId}.${camelCase(ev.name)}`, { userInfo, ...runtime });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function errorReply(error: unknown, model: Model): ScriptingReply {
  if (error instanceof AppleEventError) {
    const reply: ScriptingReply = { ok: false, number: error.number, message: error.message };
    if (error.offendingObject !== undefined) {
      reply.offendingObject = asValue(model, error.offendingObject);
    }
    if (error.expectedType !== undefined) reply.expectedType = error.expectedType;
    if (error.partialResult !== undefined) {
      reply.partialResult = asValue(model, error.partialResult);
    }
    return reply;
  }
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, number: ERRORS.handlerFailed, message: message.split("\n")[0] };
}

/**
 * What an app put in an error as a wire value: a Value as it is; objects of the model (a
 * handler's offending object) as their references, other JavaScript by the model's rules.
 */
function asValue(model: Model, value: unknown): Value {
  try {
    assertValue(value);
    return value;
  } catch {
    return model.generic(value);
  }
}

/** Calls an app's handler: object-first once per receiver, verb-first once. */
async function callHandler(
  model: Model,
  cmd: ResolvedCommand | undefined,
  handler: CommandHandler,
  event: ScriptingEvent,
): Promise<Value> {
  const params = event.params ?? {};
  const resolve = suite.referenceResolver(model);
  const name = cmd?.name ?? event.code;
  const args: Record<string, unknown> = {};
  for (const [code, value] of Object.entries(params)) {
    if (code === DIRECT) continue;
    const p = cmd?.parameters.find((x) => x.code === code);
    if (!p) {
      if (!cmd || Object.values(EVENTS).includes(event.code)) {
        args[code] = value;
        continue;
      }
      return fail(
        ERRORS.unknownParameter,
        `${name} doesn’t take the parameter «${code}»: it takes ${
          cmd.parameters.map((x) => `“${x.name}”`).join(", ") || "no labelled parameters"
        }.`,
        value,
      );
    }
    args[camelCase(p.name)] = coerceIn(value, p.types, model, resolve);
  }
  for (const p of cmd?.parameters ?? []) {
    if (!p.optional && !(p.code in params)) {
      return fail(
        ERRORS.missingParameter,
        `Can’t ${name}: the required parameter “${p.name}” is missing.`,
      );
    }
  }
  // `tell tree 1 to harvest`: without a direct parameter, a command the classes respond to goes
  // to the tell target (the subject), as Cocoa's receivers specifier does.
  const raw = params[DIRECT] ??
    (event.subject instanceof ObjectSpecifier &&
        model.dict.classes.some((c) => c.respondsTo.some((r) => r.command === name))
      ? event.subject
      : undefined);
  if (raw === undefined && cmd?.directParameter && !cmd.directParameter.optional) {
    return fail(ERRORS.missingParameter, `Can’t ${name}: the direct parameter is missing.`);
  }
  const resultTypes = cmd?.result?.types;
  // The sender gives up at the event's timeout; so does the app, so that a handler that never
  // answers does not hold one of the port's request slots for ever.
  const timeout = (event.timeout ?? DEFAULT_TIMEOUT) * 1000;
  const call = async (direct: unknown, receivers: unknown[]) => {
    let cancel = () => {};
    const late = new Promise<never>((_, reject) => {
      cancel = startTimer(timeout, () =>
        reject(
          new AppleEventError(
            ERRORS.timedOut,
            `${name} did not answer within ${timeout / 1000} s (AppleEvent timed out).`,
          ),
        ));
    });
    try {
      return await Promise.race([
        Promise.resolve().then(() => handler({ direct, args, receivers, command: name, event })),
        late,
      ]);
    } catch (error) {
      if (error instanceof AppleEventError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new AppleEventError(ERRORS.handlerFailed, message.split("\n")[0]);
    } finally {
      cancel();
    }
  };
  let node;
  if (raw instanceof ObjectSpecifier) node = resolveSpecifier(model, raw);
  const receivers = node ? leaves(node) : [];
  const objects = receivers.map((x) => x.kind === "object" ? x.obj : x.value);
  const respondsTo = (item: ObjItem) =>
    [item.cls, ...model.dict.ancestors(item.cls)].some((c) =>
      c.respondsTo.some((r) => r.command === name)
    );
  const objectFirst = cmd !== undefined && node !== undefined &&
    model.dict.classes.some((c) => c.respondsTo.some((r) => r.command === name)) &&
    receivers.every((x) => x.kind === "object");
  if (objectFirst) {
    for (const item of receivers as ObjItem[]) {
      if (!respondsTo(item)) {
        return fail(
          ERRORS.notHandled,
          `${model.describeItem(item)} doesn’t understand the “${name}” message.`,
          model.nodeToWire(item),
        );
      }
    }
    const results: Value[] = [];
    for (const item of receivers as ObjItem[]) {
      results.push(model.toWire(await call(item.obj, [item.obj]), resultTypes));
    }
    return node!.kind === "many" ? results : results[0];
  }
  let direct: unknown;
  if (node) {
    const types = cmd?.directParameter?.types;
    const single = types !== undefined && types.length > 0 && types.every((t) => {
      const target = model.dict.findType(t.name);
      return !t.list && target?.kind === "class";
    });
    if (single && node.kind === "many" && objects.length !== 1) {
      return fail(
        ERRORS.notSingleObject,
        `Can’t ${name} ${model.describe(raw!)}: it handles single objects only.`,
        raw!,
      );
    }
    direct = node.kind === "many" ? (single ? objects[0] : objects) : objects[0];
  } else if (raw !== undefined) {
    direct = coerceIn(raw, cmd?.directParameter?.types, model, resolve);
  }
  return model.toWire(await call(direct, objects), resultTypes);
}
