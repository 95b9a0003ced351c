// The alert journal: group commit, recovery of a torn last line, de-duplication, rotation.

import assert from "node:assert/strict";
import { AlertJournal, type AlertRecord } from "../../src/store/alert_journal.ts";
import { tempDir } from "../support.ts";

const alert = (i: number, key = `id:a:${i}`) => ({
  received_at: 1_000 + i,
  source: "tradingview",
  bot_id: "a",
  key,
  body: `{"n":${i}}`,
});

async function lines(path: string): Promise<AlertRecord[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

Deno.test("journal: many concurrent appends share few syncs, and every one is on disk", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/a.jsonl`;
  const j = await AlertJournal.open(path);
  const results = await Promise.all(Array.from({ length: 500 }, (_, i) => j.append(alert(i))));
  assert.deepEqual(results.map((r) => r.seq), Array.from({ length: 500 }, (_, i) => i + 1));
  assert.ok(results.every((r) => !r.duplicate));
  // One write of whatever queued while the previous sync ran: far fewer syncs than appends.
  assert.ok(j.syncs >= 1 && j.syncs <= 10, `syncs ${j.syncs}`);
  await j.close();
  const recs = await lines(path);
  assert.equal(recs.length, 500);
  assert.deepEqual(recs.map((r) => r.seq), results.map((r) => r.seq));
});

Deno.test("journal: a torn last line is cut off at open; numbering goes on", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/a.jsonl`;
  const j = await AlertJournal.open(path);
  for (let i = 0; i < 3; i++) await j.append(alert(i));
  await j.close();
  await Deno.writeTextFile(path, '{"seq":4,"received_at":1,"sou', { append: true });
  const errors: string[] = [];
  const orig = console.error;
  console.error = (l: string) => errors.push(l);
  let k: AlertJournal;
  try {
    k = await AlertJournal.open(path);
  } finally {
    console.error = orig;
  }
  assert.ok(errors.some((l) => l.includes("torn last line")), errors.join("\n"));
  assert.equal(k.records.length, 3);
  assert.equal(k.lastSeq, 3);
  const r = await k.append(alert(9));
  assert.equal(r.seq, 4);
  await k.close();
  const recs = await lines(path);
  assert.deepEqual(recs.map((x) => x.seq), [1, 2, 3, 4]);
  // A key seen before the restart is still a duplicate.
  const again = await AlertJournal.open(path);
  const d = await again.append(alert(0));
  assert.deepEqual(d, { seq: 5, duplicate: true, first_seq: 1 });
  await again.close();
});

Deno.test("journal: the same id is a duplicate for good, the same body within the window", async () => {
  await using dir = await tempDir();
  let now = 1_000_000;
  const j = await AlertJournal.open(`${dir.path}/a.jsonl`, {
    now: () => now,
    dedupeWindowMs: 60_000,
  });
  assert.deepEqual(await j.append(alert(1, "id:a:x")), { seq: 1, duplicate: false });
  assert.deepEqual(await j.append(alert(2, "body:a:tv:h1")), { seq: 2, duplicate: false });
  now += 59_000;
  assert.deepEqual(await j.append(alert(3, "body:a:tv:h1")), {
    seq: 3,
    duplicate: true,
    first_seq: 2,
  });
  now += 2_000; // 61 s after the first: a new alert with the same body
  assert.deepEqual(await j.append(alert(4, "body:a:tv:h1")), { seq: 4, duplicate: false });
  now += 3_600_000;
  assert.deepEqual(await j.append(alert(5, "id:a:x")), { seq: 5, duplicate: true, first_seq: 1 });
  // Concurrent repeats in one batch: the first wins, the others point at it.
  const rs = await Promise.all([1, 2, 3].map(() => j.append(alert(6, "id:a:y"))));
  assert.deepEqual(rs.map((r) => r.duplicate), [false, true, true]);
  assert.deepEqual(rs.map((r) => r.first_seq), [undefined, 6, 6]);
  await j.close();
  const recs = await lines(`${dir.path}/a.jsonl`);
  assert.deepEqual(recs.map((r) => r.duplicate_of ?? null), [null, null, 2, null, 1, null, 6, 6]);
});

Deno.test("journal: keys and seq from the store survive rotation", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/a.jsonl`;
  const j = await AlertJournal.open(path, { rotateBytes: 2_000 });
  for (let i = 0; i < 10; i++) await j.append(alert(i));
  // Not stored yet: the file keeps everything.
  assert.equal(await j.compact(), false);
  j.stored(10);
  assert.equal(await j.compact(), true);
  assert.equal((await Deno.stat(path)).size, 0);
  const r = await j.append(alert(20));
  assert.equal(r.seq, 11);
  // Past the size, truncated in the writer's turn once the store has everything.
  for (let i = 21; i < 60; i++) await j.append(alert(i));
  const before = (await Deno.stat(path)).size;
  assert.ok(before >= 2_000);
  const last = j.lastSeq; // 50
  j.stored(last - 1);
  await j.append(alert(60)); // not all stored, so no truncation yet
  assert.ok((await Deno.stat(path)).size > before);
  j.stored(last + 1);
  await j.append(alert(61)); // the writer truncates before or after this batch
  await j.close();
  assert.ok((await Deno.stat(path)).size < before, "truncated");
  // Reopened with what the store holds: numbering and de-duplication go on.
  const k = await AlertJournal.open(path, {
    storedSeq: 52,
    known: [{ key: "id:a:0", seq: 1, received_at: 1000 }],
  });
  assert.deepEqual(await k.append(alert(0)), { seq: 53, duplicate: true, first_seq: 1 });
  await k.close();
});
