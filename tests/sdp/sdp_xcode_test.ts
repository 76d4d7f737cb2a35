/**
 * Compares `ipckit sdp` on `real/Xcode.sdef` with Apple's `sdp -fh --basename Xcode` output for
 * the same file (`sdp-reference/Xcode.h`): every enumeration and enumerator, class, property
 * (with its read-only mark), element and command of the header has its counterpart in ours.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readDictionary } from "../../lib/sdef/mod.ts";
import { generateBridge, pascalCase } from "../../lib/sdp/mod.ts";
import { REAL_DIR, realDataTest, SDEF_DATA } from "./_sdp_testdata.ts";

/** What Apple's header declares. */
interface Header {
  enums: Map<string, Map<string, string>>; // enum → constant name → code
  classes: Map<string, HeaderClass>;
  genericMethods: HeaderMethod[];
}
interface HeaderClass {
  superclass?: string;
  properties: Map<string, boolean>; // name → read-only
  elements: Map<string, string>; // accessor → element class
  methods: HeaderMethod[];
}
interface HeaderMethod {
  selector: string;
  name: string;
  direct: boolean;
  params: string[];
}

function parseMethod(decl: string): HeaderMethod {
  // closeSaving:(XcodeSaveOptions)saving savingIn:(NSURL *)savingIn
  const parts = [...decl.matchAll(/(\w+):\(([^)]*)\)(\w+)/g)];
  if (parts.length === 0) return { selector: decl, name: decl, direct: false, params: [] };
  const [first, ...rest] = parts;
  const [, label, , arg] = first;
  const direct = arg === "x";
  const name = direct
    ? label
    : label.endsWith(pascalCase(arg))
    ? label.slice(0, label.length - arg.length)
    : label;
  return {
    selector: decl,
    name,
    direct,
    params: [...(direct ? [] : [arg]), ...rest.map((p) => p[3])],
  };
}

function parseHeader(text: string): Header {
  const header: Header = { enums: new Map(), classes: new Map(), genericMethods: [] };
  for (const m of text.matchAll(/enum (\w+) \{([\s\S]*?)\};/g)) {
    const consts = new Map<string, string>();
    for (const c of m[2].matchAll(/(\w+) = '([^']{4})'/g)) consts.set(c[1], c[2]);
    header.enums.set(m[1], consts);
  }
  for (
    const block of text.matchAll(
      /@(interface|protocol) (\w+)(?: : (\w+))?(?: \((\w+)\))?[^\n]*\n([\s\S]*?)\n@end/g,
    )
  ) {
    const [, kind, name, superclass, , body] = block;
    const methods: HeaderMethod[] = [];
    let cls: HeaderClass | undefined;
    if (kind === "interface") {
      cls = header.classes.get(name);
      if (!cls) {
        cls = { superclass, properties: new Map(), elements: new Map(), methods: [] };
        header.classes.set(name, cls);
      }
      if (superclass && !cls.superclass) cls.superclass = superclass;
    }
    for (const line of body.split("\n")) {
      const prop = /^@property (?:\(([^)]*)\) )?[\w<> *]*?\*?(\w+);/.exec(line);
      if (prop && cls) {
        cls.properties.set(prop[2], (prop[1] ?? "").includes("readonly"));
        continue;
      }
      const elements = /^- \(SBElementArray<(\w+) \*> \*\) (\w+);/.exec(line);
      if (elements && cls) {
        cls.elements.set(elements[2], elements[1]);
        continue;
      }
      const method = /^- \([^)]*\) ([^;]+);/.exec(line);
      if (!method) continue;
      if (method[1] === "id" && cls) {
        cls.properties.set("id", true); // sdp writes a read-only id as a method
        continue;
      }
      methods.push(parseMethod(method[1]));
    }
    if (cls) cls.methods.push(...methods);
    else header.genericMethods.push(...methods);
  }
  return header;
}

/** What our module declares. */
interface Ours {
  enums: Map<string, Map<string, string>>; // enum type → term → code
  interfaces: Map<string, OurInterface>;
}
interface OurInterface {
  parent?: string;
  properties: Map<string, boolean>; // key → read-only
  elements: Map<string, string>;
  methods: Map<string, { direct: boolean; params: string[] }>;
}

function parseOurs(code: string): Ours {
  const ours: Ours = { enums: new Map(), interfaces: new Map() };
  for (const m of code.matchAll(/export interface (\w+)Codes \{\n([\s\S]*?)\n\}/g)) {
    const terms = new Map<string, string>();
    for (const t of m[2].matchAll(/readonly ("[^"]*"|\w+): "(.{4})";/g)) {
      terms.set(t[1].startsWith('"') ? JSON.parse(t[1]) : t[1], t[2]);
    }
    ours.enums.set(m[1], terms);
  }
  for (
    const m of code.matchAll(/export interface (\w+) extends ([^{]+) \{(?:\}|\n([\s\S]*?)\n\})\n/g)
  ) {
    const parent = /^(?:Omit<)?(\w+)/.exec(m[2])![1];
    const iface: OurInterface = {
      parent: parent === "Specifier" ? undefined : parent,
      properties: new Map(),
      elements: new Map(),
      methods: new Map(),
    };
    const body = m[3] ?? "";
    for (
      const p of body.matchAll(
        /^ {2}readonly (\w+): (ReadonlyProperty|Property|ReadonlyObjectProperty|ObjectProperty|Elements)<(\w+)/gm,
      )
    ) {
      if (p[2] === "Elements") iface.elements.set(p[1], p[3]);
      else iface.properties.set(p[1], p[2].startsWith("Readonly"));
    }
    for (const c of body.matchAll(/^ {2}(\w+)\(([\s\S]*?)\): Promise<[^\n]*;$/gm)) {
      const params = [...c[2].matchAll(/^ {4}(\w+)\??:/gm)].map((x) => x[1]);
      iface.methods.set(c[1], { direct: c[2].startsWith("directParameter"), params });
    }
    ours.interfaces.set(m[1], iface);
  }
  return ours;
}

/** An interface's members with its ancestors', nearest first. */
function lineage(ours: Ours, name: string): OurInterface[] {
  const out: OurInterface[] = [];
  for (
    let i = ours.interfaces.get(name);
    i;
    i = i.parent ? ours.interfaces.get(i.parent) : undefined
  ) {
    out.push(i);
  }
  return out;
}

Deno.test(realDataTest({
  name: "the Xcode bridge has a counterpart for everything in Apple's sdp output for Xcode.sdef",
  async fn() {
    const header = parseHeader(await Deno.readTextFile(`${SDEF_DATA}sdp-reference/Xcode.h`));
    const dict = await readDictionary(`${REAL_DIR}Xcode.sdef`);
    const ours = parseOurs(generateBridge(dict, { basename: "Xcode", source: "Xcode.sdef" }));
    const missing: string[] = [];
    let compared = 0;

    // The header has what we expect to compare, so the test cannot pass by parsing nothing.
    assert.equal(header.enums.size, 2);
    assert.equal(header.classes.size, 21);
    assert.ok(header.genericMethods.length >= 10);

    for (const [enumName, consts] of header.enums) {
      const terms = ours.enums.get(enumName);
      if (!terms) {
        missing.push(`enumeration ${enumName}`);
        continue;
      }
      for (const [constName, code] of consts) {
        compared++;
        const term = [...terms].find(([t, c]) =>
          c === code && enumName + pascalCase(t) === constName
        );
        if (!term) missing.push(`enumerator ${constName} = '${code}'`);
      }
    }

    for (const [className, cls] of header.classes) {
      const ifaces = lineage(ours, className);
      if (ifaces.length === 0) {
        missing.push(`class ${className}`);
        continue;
      }
      if (cls.superclass && !cls.superclass.startsWith("SB")) {
        compared++;
        if (ifaces[0].parent !== cls.superclass) {
          missing.push(`${className} extends ${cls.superclass}`);
        }
      }
      for (const [prop, readonly] of cls.properties) {
        compared++;
        const own = ifaces.find((i) => i.properties.has(prop));
        if (!own) missing.push(`property ${className}.${prop}`);
        else if (own.properties.get(prop) !== readonly) {
          missing.push(
            `property ${className}.${prop} should be ${readonly ? "read-only" : "settable"}`,
          );
        }
      }
      for (const [accessor, elementClass] of cls.elements) {
        compared++;
        const own = ifaces.find((i) => i.elements.has(accessor));
        if (!own) missing.push(`element ${className}.${accessor}`);
        else if (own.elements.get(accessor) !== elementClass) {
          missing.push(`element ${className}.${accessor} should hold ${elementClass}`);
        }
      }
      for (const method of cls.methods) {
        compared++;
        const own = ifaces.find((i) => i.methods.has(method.name))?.methods.get(method.name);
        if (!own) missing.push(`command ${className} ${method.selector}`);
        else {
          if (method.direct && !own.direct) missing.push(`${method.selector}: no direct parameter`);
          for (const p of method.params) {
            if (!own.params.includes(p)) missing.push(`${method.selector}: no parameter ${p}`);
          }
        }
      }
    }

    // The generic methods (sent to objects): some class of ours has each, with its parameters.
    for (const method of header.genericMethods) {
      compared++;
      const owners = [...ours.interfaces.values()].filter((i) => i.methods.has(method.name));
      if (owners.length === 0) {
        missing.push(`command ${method.selector}`);
        continue;
      }
      for (const p of method.params) {
        if (!owners.some((o) => o.methods.get(method.name)!.params.includes(p))) {
          missing.push(`${method.selector}: no parameter ${p}`);
        }
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(compared > 100, `compared only ${compared} declarations`);
  },
}));
