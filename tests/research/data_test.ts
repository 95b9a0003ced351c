// Notebook data helpers: stored candles directly, or through the service when it holds the file.

import assert from "node:assert/strict";
import { toRows } from "../../src/core/candles.ts";
import { loadCandles, synth } from "../../src/research/data.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { offlineExchangeEnv, spawnDeno } from "../child_process_support.ts";
import { tempDir } from "../support.ts";
const KEY = { exchange: "synthetic", symbol: "SYN/USDT", timeframe: "1m" };

Deno.test("loadCandles reads the store, or the service's API (with its token) when the service holds the database", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/tidewatch.duckdb`;
  const candles = synth({ bars: 1500, seed: 9 });
  const db = await Db.open(path);
  await new CandleStore(db).upsert(KEY, candles);
  await db.close();
  const direct = await loadCandles({ ...KEY, db: path, from: candles.ts[100] });
  assert.equal(direct.ts.length, 1400);

  // The default bots follow OKX, pointed at a closed loopback port: no test reaches the internet.
  // Bound off loopback, so every read needs the token the service keeps in its data folder.
  const args = ["run", "-A", "src/main.ts", "--port", "0", "--host", "0.0.0.0", "--db", path];
  await using service = spawnDeno(args, {
    env: { TIDEWATCH_DATA_DIR: dir.path, ...offlineExchangeEnv() },
    stderr: "inherit",
  });
  const reader = service.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let seen = "";
    while (!seen.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("service exited early");
      seen += value;
    }
    const port = new URL(JSON.parse(seen.split("\n")[0]).url).port;
    const url = `http://127.0.0.1:${port}`;
    const token = (await Deno.readTextFile(`${dir.path}/api_token`)).trim();
    const viaService = await loadCandles({
      ...KEY,
      db: path,
      serviceUrl: url,
      token,
      from: candles.ts[100],
    });
    assert.deepEqual(toRows(viaService), toRows(direct));
    // Without the token the service refuses: the lock error says what to do.
    await assert.rejects(
      () => loadCandles({ ...KEY, db: path, serviceUrl: url, token: "" }),
      /is in use by process/,
    );
    // No service at that address: the lock error with its advice, not a raw IO error.
    await assert.rejects(
      () => loadCandles({ ...KEY, db: path, serviceUrl: "http://127.0.0.1:9" }),
      /is in use by process .*pass --db with another file/,
    );
  } finally {
    service.kill("SIGTERM");
    await service.status;
    await reader.cancel().catch(() => {});
  }
});
