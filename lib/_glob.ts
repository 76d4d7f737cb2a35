/**
 * The glob matcher of notification names, used by the broker and by posting processes alike
 * (straight delivery matches observers' globs there): `*` matches any run of characters, `?`
 * one character, `[…]` one of a class (`[!…]` or `[^…]` none of it, `a-z` a range);
 * everything else stands for itself.
 *
 * It runs in time linear in the name for a given glob, whatever the glob: it follows every
 * place in the glob the name could have reached at once (a set of states, as a finite
 * automaton does), never going back. A regular expression made from a glob backtracks: a glob
 * like `*a*a*a*a*a*a*a*a*a*a*a*a*b` against 32 `a`s runs for hours in one. No regular
 * expression is ever made from a user's glob.
 *
 * @module
 */

/** The longest glob, and the most characters of globs one observer may give. */
export const MAX_GLOB_LENGTH = 1024;

/** How many names' answers a {@linkcode NameMatcher} remembers (names repeat). */
const MEMO_SIZE = 256;

/** One step of a glob: a star, or one character out of a set. */
type Step =
  | { star: true }
  | { star: false; test: (c: number) => boolean };

/** A compiled glob; see the module documentation. */
export class Glob {
  /** The glob as given. */
  readonly source: string;
  #steps: Step[];
  /** Whether step k is a star, for the inner loop. */
  #stars: Uint8Array;
  #current: Uint8Array;
  #next: Uint8Array;

  /** Compiles `glob`; a `RangeError` when it is longer than {@linkcode MAX_GLOB_LENGTH}. */
  constructor(glob: string) {
    if (glob.length > MAX_GLOB_LENGTH) {
      throw new RangeError(`a glob is at most ${MAX_GLOB_LENGTH} characters`);
    }
    this.source = glob;
    this.#steps = compile(glob);
    this.#stars = Uint8Array.from(this.#steps, (s) => s.star ? 1 : 0);
    this.#current = new Uint8Array(this.#steps.length + 1);
    this.#next = new Uint8Array(this.#steps.length + 1);
  }

  /** Whether `name` matches the whole glob. Time: the name's length × the glob's steps. */
  matches(name: string): boolean {
    const steps = this.#steps, stars = this.#stars, m = steps.length;
    let current = this.#current, next = this.#next;
    current.fill(0);
    current[0] = 1;
    close(current, stars, m);
    for (let k = 0; k < name.length; k++) {
      const c = name.charCodeAt(k);
      next.fill(0);
      let any = false;
      for (let s = 0; s <= m; s++) {
        if (current[s] === 0) continue;
        // In state s, steps 0…s-1 are done. A star just done takes this character too.
        if (s > 0 && stars[s - 1] === 1) {
          next[s] = 1;
          any = true;
        }
        if (s < m && stars[s] === 0 && (steps[s] as { test: (c: number) => boolean }).test(c)) {
          next[s + 1] = 1;
          any = true;
        }
      }
      if (!any) return false;
      close(next, stars, m);
      const swap = current;
      current = next;
      next = swap;
    }
    return current[m] === 1;
  }
}

/** Adds the states a star lets through without taking a character. */
function close(states: Uint8Array, stars: Uint8Array, m: number): void {
  for (let s = 0; s < m; s++) {
    if (states[s] === 1 && stars[s] === 1) states[s + 1] = 1;
  }
}

/** Whether a name pattern is a glob rather than an exact name. */
export function isGlob(pattern: string): boolean {
  for (let k = 0; k < pattern.length; k++) {
    const c = pattern[k];
    if (c === "*" || c === "?" || c === "[") return true;
  }
  return false;
}

function compile(glob: string): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") {
      // Two stars in a row match what one does.
      if (steps.length === 0 || !steps[steps.length - 1].star) steps.push({ star: true });
    } else if (c === "?") steps.push({ star: false, test: () => true });
    else if (c === "[") {
      const set = parseClass(glob, i);
      if (set) {
        steps.push({ star: false, test: set.test });
        i = set.end;
      } else steps.push(literal(c));
    } else steps.push(literal(c));
  }
  return steps;
}

function literal(c: string): Step {
  const code = c.charCodeAt(0);
  return { star: false, test: (x) => x === code };
}

/**
 * A class starting at `glob[start]` (`[`): its test and the index of its closing `]`, or
 * undefined when it is not closed (the `[` then stands for itself). A `]` right after the
 * opening (or its `!`/`^`) belongs to the class.
 */
function parseClass(
  glob: string,
  start: number,
): { test: (c: number) => boolean; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (glob[i] === "!" || glob[i] === "^") {
    negate = true;
    i++;
  }
  const ranges: number[] = [];
  const first = i;
  for (; i < glob.length; i++) {
    if (glob[i] === "]" && i > first) break;
    const low = glob.charCodeAt(i);
    if (glob[i + 1] === "-" && i + 2 < glob.length && glob[i + 2] !== "]") {
      ranges.push(low, glob.charCodeAt(i + 2));
      i += 2;
    } else ranges.push(low, low);
  }
  if (i >= glob.length) return undefined;
  const test = (c: number) => {
    let hit = false;
    for (let k = 0; k < ranges.length && !hit; k += 2) hit = c >= ranges[k] && c <= ranges[k + 1];
    return hit !== negate;
  };
  return { test, end: i };
}

/**
 * What an observer matches by name: exact names and globs (none of either: every name).
 * Checking a name costs a set lookup and, for each glob, time linear in the name.
 */
export class NameMatcher {
  /** Every name. */
  readonly all: boolean;
  /** The exact names. */
  readonly names: ReadonlySet<string>;
  /** The globs. */
  readonly globs: readonly Glob[];

  #memo = new Map<string, boolean>();

  /**
   * @param patterns names and globs; none, or `*` among them, match every name.
   * @throws {RangeError} when the globs together are longer than {@linkcode MAX_GLOB_LENGTH}.
   */
  constructor(patterns: readonly string[]) {
    const exact = new Set<string>();
    const globs: Glob[] = [];
    let length = 0;
    for (const p of patterns) {
      if (!isGlob(p)) exact.add(p);
      else if ((length += p.length) > MAX_GLOB_LENGTH) {
        throw new RangeError(
          `an observer's globs are at most ${MAX_GLOB_LENGTH} characters in all`,
        );
      } else globs.push(new Glob(p));
    }
    this.all = patterns.length === 0 || globs.some((g) => g.source === "*");
    this.names = exact;
    this.globs = this.all ? [] : globs;
  }

  /** Whether `name` matches. */
  matches(name: string): boolean {
    if (this.all || this.names.has(name)) return true;
    if (this.globs.length === 0) return false;
    let hit = this.#memo.get(name);
    if (hit === undefined) {
      hit = false;
      for (const glob of this.globs) if ((hit = glob.matches(name))) break;
      if (this.#memo.size >= MEMO_SIZE) this.#memo.clear();
      this.#memo.set(name, hit);
    }
    return hit;
  }
}
