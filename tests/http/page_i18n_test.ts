// The status page speaks English and Ukrainian completely: every word a view adds exists in both,
// and every literal key the client code asks for exists.

import assert from "node:assert/strict";
import { missingTexts, pickLang, texts } from "../../src/http/page/client/i18n.js";

const CLIENT = new URL("../../src/http/page/client/", import.meta.url);

/** The client's modules that may be imported outside a browser (all but app.js, the boot). */
async function clientModules(dir = CLIENT, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) {
      out.push(...await clientModules(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`));
    } else if (e.name.endsWith(".js") && e.name !== "app.js") out.push(prefix + e.name);
  }
  return out.sort();
}

Deno.test("page words: every key in English and Ukrainian, every literal key used exists", async () => {
  const files = await clientModules();
  for (const f of files) await import(new URL(f, CLIENT).href);
  assert.deepEqual(missingTexts(), []);
  const en = texts("en");
  const unknown: string[] = [];
  for (const f of [...files.filter((f) => f !== "i18n.js"), "app.js", "../shell.tsx"]) {
    const code = await Deno.readTextFile(new URL(f, CLIENT));
    for (const m of code.matchAll(/\bt\("([a-zA-Z0-9_.]+)"/g)) {
      if (en(m[1]) === m[1]) unknown.push(`${f}: ${m[1]}`);
    }
  }
  assert.deepEqual(unknown, []);
  const uk = texts("uk");
  assert.notEqual(uk("nav.bots"), en("nav.bots"));
  assert.equal(en("error.generic", { message: "x" }), "Something went wrong: x");
});

Deno.test("page language: the cookie's choice, else Ukrainian when the browser asks, else English", () => {
  assert.equal(pickLang("uk", "en-US"), "uk");
  assert.equal(pickLang(undefined, "uk-UA,uk;q=0.9"), "uk");
  assert.equal(pickLang(undefined, "de-DE"), "en");
  assert.equal(pickLang("fr", undefined), "en");
});
