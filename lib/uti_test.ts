import assert from "node:assert/strict";
import {
  ancestorsOf,
  conformsTo,
  declareType,
  extensionsOf,
  isDynamic,
  mimeTypesOf,
  normalizeType,
  parentsOf,
  preferredMimeType,
  utiForExtension,
  utiForMime,
  utiForPath,
} from "./uti.ts";

Deno.test("conformance is a graph: public.png is an image, data and content", () => {
  assert.deepEqual(parentsOf("public.png"), ["public.image"]);
  assert.ok(conformsTo("public.png", "public.image"));
  assert.ok(conformsTo("public.png", "public.data"));
  assert.ok(conformsTo("public.png", "public.content"));
  assert.ok(conformsTo("public.svg-image", "public.xml"));
  assert.ok(conformsTo("public.svg-image", "public.image"));
  assert.ok(!conformsTo("public.png", "public.text"));
  assert.ok(ancestorsOf("public.utf8-plain-text").includes("public.item"));
});

Deno.test("MIME types with charset parameters map to the right text type", () => {
  assert.equal(normalizeType("text/plain"), "public.plain-text");
  assert.equal(normalizeType("text/plain;charset=utf-8"), "public.utf8-plain-text");
  assert.equal(normalizeType('text/plain; charset="UTF-8"'), "public.utf8-plain-text");
  assert.equal(normalizeType("TEXT/PLAIN; Charset=utf8"), "public.utf8-plain-text");
  assert.equal(normalizeType("text/plain;charset=utf-16"), "public.utf16-external-plain-text");
  assert.equal(normalizeType("text/html; charset=utf-8"), "public.html");
  assert.ok(conformsTo(normalizeType("text/plain;charset=utf-8"), normalizeType("text/plain")));
});

Deno.test("lookups both ways: UTI → MIME and MIME → UTI", () => {
  assert.equal(preferredMimeType("public.png"), "image/png");
  assert.equal(utiForMime("image/png"), "public.png");
  assert.equal(preferredMimeType("public.utf8-plain-text"), "text/plain;charset=utf-8");
  assert.deepEqual(mimeTypesOf("public.rtf"), ["text/rtf", "application/rtf"]);
  assert.equal(normalizeType("public.html"), "public.html");
  assert.equal(preferredMimeType("public.data"), undefined);
});

Deno.test("unknown MIME types get dynamic identifiers that turn back into them", () => {
  const uti = normalizeType("application/x-foo+json");
  assert.ok(isDynamic(uti));
  assert.match(uti, /^dyn\.mime\.application\.[A-Za-z0-9.-]+$/);
  assert.deepEqual(mimeTypesOf(uti), ["application/x-foo+json"]);
  assert.ok(conformsTo(uti, "public.json"));
  assert.ok(conformsTo(normalizeType("image/x-fancy"), "public.image"));
  assert.ok(conformsTo(normalizeType("application/x-thing"), "public.data"));
  assert.ok(!conformsTo(normalizeType("application/x-thing"), "public.text"));
});

Deno.test("bad types are TypeErrors", () => {
  assert.throws(() => normalizeType("not a type"), TypeError);
  assert.throws(() => normalizeType("text/"), TypeError);
  assert.throws(() => normalizeType("png"), TypeError);
});

Deno.test("file extensions come from mime-db, both ways", async () => {
  assert.equal(await utiForExtension("png"), "public.png");
  assert.equal(await utiForExtension(".HTML"), "public.html");
  assert.equal(await utiForExtension("txt"), "public.plain-text");
  assert.equal(await utiForExtension("rtf"), "public.rtf");
  assert.equal(await utiForExtension("ps"), "com.adobe.postscript");
  assert.equal(await utiForExtension("nosuchextension"), undefined);
  assert.equal(await utiForPath("/tmp/a.b/photo.JPG"), "public.jpeg");
  assert.equal(await utiForPath("/tmp/Makefile"), undefined);
  assert.ok((await extensionsOf("public.jpeg")).includes("jpg"));
  assert.ok((await extensionsOf("public.html")).includes("html"));
});

Deno.test("declareType() adds app types; bad declarations are refused", () => {
  declareType({
    identifier: "com.example.recipe",
    conformsTo: ["public.json"],
    mimeTypes: ["application/vnd.example.recipe+json"],
  });
  assert.equal(normalizeType("application/vnd.example.recipe+json"), "com.example.recipe");
  assert.ok(conformsTo("com.example.recipe", "public.text"));
  assert.throws(() => declareType({ identifier: "com.example.recipe" }), TypeError);
  assert.throws(() => declareType({ identifier: "bad id" }), TypeError);
  assert.throws(
    () => declareType({ identifier: "com.example.x", conformsTo: ["com.example.missing"] }),
    TypeError,
  );
});
