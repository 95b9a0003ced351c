// withDefaults: an explicit undefined keeps the default; other values win.

import assert from "node:assert/strict";
import { withDefaults } from "../../src/core/options.ts";

Deno.test("withDefaults keeps defaults for undefined fields and takes every other value", () => {
  const d = { a: 1, b: 2, c: "x" };
  assert.deepEqual(withDefaults(d, { a: undefined, b: 0 }), { a: 1, b: 0, c: "x" });
  assert.deepEqual(withDefaults(d, undefined), d);
  assert.deepEqual(d, { a: 1, b: 2, c: "x" }, "defaults untouched");
});
