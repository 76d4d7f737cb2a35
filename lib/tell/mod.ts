/**
 * `tell`: an AppleScript interpreter for ipckit's scriptable apps. {@linkcode compile} parses a
 * script against the definitions of the apps it names (fetched from the running apps, or given);
 * {@linkcode runScript} runs it, sending events through the scripting client. Errors are
 * osascript's: a {@linkcode ScriptSyntaxError} (-2741) with the place in the script, or a
 * {@linkcode ScriptError} with AppleScript's number (-1728 no such object, -600 the app does
 * not run, -1712 timed out…).
 *
 * @example Ask Notes for the names of notes about milk
 * ```ts ignore
 * import { runScript, sourceText } from "./mod.ts";
 * const names = await runScript(
 *   'tell application "Notes" to get name of every note whose body contains "milk"',
 * );
 * console.log(sourceText(names)); // {"Shopping"}
 * ```
 *
 * @module
 */

import { AppleEventError, NotFoundError } from "../errors.ts";
import { connectApp } from "../scripting/client.ts";
import { Terminology } from "../sdef/terminology.ts";
import type { TerminologyTable } from "../sdef/terminology_table.ts";
import type { ScriptingEvent } from "../scripting/protocol.ts";
import type { Value } from "../wire/value.ts";
import type { Script } from "./ast.ts";
import { ScriptError } from "./errors.ts";
import { evaluate } from "./evaluator.ts";
import { tokenize } from "./lexer.ts";
import { appNames, parse } from "./parser.ts";
import type { AppHandle, Val } from "./values.ts";
import { type AppIdentity, readCachedTerms, writeCachedTerms } from "./_terms_cache.ts";

export * from "./errors.ts";
export {
  AppRef,
  AsClass,
  AsConstant,
  AsFile,
  AsRecord,
  humanText,
  jsonValue,
  LocalRef,
  Real,
  ScriptObject,
  sourceText,
  toWire,
  type Val,
} from "./values.ts";
export type { Script } from "./ast.ts";

/** A connection to an app, as {@linkcode RunOptions.connect} gives it. */
export interface AppEndpoint {
  /** Sends an event; an `AppleEventError` for the app's error. */
  send(event: ScriptingEvent): Promise<Value>;
  /** The app's terminology table, as JSON. */
  definition(): Promise<{ terminology: string }>;
  /** Closes the connection. */
  close(): void;
  /** Which run of which app it is: its terminology is cached by it. */
  readonly app?: AppIdentity;
}

/** Options of {@linkcode compile}. */
export interface CompileOptions {
  /** The app the whole script is told to (`ipckit tell --app APP`). @default {undefined} */
  app?: string;
  /**
   * Terminology for apps by the name the script gives, used instead of asking the running app
   * (`--sdef APP=FILE`).
   * @default {{}}
   */
  terminology?: Readonly<Record<string, Terminology>>;
  /**
   * Connects to a running app by name (or `id "bundle.id"`); `NotFoundError` when none runs.
   * @default {the scripting client's connectApp}
   */
  connect?: (nameOrId: string) => Promise<AppEndpoint>;
  /** The runtime directory, for the default `connect`. @default {the user's} */
  runtimeDir?: string;
}

/** Options of {@linkcode runScript}. */
export interface RunOptions extends CompileOptions {
  /** The arguments `on run argv` gets. @default {[]} */
  argv?: string[];
  /** Where `log` writes. @default {() => {}} */
  log?: (text: string) => void;
}

/** A compiled script and the apps it was compiled against. */
export interface CompiledScript {
  /** The syntax tree. */
  readonly script: Script;
  /** The apps named in it that do not run (their terms were not known). */
  readonly notRunning: readonly string[];
}

class App implements AppHandle {
  readonly name: string;
  readonly byId: boolean;
  #terms: Terminology | undefined;
  #endpoint: Promise<AppEndpoint> | undefined;
  #connect: (nameOrId: string) => Promise<AppEndpoint>;
  constructor(name: string, byId: boolean, connect: (nameOrId: string) => Promise<AppEndpoint>) {
    this.name = name;
    this.byId = byId;
    this.#connect = connect;
  }
  terms(): Terminology | undefined {
    return this.#terms;
  }
  setTerms(terms: Terminology | undefined): void {
    this.#terms = terms;
  }
  endpoint(): Promise<AppEndpoint> {
    return this.#endpoint ??= this.#connect(this.byId ? `id "${this.name}"` : this.name);
  }
  async send(event: ScriptingEvent): Promise<Value> {
    let endpoint: AppEndpoint;
    try {
      endpoint = await this.endpoint();
    } catch (error) {
      this.#endpoint = undefined;
      if (error instanceof NotFoundError) {
        throw new ScriptError("Application isn’t running.", -600, { app: this.name, cause: error });
      }
      throw error;
    }
    try {
      return await endpoint.send(event);
    } catch (error) {
      if (error instanceof AppleEventError) {
        const message = error.message.replace(/^.*? got an error: /, "");
        throw new ScriptError(message, error.number, {
          app: this.name,
          offending: error.offendingObject,
          partial: error.partialResult,
          cause: error,
        });
      }
      throw error;
    }
  }
  close(): void {
    this.#endpoint?.then((e) => e.close(), () => {});
  }
}

function defaultConnect(runtimeDir: string | undefined) {
  return (nameOrId: string) => connectApp(nameOrId, runtimeDir ? { runtimeDir } : {});
}

class Session {
  readonly apps = new Map<string, App>();
  #connect: (nameOrId: string) => Promise<AppEndpoint>;
  constructor(connect: (nameOrId: string) => Promise<AppEndpoint>) {
    this.#connect = connect;
  }
  app(name: string, byId: boolean): App {
    const key = `${byId ? "id:" : ""}${name.toLowerCase()}`;
    let app = this.apps.get(key);
    if (!app) this.apps.set(key, app = new App(name, byId, this.#connect));
    return app;
  }
  close(): void {
    for (const app of this.apps.values()) app.close();
  }
}

async function compileIn(
  source: string,
  options: CompileOptions,
  session: Session,
): Promise<CompiledScript> {
  const tokens = tokenize(source);
  const names = appNames(source, tokens);
  if (options.app !== undefined) names.push(options.app);
  const byName = new Map<string, Terminology | undefined>();
  const notRunning: string[] = [];
  for (const name of names) {
    if (byName.has(name)) continue;
    const given = options.terminology?.[name];
    if (given) {
      byName.set(name, given);
      session.app(name, false).setTerms(given);
      continue;
    }
    // `application id "…"` and `application "…"` both come here by their string.
    const app = session.app(name, false);
    try {
      const endpoint = await app.endpoint();
      let terms = endpoint.app ? readCachedTerms(endpoint.app, options) : undefined;
      if (terms === undefined) {
        const json = (await endpoint.definition()).terminology;
        terms = new Terminology(JSON.parse(json) as TerminologyTable);
        if (endpoint.app) await writeCachedTerms(endpoint.app, terms, options);
      }
      app.setTerms(terms);
      session.app(name, true).setTerms(terms);
      byName.set(name, terms);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      notRunning.push(name);
      byName.set(name, undefined);
    }
  }
  // An app the script names that does not run: osascript cannot compile it either (it would
  // launch it; nothing launches apps here).
  if (notRunning.length > 0) {
    const name = notRunning[0];
    const error = new ScriptError("Application isn’t running.", -600, { app: name });
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const m = new RegExp(`\\bapp(?:lication)?\\s+(?:id\\s+)?"${escaped}"`, "i").exec(source);
    if (m) error.span = { start: m.index, end: m.index + m[0].length };
    throw error;
  }
  const script = parse(source, { terminology: (a) => byName.get(a), app: options.app, tokens });
  return { script, notRunning };
}

/**
 * Compiles a script without running it (`osacompile`; `ipckit tell --check`): its terms against
 * the definitions of the apps it names, from `options.terminology` or the running apps.
 *
 * @throws {ScriptSyntaxError} where the script does not compile.
 * @throws {ScriptError} -600 when an app whose terms it needs does not run.
 */
export async function compile(
  source: string,
  options: CompileOptions = {},
): Promise<CompiledScript> {
  const session = new Session(options.connect ?? defaultConnect(options.runtimeDir));
  try {
    return await compileIn(source, options, session);
  } finally {
    session.close();
  }
}

/**
 * Compiles and runs a script; returns its result (the run handler's, or the last statement's).
 *
 * @throws {ScriptSyntaxError} where the script does not compile.
 * @throws {ScriptError} an error the script did not catch, with its place in the script.
 */
export async function runScript(source: string, options: RunOptions = {}): Promise<Val> {
  const session = new Session(options.connect ?? defaultConnect(options.runtimeDir));
  try {
    const { script } = await compileIn(source, options, session);
    return await evaluate(script, {
      argv: options.argv,
      log: options.log,
      app: (name, byId) => session.app(name, byId),
      tellApp: options.app,
    });
  } finally {
    session.close();
  }
}
