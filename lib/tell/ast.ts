/**
 * The syntax tree of a `tell` script. Every node carries its place in the script (`start`,
 * `end`: character offsets), which execution errors report as osascript does.
 *
 * @module
 */

/** A place in the script. */
export interface Node {
  /** Offset of the first character. */
  readonly start: number;
  /** Offset after the last character. */
  readonly end: number;
}

/** A term as compiled: its name, its code, and whether an app's definition gave it. */
export interface Term {
  /** The name as defined. */
  readonly name: string;
  /** The four-character code. */
  readonly code: string;
  /** The app's name when an app's definition gave it; `undefined` for AppleScript's own. */
  readonly app?: string;
}

/** The forms of an element reference. */
export type ElementForm =
  | "key" // index or name, by the key's type at run time
  | "index"
  | "name"
  | "id"
  | "every"
  | "ordinal"
  | "range"
  | "relative";

/** An expression. */
export type Expr =
  | Literal
  | ListExpr
  | RecordExpr
  | VarExpr
  | BinaryExpr
  | UnaryExpr
  | CoerceExpr
  | PropertyExpr
  | ElementExpr
  | FilterExpr
  | InsertionExpr
  | ItExpr
  | MeExpr
  | AppExpr
  | CommandExpr
  | CallExpr
  | ClassExpr
  | ConstantExpr
  | RefToExpr
  | ObjectLiteral
  | AppleScriptExpr;

/** A literal text, number, boolean or `missing value`. */
export interface Literal extends Node {
  readonly type: "literal";
  readonly value: string | number | boolean | null;
  /** Whether a number was written as a real. */
  readonly real?: boolean;
}

/** `{a, b}`. */
export interface ListExpr extends Node {
  readonly type: "list";
  readonly items: Expr[];
}

/** `{name:"x", size:3}`. */
export interface RecordExpr extends Node {
  readonly type: "record";
  readonly fields: { key: RecordKey; value: Expr }[];
}

/** A record's key: a user label, or a property term of an app or AppleScript. */
export interface RecordKey {
  /** The label as written, in lower case (a term's name as defined). */
  readonly name: string;
  /** A property term's code; `undefined` for a user label. */
  readonly code?: string;
}

/** A variable. */
export interface VarExpr extends Node {
  readonly type: "var";
  readonly name: string;
}

/** The binary operators. */
export type BinaryOp =
  | "or"
  | "and"
  | "="
  | "≠"
  | "<"
  | ">"
  | "≤"
  | "≥"
  | "contains"
  | "does not contain"
  | "is in"
  | "is not in"
  | "starts with"
  | "ends with"
  | "does not start with"
  | "does not end with"
  | "&"
  | "+"
  | "-"
  | "*"
  | "/"
  | "div"
  | "mod"
  | "^";

/** `a op b`. */
export interface BinaryExpr extends Node {
  readonly type: "binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** `-a`, `not a`. */
export interface UnaryExpr extends Node {
  readonly type: "unary";
  readonly op: "-" | "+" | "not";
  readonly operand: Expr;
}

/** `a as text`. */
export interface CoerceExpr extends Node {
  readonly type: "coerce";
  readonly value: Expr;
  readonly to: Expr;
}

/** `name`, `name of x`, `x's name`, a user record label (`foo of r`). */
export interface PropertyExpr extends Node {
  readonly type: "property";
  /** The term; a user label has no code. */
  readonly term: Term;
  of?: Expr;
}

/** `note 1`, `every note`, `first note`, `notes 2 thru 3`, `note id x`. */
export interface ElementExpr extends Node {
  readonly type: "element";
  readonly cls: Term;
  readonly form: ElementForm;
  /** The key: index, name, id, range start, relative's object. */
  readonly key?: Expr;
  /** A range's end. */
  readonly key2?: Expr;
  /** An ordinal (`first`, `last`, `middle`, `some`) or a relative position. */
  readonly ordinal?: "first" | "last" | "middle" | "some" | "before" | "after" | number;
  of?: Expr;
}

/** `every note whose body contains "x"`: a reference with a test. */
export interface FilterExpr extends Node {
  readonly type: "filter";
  readonly ref: ElementExpr;
  readonly test: Expr;
}

/** `beginning of x`, `end of x`, `before x`, `after x`. */
export interface InsertionExpr extends Node {
  readonly type: "insertion";
  readonly position: "beginning" | "end" | "before" | "after";
  of?: Expr;
}

/** `it`, the object being examined or the tell target. */
export interface ItExpr extends Node {
  readonly type: "it";
}

/** `me`, the script. */
export interface MeExpr extends Node {
  readonly type: "me";
}

/** `AppleScript`, the language's own object (`AppleScript's text item delimiters`). */
export interface AppleScriptExpr extends Node {
  readonly type: "applescript";
}

/** `application "Notes"`, `application id "com.example.notes"`. */
export interface AppExpr extends Node {
  readonly type: "application";
  readonly by: "name" | "id";
  readonly value: Expr;
}

/** A labelled parameter of a command. */
export interface CommandParam {
  /** The label as defined. */
  readonly label: string;
  /** Its four-character code. */
  readonly code: string;
  /** Its value. */
  readonly value: Expr;
}

/** A command: `make new note at f with properties {…}`, `count x`, `quit saving no`. */
export interface CommandExpr extends Node {
  readonly type: "command";
  /** The command's term; its code has eight characters. */
  readonly term: Term;
  readonly direct?: Expr;
  readonly params: CommandParam[];
}

/** A handler call: `f(a, b)`, `my f()`. */
export interface CallExpr extends Node {
  readonly type: "call";
  readonly name: string;
  readonly args: Expr[];
  /** Whether it was written `my f()` or `f() of me`. */
  readonly my: boolean;
}

/** A class as a value: `note`, `text`, `«class docu»`. */
export interface ClassExpr extends Node {
  readonly type: "class";
  readonly term: Term;
}

/** An enumerator constant: `yes`, `no`, an app's enumerators. */
export interface ConstantExpr extends Node {
  readonly type: "constant";
  readonly term: Term;
}

/** `a reference to x`. */
export interface RefToExpr extends Node {
  readonly type: "refto";
  readonly target: Expr;
}

/** `date "…"`, `POSIX file "…"`, `file "…"`, `alias "…"`. */
export interface ObjectLiteral extends Node {
  readonly type: "object";
  readonly kind: "date" | "POSIX file" | "file" | "alias";
  readonly value: Expr;
}

/** A statement. */
export type Stmt =
  | TellStmt
  | IfStmt
  | RepeatStmt
  | ExitStmt
  | ReturnStmt
  | ErrorStmt
  | TryStmt
  | SetStmt
  | DeclareStmt
  | LogStmt
  | BlockStmt
  | ExprStmt;

/** `tell x … end tell`, `tell x to …`. */
export interface TellStmt extends Node {
  readonly kind: "tell";
  readonly target: Expr;
  readonly body: Stmt[];
  /** The app whose terms the body compiled against. */
  readonly app?: string;
}

/** `if … then … else if … else … end if`. */
export interface IfStmt extends Node {
  readonly kind: "if";
  readonly branches: { cond: Expr; body: Stmt[] }[];
  readonly otherwise?: Stmt[];
}

/** Every `repeat` form. */
export interface RepeatStmt extends Node {
  readonly kind: "repeat";
  readonly form: "forever" | "times" | "while" | "until" | "from" | "in";
  /** The count (`times`), the condition (`while`, `until`), the list (`in`), the start (`from`). */
  readonly expr?: Expr;
  /** `to` of `from`. */
  readonly to?: Expr;
  /** `by` of `from`. */
  readonly by?: Expr;
  /** The loop variable. */
  readonly variable?: string;
  readonly body: Stmt[];
}

/** `exit repeat`. */
export interface ExitStmt extends Node {
  readonly kind: "exit";
}

/** `return x`. */
export interface ReturnStmt extends Node {
  readonly kind: "return";
  readonly value?: Expr;
}

/** `error "msg" number n`. */
export interface ErrorStmt extends Node {
  readonly kind: "error";
  readonly message?: Expr;
  readonly number?: Expr;
  readonly from?: Expr;
  readonly partial?: Expr;
}

/** `try … on error msg number n … end try`. */
export interface TryStmt extends Node {
  readonly kind: "try";
  readonly body: Stmt[];
  readonly messageVar?: string;
  readonly numberVar?: string;
  readonly fromVar?: string;
  readonly handler?: Stmt[];
}

/** `set a to b`, `copy b to a`. */
export interface SetStmt extends Node {
  readonly kind: "set" | "copy";
  readonly target: Expr;
  readonly value: Expr;
}

/** `global a`, `local a`, `property p : v`. */
export interface DeclareStmt extends Node {
  readonly kind: "global" | "local" | "property";
  readonly names: string[];
  readonly value?: Expr;
}

/** `log x`. */
export interface LogStmt extends Node {
  readonly kind: "log";
  readonly value: Expr;
}

/** `considering`/`ignoring` attributes, `with timeout`, `using terms from`: a block with a mode. */
export interface BlockStmt extends Node {
  readonly kind: "considering" | "ignoring" | "timeout" | "terms";
  /** The attributes considered or ignored (`case`, `application responses`). */
  readonly attributes?: string[];
  /** The timeout in seconds. */
  readonly seconds?: Expr;
  readonly body: Stmt[];
}

/** An expression as a statement (a command, mostly). */
export interface ExprStmt extends Node {
  readonly kind: "expr";
  readonly expr: Expr;
}

/** `on f(a, b) … end f`, `on run argv`. */
export interface Handler extends Node {
  readonly name: string;
  readonly params: string[];
  /** `on run argv`: the one parameter takes the script's arguments. */
  readonly body: Stmt[];
}

/** A compiled script. */
export interface Script {
  /** The script's text. */
  readonly source: string;
  /** The implicit run handler's statements. */
  readonly body: Stmt[];
  /** The handlers, by lower-case name (`run` when the script has an explicit one). */
  readonly handlers: Map<string, Handler>;
  /** The properties, in order. */
  readonly properties: DeclareStmt[];
}
