import assert from "node:assert/strict";
import { parseSdef } from "./parse.ts";
import { SdefSyntaxError, type SdefWarning } from "./errors.ts";
import { expandIncludes, MAX_DEFINITION_BYTES, readDefinitionFile } from "./xinclude.ts";
import { loadXmlParser, parseXml, type XmlElement } from "./xml.ts";

/** Reads files from a map instead of the disk. */
function files(map: Record<string, string>): (path: string) => Promise<string> {
  return (path) => {
    const text = map[path];
    if (text === undefined) return Promise.reject(new Deno.errors.NotFound(path));
    return Promise.resolve(text);
  };
}

const SHARED = `<dictionary><suite name="Shared" code="shrd">
  <command name="open" code="aevtodoc"/>
  <command name="save" code="coresave"/>
  <class name="window" code="cwin"/>
</suite></dictionary>`;

function includer(ns: string, href: string, pointer = "xpointer(/dictionary/suite)"): string {
  return `<dictionary xmlns:xi="${ns}">
  <xi:include href="${href}" xpointer="${pointer}"/>
  <suite name="Own" code="own ">
    <xi:include href="${href}" xpointer="xpointer(/dictionary/suite/node()[not(self::command and @name = 'save')])"/>
    <class name="thing" code="thng"/>
  </suite>
</dictionary>`;
}

for (const ns of ["http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude"]) {
  Deno.test(`xi:include in the ${ns.slice(-12, -9)} namespace includes suites and filtered nodes`, async () => {
    const dict = await parseSdef(includer(ns, "shared.sdef"), {
      file: "/defs/app.sdef",
      readFile: files({ "/defs/shared.sdef": SHARED }),
    });
    assert.deepEqual(dict.suites.map((s) => s.name), ["Shared", "Own"]);
    assert.deepEqual(dict.suites[1].commands.map((c) => c.name), ["open"]);
    assert.deepEqual(dict.suites[1].classes.map((c) => c.name), ["window", "thing"]);
    // Included elements keep their own file for messages.
    assert.equal(dict.suites[0].position.file, "/defs/shared.sdef");
  });
}

Deno.test("xi:include resolves file:// and file://localhost hrefs", async () => {
  for (const href of ["file:///lib/shared.sdef", "file://localhost/lib/shared.sdef"]) {
    const dict = await parseSdef(includer("http://www.w3.org/2003/XInclude", href), {
      file: "/defs/app.sdef",
      readFile: files({ "/lib/shared.sdef": SHARED }),
    });
    assert.equal(dict.suites[0].name, "Shared", href);
  }
});

Deno.test("the macOS standard suite path maps to the standard suite ipckit ships", async () => {
  const text = includer(
    "http://www.w3.org/2001/XInclude",
    "file:///System/Library/ScriptingDefinitions/CocoaStandard.sdef",
  );
  const dict = await parseSdef(text, { file: "app.sdef" });
  const standard = dict.suites[0];
  assert.equal(standard.name, "Standard Suite");
  assert.equal(standard.code, "????");
  assert.deepEqual(standard.classes.map((c) => [c.name, c.code]), [
    ["application", "capp"],
    ["document", "docu"],
    ["window", "cwin"],
  ]);
  assert.deepEqual(
    standard.commands.map((c) => c.code),
    [
      "aevtodoc",
      "coreclos",
      "coresave",
      "aevtpdoc",
      "aevtquit",
      "corecnte",
      "coredelo",
      "coreclon",
      "coredoex",
      "corecrel",
      "coremove",
    ],
  );
  assert.ok(!dict.suites[1].commands.some((c) => c.name === "save"));
});

Deno.test("an include that cannot be found is a warning, and the rest still works", async () => {
  const warnings: SdefWarning[] = [];
  const dict = await parseSdef(includer("http://www.w3.org/2003/XInclude", "gone.sdef"), {
    file: "/defs/app.sdef",
    readFile: files({}),
    onWarning: (w) => warnings.push(w),
  });
  assert.deepEqual(dict.suites.map((s) => s.name), ["Own"]);
  assert.deepEqual(dict.suites[0].classes.map((c) => c.name), ["thing"]);
  assert.equal(warnings.length, 2);
  assert.match(
    warnings[0].message,
    /include of "gone.sdef" skipped: cannot read \/defs\/gone.sdef: no such file/,
  );
  assert.deepEqual([warnings[0].position.line, warnings[0].position.column], [2, 3]);
});

Deno.test("an include of a device or a huge file is a warning, never a read without end", async () => {
  const warnings: SdefWarning[] = [];
  const dict = await parseSdef(includer("http://www.w3.org/2003/XInclude", "/dev/zero"), {
    file: "/defs/app.sdef",
    onWarning: (w) => warnings.push(w),
  });
  assert.deepEqual(dict.suites.map((s) => s.name), ["Own"]);
  assert.match(
    warnings[0].message,
    /include of "\/dev\/zero" skipped: cannot read \/dev\/zero: it is not a regular file/,
  );
  const big = await Deno.makeTempFile({ suffix: ".sdef" });
  try {
    await Deno.truncate(big, MAX_DEFINITION_BYTES + 1);
    await assert.rejects(readDefinitionFile(big), /it holds over 16 MiB/);
  } finally {
    await Deno.remove(big);
  }
});

Deno.test("xi:fallback stands in for an include that cannot be read", async () => {
  const text = `<dictionary xmlns:xi="http://www.w3.org/2001/XInclude">
    <xi:include href="gone.sdef"><xi:fallback><suite name="Fallback" code="fall"/></xi:fallback></xi:include>
  </dictionary>`;
  const dict = await parseSdef(text, { file: "/a.sdef", readFile: files({}) });
  assert.deepEqual(dict.suites.map((s) => s.name), ["Fallback"]);
});

Deno.test("an include cycle is an error that names the files", async () => {
  const a = `<dictionary xmlns:xi="http://www.w3.org/2003/XInclude">
  <xi:include href="b.sdef" xpointer="xpointer(/dictionary/suite)"/>
</dictionary>`;
  const b = `<dictionary xmlns:xi="http://www.w3.org/2003/XInclude">
  <suite name="B" code="bbbb"><xi:include href="a.sdef"/></suite>
</dictionary>`;
  await assert.rejects(
    parseSdef(a, { file: "/x/a.sdef", readFile: files({ "/x/a.sdef": a, "/x/b.sdef": b }) }),
    (e: unknown) => {
      assert.ok(e instanceof SdefSyntaxError);
      assert.equal(e.file, "/x/b.sdef");
      assert.equal(e.line, 2);
      assert.match(e.message, /include cycle: \/x\/a.sdef → \/x\/b.sdef → \/x\/a.sdef/);
      return true;
    },
  );
});

Deno.test("a file may include part of itself once without a cycle error", async () => {
  const text = `<dictionary xmlns:xi="http://www.w3.org/2003/XInclude">
  <suite name="A" code="aaaa"><class name="x" code="xxxx" id="x"/></suite>
  <suite name="B" code="bbbb"><xi:include xpointer="element(x)"/></suite>
</dictionary>`;
  const dict = await parseSdef(text, { file: "/self.sdef" });
  assert.deepEqual(dict.suites[1].classes.map((c) => c.name), ["x"]);
});

Deno.test('parse="text" includes a file\'s text', async () => {
  const text = `<dictionary xmlns:xi="http://www.w3.org/2003/XInclude"><suite name="A" code="aaaa">
    <documentation><xi:include href="doc.txt" parse="text"/></documentation></suite></dictionary>`;
  const dict = await parseSdef(text, {
    file: "/d/a.sdef",
    readFile: files({ "/d/doc.txt": "Read me." }),
  });
  assert.deepEqual(dict.suites[0].documentation, ["Read me."]);
});

Deno.test("a bad xpointer is an error at the include", async () => {
  const text = `<dictionary xmlns:xi="http://www.w3.org/2003/XInclude">
  <xi:include href="s.sdef" xpointer="xpointer(/dictionary/suite[)"/></dictionary>`;
  await assert.rejects(
    parseSdef(text, { file: "/a.sdef", readFile: files({ "/s.sdef": SHARED }) }),
    /\/a.sdef:2:3: bad xpointer/,
  );
});

Deno.test("an include that selects what contains it is an include cycle, not a stack overflow", async () => {
  for (const href of ["", ' href=""', ' href="self.sdef"']) {
    const text = `<dictionary xmlns:xi="http://www.w3.org/2003/XInclude">
  <suite name="A" code="aaaa"><xi:include${href} xpointer="xpointer(/dictionary/suite)"/></suite>
</dictionary>`;
    await assert.rejects(
      parseSdef(text, { file: "/x/self.sdef", readFile: files({ "/x/self.sdef": text }) }),
      (e: unknown) => {
        assert.ok(e instanceof SdefSyntaxError, String(e));
        assert.deepEqual([e.file, e.line, e.column], ["/x/self.sdef", 2, 31]);
        assert.match(e.reason, /^include cycle: /);
        return true;
      },
      href,
    );
  }
});

/** A definition whose includes multiply: `levels` levels of `width` includes of the next. */
function includeBomb(levels: number, width: number): string {
  const include = (k: number) => `<xi:include xpointer="element(l${k})"/>`;
  const parts = [
    `<dictionary xmlns:xi="http://www.w3.org/2003/XInclude"><suite name="S" code="ssss">`,
    `<class name="top" code="TTTT">${include(1)}</class>`,
  ];
  for (let k = 1; k <= levels; k++) {
    const body = k < levels
      ? include(k + 1).repeat(width)
      : `<property name="p" code="pppp" type="text"/>`;
    parts.push(`<class-extension id="l${k}" extends="top">${body}</class-extension>`);
  }
  return parts.join("\n") + "</suite></dictionary>";
}

Deno.test("includes that multiply a small file stop at the node limit, with an error at the include", async () => {
  // The limit is an option (checked first: without one, the bomb below runs out of memory).
  const small = includeBomb(3, 10);
  await assert.rejects(
    parseSdef(small, { file: "/small.sdef", maxIncludedNodes: 300 }),
    /past 300 nodes/,
  );
  await loadXmlParser();
  const expanded = await expandIncludes(parseXml(small, "/small.sdef"), "/small.sdef");
  const count = (el: XmlElement): number =>
    (el.name === "property" ? 1 : 0) +
    el.children.reduce((n, c) => n + (typeof c === "string" ? 0 : count(c)), 0);
  // The level-3 property: in "top" (1 × 10 × 10), in l1 as written (10 × 10), l2 (10), l3 (1).
  assert.equal(count(expanded), 100 + 100 + 10 + 1);
  // 8 levels of 10: 10^8 copies, once 289 s and 4.36 GB until out of memory.
  const bomb = includeBomb(8, 10);
  assert.ok(bomb.length < 4096);
  await assert.rejects(
    parseSdef(bomb, { file: "/bomb.sdef" }),
    /\/bomb\.sdef:\d+:\d+: xi:include expands the definition past 1000000 nodes/,
  );
});

Deno.test("includes nested deeper than the limit are an error", async () => {
  const map: Record<string, string> = {};
  for (let i = 0; i < 20; i++) {
    map[`/d/f${i}.sdef`] = `<dictionary xmlns:xi="http://www.w3.org/2003/XInclude">` +
      `<suite name="S${i}" code="s${String(i).padStart(3, "0")}"/>` +
      `<xi:include href="f${i + 1}.sdef" xpointer="xpointer(/dictionary/*)"/></dictionary>`;
  }
  map["/d/f20.sdef"] = `<dictionary/>`;
  await assert.rejects(
    parseSdef(map["/d/f0.sdef"], { file: "/d/f0.sdef", readFile: files(map) }),
    (e: unknown) => {
      assert.ok(e instanceof SdefSyntaxError, String(e));
      // f0's include is the first; f16's would be the seventeenth, one inside another.
      assert.equal(e.file, "/d/f16.sdef");
      assert.match(e.reason, /^xi:include nested more than 16 deep/);
      return true;
    },
  );
  const dict = await parseSdef(map["/d/f0.sdef"], {
    file: "/d/f0.sdef",
    readFile: files(map),
    maxIncludeDepth: 32,
  });
  assert.equal(dict.suites.length, 20);
});

Deno.test('parse="text" reads only files in the definition\'s folder or below', async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit_xinclude_" });
  try {
    await Deno.mkdir(`${dir}/defs/docs`, { recursive: true });
    await Deno.writeTextFile(`${dir}/defs/docs/intro.txt`, "Read me.");
    await Deno.writeTextFile(`${dir}/secret.txt`, "not for a definition");
    await Deno.symlink(`${dir}/secret.txt`, `${dir}/defs/docs/link.txt`);
    const definition = (href: string) =>
      `<dictionary xmlns:xi="http://www.w3.org/2003/XInclude"><suite name="A" code="aaaa">
    <documentation><xi:include href="${href}" parse="text"/></documentation></suite></dictionary>`;
    const file = `${dir}/defs/app.sdef`;
    const dict = await parseSdef(definition("docs/intro.txt"), { file });
    assert.deepEqual(dict.suites[0].documentation, ["Read me."]);
    for (
      const href of ["../secret.txt", `file://${dir}/secret.txt`, "/etc/hostname", "docs/link.txt"]
    ) {
      await assert.rejects(
        parseSdef(definition(href), { file }),
        (e: unknown) => {
          assert.ok(e instanceof SdefSyntaxError, `${href}: ${e}`);
          assert.deepEqual([e.line, e.column], [2, 20], href);
          assert.match(
            e.reason,
            /^xi:include parse="text" of .*: text is included only from the definition's folder/,
          );
          return true;
        },
        href,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
