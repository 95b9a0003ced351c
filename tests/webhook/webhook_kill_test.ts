// Kill -9 right after the answers: every answered alert is in the store exactly once after a
// restart, and reaches its bot exactly once (routed before the kill, or at the restart).

import assert from "node:assert/strict";
import { AlertIntake } from "../../src/service/alert_intake.ts";
import { Db } from "../../src/store/db.ts";
import { spawnService } from "../service/service_process_support.ts";
import { tempDir } from "../support.ts";

const TOKEN = "webhook-kill-token-0123456789abcdef";
const SECRET = "kill-test-secret-7Hq2";

Deno.test("webhook: SIGKILL after the answers loses nothing and processes each alert once", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/bots`);
  await Deno.writeTextFile(
    `${dir.path}/bots/one.json`,
    JSON.stringify({
      bot_id: "one",
      strategy: "signals",
      symbol: "BTC/USDT",
      source: "tradingview",
    }),
  );
  const dbPath = `${dir.path}/k.duckdb`;
  const svc = await spawnService(
    ["--replay", "--configs", `${dir.path}/bots`, "--db", dbPath],
    {
      TIDEWATCH_DATA_DIR: dir.path,
      TIDEWATCH_API_TOKEN: TOKEN,
      TIDEWATCH_WEBHOOK_SECRET: SECRET,
    },
    TOKEN,
  );
  let answers: { seq: number; duplicate: boolean }[];
  try {
    // 60 alerts at once: 40 distinct ids, 20 repeats of some of them (retries).
    const sends = Array.from(
      { length: 60 },
      (_, i) =>
        fetch(`${svc.url}/webhooks/tradingview/one`, {
          method: "POST",
          body: JSON.stringify({
            passphrase: SECRET,
            action: i % 2 ? "buy" : "sell",
            symbol: "OKX:BTCUSDT",
            alert_id: `a${i % 40}`,
          }),
        }).then(async (r) => {
          assert.equal(r.status, 200);
          return await r.json();
        }),
    );
    answers = await Promise.all(sends);
  } finally {
    // Right after the last answer: the copy into DuckDB (every 200 ms) has likely not run.
    await svc.stop();
  }
  const fresh = answers.filter((a) => !a.duplicate);
  assert.equal(fresh.length, 40);
  assert.equal(answers.length - fresh.length, 20);

  // The journal holds every answered alert (DuckDB may hold none of them yet).
  const lines = (await Deno.readTextFile(`${dbPath}.alerts.jsonl`)).split("\n").filter(Boolean);
  assert.equal(lines.length, 60);
  assert.ok(!lines.join("").includes(SECRET));
  // Restarted: the alerts the first run had not routed yet are routed now, each exactly once
  // (an alert already handed to its bot is recognised by its seq). A clean stop writes states.
  const again = await spawnService(
    ["--replay", "--configs", `${dir.path}/bots`, "--db", dbPath],
    {
      TIDEWATCH_DATA_DIR: dir.path,
      TIDEWATCH_API_TOKEN: TOKEN,
      TIDEWATCH_WEBHOOK_SECRET: SECRET,
    },
    TOKEN,
  );
  again.child.kill("SIGTERM");
  assert.equal((await again.child.status).code, 0, again.stderr());
  await again.stop();

  const db = await Db.open(dbPath);
  try {
    const rows = await db.all(
      "SELECT seq, state, duplicate_of FROM alerts ORDER BY seq",
    );
    // Every answered alert stored exactly once, with the fate it was answered with.
    assert.deepEqual(
      rows.map((r) => Number(r.seq)),
      answers.map((a) => a.seq).sort((a, b) => a - b),
    );
    const bySeq = new Map(rows.map((r) => [Number(r.seq), r]));
    for (const a of answers) {
      assert.equal(bySeq.get(a.seq)!.duplicate_of !== null, a.duplicate, `seq ${a.seq}`);
    }
    // Each distinct alert reached the bot once: one "alert" event per seq, none left waiting.
    const events = await db.all(
      `SELECT CAST(json_extract(payload, '$.seq') AS BIGINT) AS seq FROM bot_events
       WHERE bot_id = 'one' AND kind = 'alert' ORDER BY seq`,
    );
    assert.deepEqual(
      events.map((e) => Number(e.seq)),
      fresh.map((a) => a.seq).sort((a, b) => a - b),
    );
    assert.deepEqual(rows.filter((r) => r.state === "received"), []);

    // Opened again: nothing waits any more, and repeats are still known.
    const intake = await AlertIntake.open({ db });
    const later: number[] = [];
    const stop = intake.onAlert((a) => void later.push(a.seq));
    await stop.replayed;
    assert.deepEqual(later, []);
    const r = await intake.receive({
      source: "tradingview",
      bot_id: "one",
      key: "id:one:a7",
      body: "{}",
    });
    assert.equal(r.duplicate, true);
    assert.equal(r.seq, 61);
    await intake.close();
  } finally {
    await db.close();
  }
});
