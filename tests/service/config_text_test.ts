// Tests for config text parsing: YAML and JSON syntax errors come with their line and column.

import assert from "node:assert/strict";
import {
  configFormat,
  jsonErrorOffset,
  parseConfigText,
  positionAt,
} from "../../src/service/config_text.ts";

Deno.test("configFormat: by extension", () => {
  assert.equal(configFormat("a.json"), "json");
  assert.equal(configFormat("a.YAML"), "yaml");
  assert.equal(configFormat("a.yml"), "yaml");
  assert.equal(configFormat("README.md"), undefined);
  assert.equal(configFormat("a.json.bak"), undefined);
});

const JSON_ERRORS: [text: string, line: number, column: number][] = [
  ['{"a": 1,\n "b": }', 2, 7],
  ['{"a": 1,\n "b": 2,\n}', 3, 1],
  ['{\n"a" 1}', 2, 5],
  ['{"a": tru}', 1, 7],
  ["{'a': 1}", 1, 2],
  ["[1,2", 1, 5],
  ['{"a": 1}\n{"b": 2}', 2, 1],
  ['{"a": "x\ny"}', 1, 9],
  ['{"a": 01}', 1, 8],
  ['{"a": "\\q"}', 1, 9],
];

for (const [text, line, column] of JSON_ERRORS) {
  Deno.test(`parseConfigText: JSON ${JSON.stringify(text)} fails at ${line}:${column}`, () => {
    const res = parseConfigText(text, "json");
    assert.equal(res.ok, false);
    if (res.ok) return;
    assert.deepEqual(res.position, { line, column });
    assert.ok(!res.message.includes("is not valid JSON"), res.message);
    assert.ok(!/position \d+/.test(res.message), res.message);
  });
}

Deno.test("jsonErrorOffset: valid JSON gives its length", () => {
  for (const t of ['{"a": [1, -2.5e3, true, null, "x\\u00e9"]}', " 1 ", '"s"']) {
    assert.equal(jsonErrorOffset(t), t.length);
  }
});

Deno.test("positionAt: 1-based line and column", () => {
  assert.deepEqual(positionAt("ab\ncd", 0), { line: 1, column: 1 });
  assert.deepEqual(positionAt("ab\ncd", 4), { line: 2, column: 2 });
});

const YAML_ERRORS: [text: string, line: number, fragment: string][] = [
  ["a: 1\nb: [1, 2\nc: 3\n", 3, "Flow sequence"],
  ["a: 1\na: 2\n", 2, "Map keys must be unique"],
  ["a: 1\n  b: 2\n", 1, "Nested mappings"],
];

for (const [text, line, fragment] of YAML_ERRORS) {
  Deno.test(`parseConfigText: YAML error "${fragment}" on line ${line}`, () => {
    const res = parseConfigText(text, "yaml");
    assert.equal(res.ok, false);
    if (res.ok) return;
    assert.equal(res.position?.line, line);
    assert.ok(res.message.startsWith(fragment), res.message);
    assert.ok(!res.message.includes("\n"), "one line");
  });
}

Deno.test("parseConfigText: YAML 1.2 core schema (yes stays text) and JSON", () => {
  assert.deepEqual(parseConfigText("a: yes\nb: 1e-3\nc: 0x10\n", "yaml"), {
    ok: true,
    value: { a: "yes", b: 0.001, c: 16 },
  });
  assert.deepEqual(parseConfigText('{"a": [1]}', "json"), { ok: true, value: { a: [1] } });
});

const ALIAS_BOMB = [
  "bot_id: laughs",
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
  "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
].join("\n");

Deno.test("parseConfigText: a YAML alias bomb is refused at its first alias, not expanded", () => {
  const res = parseConfigText(ALIAS_BOMB, "yaml");
  assert.equal(res.ok, false);
  if (res.ok) return;
  assert.match(res.message, /aliases expand too far/);
  assert.deepEqual(res.position, { line: 3, column: 8 });
  // a few aliases are fine
  const ok = parseConfigText("a: &x [1, 2]\nb: *x\nc: *x", "yaml");
  assert.deepEqual(ok, { ok: true, value: { a: [1, 2], b: [1, 2], c: [1, 2] } });
});
