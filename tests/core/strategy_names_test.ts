// Strategy names: any case, aliases a strategy declares, the closest name for a misspelt one.

import assert from "node:assert/strict";
import { z } from "zod";
import { ConfigError } from "../../src/core/errors.ts";
import { defineStrategy } from "../../src/core/strategy.ts";
import {
  findStrategy,
  getStrategy,
  loadStrategies,
  unknownStrategy,
} from "../../src/engine/strategy_registry.ts";
import { tempDir } from "../support.ts";

Deno.test("strategy names: any case and declared aliases find the strategy", async () => {
  for (
    const [written, name] of [
      ["ema_cross", "ema_cross"],
      ["EMA_Cross", "ema_cross"],
      ["ema_crossover", "ema_cross"],
      ["EMA_Crossover", "ema_cross"],
      [" Sma_Crossover ", "sma_cross"],
      ["RSI_MACD_BB", "rsi_macd_bb"],
    ]
  ) {
    assert.equal((await getStrategy(written)).name, name, written);
  }
  assert.equal(findStrategy(await loadStrategies(), "ema"), undefined);
});

Deno.test("strategy names: an unknown one gets the closest name and the list", async () => {
  const all = await loadStrategies();
  await assert.rejects(
    () => getStrategy("ema_crosover"),
    (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(
        err.message,
        /^Strategy "ema_crosover" does not exist: did you mean "ema_cross"/,
      );
      assert.match(err.message, /use one of dca, ema_cross, .*sma_cross.*\.$/);
      return true;
    },
  );
  assert.doesNotMatch(unknownStrategy(all, "zzzzzz"), /did you mean/);
});

Deno.test("strategy names: two strategies answering to one name are refused at load", async () => {
  await using dir = await tempDir();
  const src = (name: string, aliases: string[]) =>
    `import { z } from "zod";
import { defineStrategy } from "${new URL("../../src/core/strategy.ts", import.meta.url).href}";
export default defineStrategy({
  name: "${name}", aliases: ${JSON.stringify(aliases)}, version: "1", description: "",
  params: z.object({}), warmup: () => 1, create: () => ({ onCandle: () => null }),
});
`;
  await Deno.writeTextFile(`${dir.path}/one.ts`, src("one", ["first"]));
  await Deno.writeTextFile(`${dir.path}/two.ts`, src("two", ["FIRST"]));
  await assert.rejects(
    () => loadStrategies(new URL(`file://${dir.path}/`)),
    /Strategies "one" and "two" both answer to "FIRST"/,
  );
  // The types accept aliases.
  const def = defineStrategy({
    name: "x",
    aliases: ["y"],
    version: "1",
    description: "",
    params: z.object({ direction: z.string().default("long") }),
    warmup: () => 1,
    create: () => ({ onCandle: () => null }),
  });
  assert.deepEqual(def.aliases, ["y"]);
});
