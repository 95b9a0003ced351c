// The intake: copies into DuckDB, rotation once everything is stored, and de-duplication that
// survives a restart after the journal was emptied (rebuilt from the store).

import assert from "node:assert/strict";
import { AlertIntake, type ReceivedAlert } from "../../src/service/alert_intake.ts";
import { EventBus } from "../../src/service/event_bus.ts";
import { Db } from "../../src/store/db.ts";
import { tempDir } from "../support.ts";

const alert = (key: string, body = "{}") => ({ source: "tradingview", bot_id: "a", key, body });

Deno.test("intake: the journal is emptied once DuckDB holds it, and repeats are still known", async () => {
  await using dir = await tempDir();
  let now = 5_000_000;
  const db = await Db.open(`${dir.path}/i.duckdb`);
  const journal = `${dir.path}/i.duckdb.alerts.jsonl`;
  try {
    const bus = new EventBus(() => now);
    const types: string[] = [];
    bus.subscribe((e) => void types.push(`${e.type}:${(e.data as { seq: number }).seq}`));
    const intake = await AlertIntake.open({ db, wallNow: () => now, bus, rotateBytes: 1_000 });
    for (let i = 0; i < 20; i++) await intake.receive(alert(`id:a:${i}`, `{"i":${i}}`));
    assert.equal((await intake.receive(alert("body:a:tradingview:h"))).seq, 21);
    assert.equal((await intake.receive(alert("id:a:3"))).duplicate, true);
    await intake.flush(); // everything copied: the writer empties the file on its next turn
    await intake.receive(alert("id:a:99"));
    await intake.flush();
    await intake.close();
    assert.ok((await Deno.stat(journal)).size < 1_000);
    assert.deepEqual(types.slice(-3), [
      "alert.received:21",
      "alert.duplicate:22",
      "alert.received:23",
    ]);

    now += 30_000; // within the body window
    const again = await AlertIntake.open({ db, wallNow: () => now });
    assert.equal((await Deno.stat(journal)).size, 0); // compacted at start
    assert.deepEqual(await again.receive(alert("id:a:0")), {
      seq: 24,
      duplicate: true,
      first_seq: 1,
    });
    assert.deepEqual(await again.receive(alert("body:a:tradingview:h")), {
      seq: 25,
      duplicate: true,
      first_seq: 21,
    });
    await again.close();

    now += 60_000; // past the window: the same body is a new alert, the id is not
    const later = await AlertIntake.open({ db, wallNow: () => now });
    assert.equal((await later.receive(alert("body:a:tradingview:h"))).duplicate, false);
    assert.equal((await later.receive(alert("id:a:19"))).duplicate, true);
    const listed = await later.list({ state: "duplicate" });
    assert.deepEqual(listed.alerts.map((a) => a.seq), [27, 25, 24, 22]);
    await later.setState(26, "refused", { rule: "max_open_positions", reason: "one is open" });
    const [refused] = (await later.list({ state: "refused" })).alerts;
    assert.equal(refused.rule, "max_open_positions");
    assert.equal(refused.reason, "one is open");
    await later.close();
  } finally {
    await db.close();
  }
});

Deno.test("intake: a start with journaled alerts missing from DuckDB copies them first", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/r.duckdb`);
  try {
    const line = (seq: number, key: string, dup?: number) =>
      JSON.stringify({
        seq,
        received_at: 1,
        source: "tradingview",
        bot_id: "a",
        key,
        body: "{}",
        ...(dup ? { duplicate_of: dup } : {}),
      }) + "\n";
    await Deno.writeTextFile(
      `${dir.path}/r.duckdb.alerts.jsonl`,
      line(1, "id:a:x") + line(2, "id:a:x", 1) + line(3, "id:a:y") + '{"seq":4,"rec',
    );
    const origError = console.error;
    console.error = () => {};
    let intake: AlertIntake;
    try {
      intake = await AlertIntake.open({ db });
    } finally {
      console.error = origError;
    }
    const seen: number[] = [];
    await intake.onAlert((a) => void seen.push(a.seq)).replayed;
    assert.deepEqual(seen, [1, 3]);
    const all = await intake.list();
    assert.deepEqual(all.alerts.map((a) => [a.seq, a.state]), [
      [3, "received"],
      [2, "duplicate"],
      [1, "received"],
    ]);
    assert.equal((await intake.receive(alert("id:a:z"))).seq, 4);
    await intake.close();
  } finally {
    await db.close();
  }
});

Deno.test("intake: what the surface read is handed to processing, never journaled nor replayed", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/p.duckdb`);
  try {
    const parsed = { action: "long" as const, symbol: "BTCUSDT", market: "BTC/USDT" };
    const intake = await AlertIntake.open({ db });
    const live: ReceivedAlert[] = [];
    const stop = intake.onAlert((a) => void live.push(a));
    await intake.receive({ ...alert("id:a:1", '{"action":"buy"}'), parsed });
    await intake.receive(alert("id:a:2"));
    await intake.receive({ ...alert("id:a:1"), parsed }); // a repeat: not handed over
    assert.deepEqual(live.map((a) => [a.seq, a.parsed]), [[1, parsed], [2, undefined]]);
    stop();
    await intake.flush();
    const journal = await Deno.readTextFile(`${dir.path}/p.duckdb.alerts.jsonl`);
    assert.ok(!journal.includes("parsed") && !journal.includes("BTC/USDT"), journal);
    await intake.close();

    const again = await AlertIntake.open({ db });
    const replayed: ReceivedAlert[] = [];
    await again.onAlert((a) => void replayed.push(a)).replayed;
    assert.deepEqual(replayed.map((a) => [a.seq, a.body, a.parsed]), [
      [1, '{"action":"buy"}', undefined],
      [2, "{}", undefined],
    ]);
    await again.close();
  } finally {
    await db.close();
  }
});
