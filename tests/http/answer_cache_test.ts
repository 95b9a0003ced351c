// Cached answers (health, the bot list): computed at most once per interval, shared by concurrent
// callers, dropped when told; and through the service, a bot's new state shows at once.

import assert from "node:assert/strict";
import { assemble } from "../../src/assemble.ts";
import { CachedAnswer } from "../../src/http/answer_cache.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { Db } from "../../src/store/db.ts";
import { tempDir } from "../support.ts";
import { entry } from "../service/service_support.ts";

Deno.test("cached answer: one computation per interval, the same text to every caller", async () => {
  let now = 0;
  let computed = 0;
  const answer = new CachedAnswer(() => ({ status: 200, body: { n: ++computed } }), {
    maxAgeMs: 100,
    now: () => now,
  });
  const read = async () => {
    const res = await answer.response();
    assert.equal(res.headers.get("content-type"), "application/json");
    return { status: res.status, body: await res.json() };
  };
  assert.deepEqual(await read(), { status: 200, body: { n: 1 } });
  now = 100;
  assert.deepEqual((await read()).body, { n: 1 }, "still within 100 ms");
  now = 101;
  assert.deepEqual((await read()).body, { n: 2 }, "older than 100 ms: computed again");
  answer.invalidate();
  assert.deepEqual((await read()).body, { n: 3 }, "invalidated: computed again at once");
  assert.equal(computed, 3);
});

Deno.test("cached answer: callers arriving during a computation wait for it; its status is kept", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  let computed = 0;
  const answer = new CachedAnswer(async () => {
    computed++;
    await gate;
    return { status: 503, body: { ok: false } };
  }, { now: () => 0 });
  const waiting = Array.from({ length: 20 }, () => answer.response());
  release();
  const answers = await Promise.all(waiting);
  assert.equal(computed, 1);
  assert.deepEqual(answers.map((r) => r.status), Array(20).fill(503));
  assert.deepEqual(await answers[19].json(), { ok: false });
});

Deno.test("cached answer: invalidated while computing, the answer serves its callers but is not kept", async () => {
  let release!: () => void;
  let gate = new Promise<void>((r) => release = r);
  let computed = 0;
  const answer = new CachedAnswer(async () => {
    const n = ++computed;
    await gate;
    return { status: 200, body: { n } };
  }, { now: () => 0 });
  const first = answer.response();
  answer.invalidate(); // a state change while the old state was being read
  release();
  assert.deepEqual(await (await first).json(), { n: 1 });
  gate = Promise.resolve();
  assert.deepEqual(await (await answer.response()).json(), { n: 2 });
});

Deno.test("health and the bot list: a paused bot shows at once, though answers are kept 100 ms", async () => {
  const TOKEN = "cache-token-0123456789abcdef";
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/h.duckdb`);
  const service = await assemble({
    db,
    entries: [await entry("alpha"), await entry("beta", { symbol: "ETH/USDT" })],
    auth: requireBearer(TOKEN),
    version: "test",
    replay: { speed: 1 },
  });
  try {
    const health = async () => (await (await service.app.request("/api/status/health")).json());
    const states = async () => {
      const { bots } = await (await service.app.request("/api/bots")).json();
      return bots.map((b: { bot_id: string; state: string }) => `${b.bot_id} ${b.state}`);
    };
    assert.deepEqual((await health()).bots, { running: 2 });
    assert.deepEqual(await states(), ["alpha running", "beta running"]);
    const res = await service.app.request("/api/bots/alpha/pause", {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.deepEqual((await health()).bots, { running: 1, paused: 1 });
    assert.deepEqual(await states(), ["alpha paused", "beta running"]);
  } finally {
    await service.close();
    await db.close();
  }
});
