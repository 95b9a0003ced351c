// The README's run command: the service starts its bots on loopback, answers health, stops on SIGTERM.

import assert from "node:assert/strict";
import { offlineExchangeEnv, spawnDeno } from "../child_process_support.ts";
import { tempDir } from "../support.ts";

Deno.test("deno task start runs the five example bots, answers health, and stops cleanly", async () => {
  await using dir = await tempDir();
  // The example bots follow OKX: its origins point at a closed loopback port, so the exchange is
  // unreachable here as on a machine without network, and no test ever asks DNS for www.okx.com.
  await using child = spawnDeno(["run", "-A", "src/main.ts", "--port", "0"], {
    env: { TIDEWATCH_DATA_DIR: dir.path, ...offlineExchangeEnv() },
    stderr: "inherit",
  });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let seen = "";
    while (!seen.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`service exited early: ${seen}`);
      seen += value;
    }
    const started = JSON.parse(seen.split("\n")[0]);
    assert.equal(started.mode, "paper");
    assert.equal(started.db, `${dir.path}/tidewatch.duckdb`);
    assert.equal(started.bots.length, 5);
    assert.match(started.chat, /^off/);
    const health = await (await fetch(`${started.url}/api/status/health`)).json();
    assert.equal(health.mode, "paper");
    assert.equal(health.database.ok, true);
    assert.deepEqual(health.bots, { running: 5 });
    // No exchange is reachable: the service still runs and says so (the tests against the
    // loopback fake exchange show the reachable case).
    assert.equal(health.exchanges[0].exchange, "okx");
    assert.equal(health.exchanges[0].series, 5);
    assert.equal(health.ok, health.exchanges.every((e: { reachable: boolean }) => e.reachable));
  } finally {
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 0);
    await reader.cancel().catch(() => {});
  }
});
