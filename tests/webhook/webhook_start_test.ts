// Started as a user does, off loopback: with a webhook secret the start-up log says the webhook's
// paths are reachable without the API token (and nothing else is).

import assert from "node:assert/strict";
import { spawnDeno } from "../child_process_support.ts";
import { tempDir } from "../support.ts";

Deno.test("start: off loopback with a webhook secret, only the webhook is open, and said so", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/bots`);
  await Deno.writeTextFile(
    `${dir.path}/bots/one.json`,
    JSON.stringify({ bot_id: "one", strategy: "EMA_Crossover", symbol: "BTC/USDT" }),
  );
  await using child = spawnDeno(
    [
      "run",
      "-A",
      "src/main.ts",
      "--port",
      "0",
      "--replay",
      "--configs",
      `${dir.path}/bots`,
      "--host",
      "0.0.0.0",
    ],
    { env: { TIDEWATCH_DATA_DIR: dir.path, TIDEWATCH_WEBHOOK_SECRET: "start-secret-0123" } },
  );
  const safety = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (!text.split("\n").slice(0, -1).some((l) => l.includes("open_routes"))) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stderr ended before the exposure line:\n${text}`);
      text += value;
    }
  } finally {
    clearTimeout(safety);
    await reader.cancel().catch(() => {});
  }
  const line = JSON.parse(text.split("\n").find((l) => l.includes("open_routes"))!);
  assert.equal(line.level, "warn");
  assert.deepEqual(line.open_routes, ["ANY /webhooks/tradingview", "ANY /webhooks/tradingview/*"]);
  assert.ok(!text.includes("start-secret-0123"));
});
