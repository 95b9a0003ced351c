// Search spaces read from the built-in strategies' zod schemas, narrowed, fixed and parsed from text.

import assert from "node:assert/strict";
import { ConfigError } from "../../src/core/errors.ts";
import { getStrategy } from "../../src/engine/strategy_registry.ts";
import {
  cardinality,
  gridValues,
  searchSpace,
  spaceOverrides,
  spaceSize,
} from "../../src/optimize/space.ts";
import { parseSpaceText } from "../../src/optimize/space_text.ts";

Deno.test("ema_cross: two int ranges from the schema, direction left at its default", async () => {
  const space = searchSpace(await getStrategy("ema_cross"));
  assert.deepEqual(space.dims, [
    { name: "fast_period", kind: "int", low: 2, high: 200, step: 1, log: false },
    { name: "slow_period", kind: "int", low: 3, high: 500, step: 1, log: false },
  ]);
  assert.deepEqual(space.defaults, ["direction"]);
  assert.equal(spaceSize(space), 199 * 498);
});

Deno.test("ema_rsi_volume: ints stay ints, floats become float ranges", async () => {
  const space = searchSpace(await getStrategy("ema_rsi_volume"));
  const byName = Object.fromEntries(space.dims.map((d) => [d.name, d]));
  assert.deepEqual(byName.ema_period, {
    name: "ema_period",
    kind: "int",
    low: 2,
    high: 500,
    step: 1,
    log: false,
  });
  assert.deepEqual(byName.volume_k, {
    name: "volume_k",
    kind: "float",
    low: 0.1,
    high: 10,
    step: null,
    log: false,
  });
  assert.equal(byName.direction, undefined);
  assert.equal(spaceSize(space), Infinity);
});

Deno.test("smc: an enum becomes a choice; signals: an array parameter stays at its default", async () => {
  const smc = searchSpace(await getStrategy("smc"));
  assert.deepEqual(smc.dims.find((d) => d.name === "zone"), {
    name: "zone",
    kind: "choice",
    values: ["fvg", "ob", "fvg_or_ob"],
  });
  await assert.rejects(
    async () => searchSpace(await getStrategy("signals")),
    (e) => e instanceof ConfigError && /Nothing to optimise/.test(e.message),
  );
});

Deno.test("the caller narrows, fixes, adds log sampling and value lists; bad overrides are refused", async () => {
  const def = await getStrategy("ema_cross");
  const space = searchSpace(def, {
    space: {
      fast_period: { low: 5, high: 50, step: 5 },
      slow_period: { low: 20, high: 400, log: true },
      direction: { values: ["long", "both"] },
    },
  });
  assert.deepEqual(space.dims.map((d) => d.name), ["fast_period", "slow_period", "direction"]);
  assert.equal(cardinality(space.dims[0]), 10);
  assert.deepEqual(gridValues(space.dims[0], 3), [5, 30, 50]); // 27.5 snaps to the step grid
  assert.deepEqual(gridValues(space.dims[1], 3), [20, 89, 400]); // even in ln x
  const fixed = searchSpace(def, { fixed: { fast_period: 10 } });
  assert.deepEqual(fixed.dims.map((d) => d.name), ["slow_period"]);
  assert.deepEqual(fixed.fixed, { fast_period: 10 });

  const refused = (o: Parameters<typeof searchSpace>[1], re: RegExp) =>
    assert.throws(() => searchSpace(def, o), (e) => e instanceof ConfigError && re.test(e.message));
  refused({ space: { fast_period: { low: 1, high: 50 } } }, /outside the allowed 2\.\.200/);
  refused({ space: { fast_period: { low: 50, high: 10 } } }, /must be below high/);
  refused({ space: { fast_period: { low: 2, high: 10, step: 0.5 } } }, /whole low, high and step/);
  refused({ space: { nope: { low: 1, high: 2 } } }, /no parameter "nope"/);
  refused({ fixed: { nope: 1 } }, /no parameter "nope"/);
  refused({ space: { direction: { values: ["sideways"] } } }, /not in/);
});

Deno.test("a stored space rebuilds exactly from its overrides (resume)", async () => {
  const def = await getStrategy("ema_rsi_volume");
  const space = searchSpace(def, {
    space: { sl_pct: { low: 0.5, high: 5, step: 0.5 }, rsi_period: { values: [7, 14, 21] } },
    fixed: { direction: "both" },
  });
  assert.deepEqual(searchSpace(def, { space: spaceOverrides(space), fixed: space.fixed }), space);
});

Deno.test("parseSpaceText: ranges with step and log, value lists", () => {
  assert.deepEqual(
    parseSpaceText("fast_period=5..50:5, slow_period=20..400:log,direction=long|both,x=true|false"),
    {
      fast_period: { low: 5, high: 50, step: 5 },
      slow_period: { low: 20, high: 400, log: true },
      direction: { values: ["long", "both"] },
      x: { values: [true, false] },
    },
  );
  assert.throws(() => parseSpaceText("a=1..2:fast"), /neither a step nor "log"/);
  assert.throws(() => parseSpaceText("oops"), /not name=lo\.\.hi/);
});
