// Cutting chat texts to a platform's limit: at line ends, then spaces, else exactly; nothing lost.

import assert from "node:assert/strict";
import { splitHead, splitText } from "../../src/bots/split_text.ts";

Deno.test("splitHead cuts at the last line end, else space, in the second half of the piece", () => {
  const rows: [string, number, [string, string]][] = [
    ["short", 10, ["short", ""]],
    ["exactly10!", 10, ["exactly10!", ""]],
    ["one\ntwo three", 9, ["one\ntwo", "three"]], // "\n" at 3 < 4.5: too early; space at 7
    ["alpha beta\ngamma", 12, ["alpha beta", "gamma"]],
    ["aaaa bbbb cccc", 11, ["aaaa bbbb", "cccc"]],
    ["abcdefghijkl", 5, ["abcde", "fghijkl"]],
    ["a bcdefghijkl", 6, ["a bcde", "fghijkl"]], // the space is too early: a hard cut
  ];
  for (const [text, limit, expected] of rows) {
    assert.deepEqual(splitHead(text, limit), expected, JSON.stringify([text, limit]));
  }
});

Deno.test("splitHead never cuts a surrogate pair in two", () => {
  const [head, rest] = splitHead("abcd😀efgh", 5); // the emoji is at units 4-5
  assert.deepEqual([head, rest], ["abcd", "😀efgh"]);
});

Deno.test("splitText keeps every piece within the limit, drops blank pieces, loses no words", () => {
  const text = Array.from({ length: 500 }, (_, i) => `word${i}`).join(" ");
  const pieces = splitText(text, 100);
  assert.ok(pieces.every((p) => p.length <= 100));
  assert.ok(pieces.slice(0, -1).every((p) => p.length > 50), "cut late in each piece");
  assert.equal(pieces.join(" "), text);
  assert.deepEqual(splitText("a".repeat(5000), 4096).map((p) => p.length), [4096, 904]);
  assert.deepEqual(splitText("  \n ", 100), []);
  assert.deepEqual(splitText("", 100), []);
  assert.throws(() => splitHead("abc", 1), RangeError);
});
