// Kill -9 right after the answers: every answered alert is in the store exactly once after a
// restart, and processing (onAlert) gets each one once, and not again once it acted.

import assert from "node:assert/strict";
import { AlertIntake } from "../../src/service/alert_intake.ts";
import type { AlertRecord } from "../../src/store/alert_journal.ts";
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
    JSON.stringify({ bot_id: "one", strategy: "EMA_Crossover", symbol: "BTC/USDT" }),
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
          body: JSON.stringify({ passphrase: SECRET, action: "buy", alert_id: `a${i % 40}` }),
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
  const db = await Db.open(dbPath);
  try {
    const intake = await AlertIntake.open({ db });
    const calls: AlertRecord[] = [];
    const stop = intake.onAlert(async (a) => {
      calls.push(a);
      await intake.setState(a.seq, "pending"); // acted on: not handed over again
    });
    await stop.replayed;
    const all = await intake.list({ limit: 1000 });
    // Every answered alert stored exactly once, with the fate it was answered with.
    assert.equal(all.total, 60);
    assert.deepEqual(
      all.alerts.map((a) => a.seq).sort((a, b) => a - b),
      answers.map((a) => a.seq).sort((a, b) => a - b),
    );
    const bySeq = new Map(all.alerts.map((a) => [a.seq, a]));
    for (const a of answers) {
      assert.equal(bySeq.get(a.seq)!.duplicate_of !== undefined, a.duplicate, `seq ${a.seq}`);
    }
    // Processing got each non-duplicate once.
    assert.deepEqual(
      calls.map((c) => c.seq).sort((a, b) => a - b),
      fresh.map((a) => a.seq).sort((a, b) => a - b),
    );
    await intake.close();

    // Restarted again: nothing waits any more, and repeats are still known.
    const again = await AlertIntake.open({ db });
    const later: number[] = [];
    const stop2 = again.onAlert((a) => void later.push(a.seq));
    await stop2.replayed;
    assert.deepEqual(later, []);
    const r = await again.receive({
      source: "tradingview",
      bot_id: "one",
      key: "id:one:a7",
      body: "{}",
    });
    assert.equal(r.duplicate, true);
    assert.equal(r.seq, 61);
    await again.close();
  } finally {
    await db.close();
  }
});
