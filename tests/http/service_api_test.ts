// The service API end to end: real supervisor, replay feed and DuckDB file, through app.request().

import { apiClient } from "./api_client_support.ts";
import assert from "node:assert/strict";
import { requireBearer } from "../../src/http/auth.ts";
import type { BusEvent } from "../../src/service/event_bus.ts";
import { assemble } from "../../src/assemble.ts";
import { Db } from "../../src/store/db.ts";
import { REPLAY_START, tempDir } from "../support.ts";
import { alphaAndBetaTrading, candlesTraded, entry, waitFor } from "../service/service_support.ts";

const TOKEN = "test-token-0123456789abcdef";
const auth = { Authorization: `Bearer ${TOKEN}` };

async function start(path: string, extra: Parameters<typeof entry>[1] = {}, speed = 3000) {
  const db = await Db.open(path);
  const service = await assemble({
    db,
    entries: await alphaAndBetaTrading(extra),
    auth: requireBearer(TOKEN),
    version: "test",
    replay: { speed, startTs: REPLAY_START },
    wallNow: Date.now,
    expiryCheckMs: 50,
  });
  const req = (path: string, init: RequestInit = {}) => service.app.request(path, init);
  const { json, post } = apiClient(service.app, TOKEN);
  return {
    service,
    req,
    json,
    post,
    async close() {
      await service.close();
      await db.close();
    },
  };
}

Deno.test("bots: list, status with why, paged records, control with token and audit", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/a.duckdb`);
  try {
    await candlesTraded(s.service.bus, "alpha", 30);
    const list = await s.json("/api/bots");
    assert.deepEqual(list.body.bots.map((b: { bot_id: string }) => b.bot_id), ["alpha", "beta"]);
    const one = await s.json("/api/bots/alpha");
    assert.equal(one.body.state, "running");
    assert.equal(typeof one.body.why, "string");
    const dec = await s.json("/api/bots/alpha/decisions?limit=2");
    assert.equal(dec.status, 200);
    assert.ok(dec.body.decisions.length >= 1, "alpha decided something in 30 candles");
    const d = dec.body.decisions[0];
    assert.match(d.correlation_id, /^alpha:\d+:\d+$/);
    const eq = await s.json("/api/bots/alpha/equity?limit=5");
    assert.equal(eq.body.equity.length, 5);
    assert.ok(eq.body.equity[0].ts > eq.body.equity[1].ts, "newest first");
    const bad = await s.json("/api/bots/alpha/fills?limit=0");
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /limit/);
    const candles = await s.json("/api/bots/alpha/candles?limit=3");
    assert.equal(candles.body.ts.length, 3);

    // Parity: the candles alpha traded on, backtested, give exactly its decisions.
    const parity = await s.json("/api/bots/alpha/parity");
    assert.equal(parity.body.comparable, true, parity.body.reason);
    assert.ok(parity.body.decisions.bot >= 1);
    assert.equal(parity.body.match, true, JSON.stringify(parity.body.first_difference));

    const noToken = await s.req("/api/bots/alpha/stop", { method: "POST" });
    assert.equal(noToken.status, 401);
    assert.ok(!(await noToken.text()).includes(TOKEN));
    const wrong = await s.req("/api/bots/alpha/stop", {
      method: "POST",
      headers: { Authorization: "Bearer nope-nope-nope-nope" },
    });
    assert.equal(wrong.status, 401);
    const stopped = await s.post("/api/bots/alpha/stop");
    assert.equal(stopped.body.state, "stopped");
    assert.equal((await s.json("/api/bots/beta")).body.state, "running");
    const missing = await s.post("/api/bots/nope/start");
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /Known bots: alpha, beta/);
    const afterStop = await s.json("/api/bots/alpha/parity");
    assert.equal(afterStop.body.comparable, false);
    assert.match(afterStop.body.reason, /"stop" event/);
    const audit = await s.json("/api/audit");
    assert.equal(audit.body.audit[0].action, "stop");
    assert.equal(audit.body.audit[0].surface, "api");
  } finally {
    await s.close();
  }
});

/** Waits for held entries and confirms or rejects one that is still waiting. */
async function decideOne(
  s: Awaited<ReturnType<typeof start>>,
  verdict: "confirm" | "reject",
) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const held = await waitFor(
      s.service.bus,
      (e) => e.type === "bot.pending",
      30_000,
      "a held entry",
    );
    const data = held.data as { id: string };
    const res = await s.post(`/api/pending/${encodeURIComponent(data.id)}/${verdict}`);
    if (res.status === 200) return { held, id: data.id, res };
    // A newer signal replaced it before we answered (the replay runs fast): try the next one.
    assert.equal(res.status, 409);
    assert.match(res.body.error, /no longer waiting/);
  }
  throw new Error("every held entry was replaced before it could be decided");
}

Deno.test("confirmations: entries wait; confirm sends exactly once, reject drops; audited", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/c.duckdb`, {
    params: { fast_period: 4, slow_period: 12 },
    confirmationTtlMs: 60_000,
  }, 600);
  try {
    const patched = await s.json("/api/settings", {
      method: "PATCH",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ require_confirmation: true }),
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.require_confirmation, true);
    const badPatch = await s.json("/api/settings", {
      method: "PATCH",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ require_confirmation: "yes" }),
    });
    assert.equal(badPatch.status, 400);
    assert.match(badPatch.body.error, /require_confirmation/);

    const { held, id, res } = await decideOne(s, "confirm");
    assert.equal(res.body.status, "confirmed");
    const botId = held.botId!;
    // The confirmed entry's fill, by its decision: on a loaded machine the next candle (and the
    // fill) may come before the confirmation's answer, so look at what the bus kept first.
    const isFill = (e: BusEvent) =>
      e.type === "bot.fill" && e.botId === botId && e.correlationId === held.correlationId;
    const seen = s.service.bus.since(0).find(isFill);
    const fill = seen
      ? Promise.resolve(seen)
      : waitFor(s.service.bus, isFill, 120_000, "the confirmed entry's fill");
    const again = await s.post(`/api/pending/${encodeURIComponent(id)}/confirm`);
    assert.equal(again.status, 409);
    assert.match(again.body.error, /already confirmed/);
    await fill; // the entry filled, linked to its decision by the correlation id
    const orders = await s.json(`/api/bots/${botId}/orders?limit=500`);
    const clientId = id.slice(botId.length + 1);
    assert.equal(
      orders.body.orders.filter((o: { client_id: string }) => o.client_id === clientId).length,
      1,
    );

    const rejected = await decideOne(s, "reject");
    assert.equal(rejected.res.body.status, "rejected");
    const list = await s.json("/api/pending?status=rejected");
    assert.ok(list.body.pending.some((p: { id: string }) => p.id === rejected.id));
    const rejectedClient = rejected.id.slice(String(rejected.held.botId).length + 1);
    const after = await s.json(`/api/bots/${rejected.held.botId}/orders?limit=500`);
    assert.ok(
      !after.body.orders.some((o: { client_id: string }) => o.client_id === rejectedClient),
    );
    const audit = (await s.json("/api/audit")).body.audit.map((a: { action: string }) => a.action);
    for (const a of ["confirm", "reject", "settings"]) assert.ok(audit.includes(a), `audited ${a}`);
  } finally {
    await s.close();
  }
});

Deno.test("confirmations: an unanswered entry expires after its TTL and is never sent", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/t.duckdb`, {
    params: { fast_period: 4, slow_period: 12 },
    requireConfirmation: true,
    confirmationTtlMs: 300,
  }, 600);
  try {
    const expired = await waitFor(
      s.service.bus,
      (e) => e.type === "pending.expired",
      30_000,
      "an expiry",
    );
    const p = expired.data as { id: string; client_id: string; bot_id: string };
    const rows = (await s.json("/api/pending?status=expired")).body.pending;
    assert.ok(rows.some((r: { id: string }) => r.id === p.id));
    const orders = await s.json(`/api/bots/${p.bot_id}/orders?limit=500`);
    assert.ok(!orders.body.orders.some((o: { client_id: string }) => o.client_id === p.client_id));
    const late = await s.post(`/api/pending/${encodeURIComponent(p.id)}/confirm`);
    assert.equal(late.status, 409);
  } finally {
    await s.close();
  }
});

Deno.test("kill with flatten stops every bot and closes positions; paper refuses manual orders", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/k.duckdb`);
  try {
    await candlesTraded(s.service.bus, "alpha", 20);
    const order = await s.post("/api/orders", { bot_id: "alpha", side: "buy", qty: 1 });
    assert.equal(order.status, 409);
    assert.match(order.body.error, /live mode/);
    await waitFor(
      s.service.bus,
      (e) =>
        e.botId === "alpha" && e.type === "bot.position" &&
        Number((e.data as { qty: number }).qty) > 0,
      30_000,
      "alpha to hold a position",
    );
    const killed = await s.post("/api/kill", { flatten: true });
    assert.equal(killed.status, 200);
    assert.deepEqual(killed.body.stopped.sort(), ["alpha", "beta"]);
    const bots = (await s.json("/api/bots")).body.bots;
    for (const b of bots) {
      assert.equal(b.state, "stopped");
      assert.equal(b.position, null);
    }
    const pos = await s.json("/api/simulation/positions");
    assert.deepEqual(pos.body.positions, []);
  } finally {
    await s.close();
  }
});

Deno.test("simulation, openapi, health and SSE on a real server", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/s.duckdb`);
  const ac = new AbortController();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen() {} },
    s.service.app.fetch,
  );
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    const res = await fetch(`${url}/api/events?types=bot.equity`);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!/event: bot\.equity/.test(text)) text += (await reader.read()).value ?? "";
    await reader.cancel();
    assert.match(text, /^id: \d+$/m);

    const status = await s.json("/api/simulation/status");
    assert.equal(status.body.bots, 2);
    const portfolio = await s.json("/api/simulation/portfolio");
    assert.equal(portfolio.body.initial, 20_000);
    const perf = await s.json("/api/simulation/performance");
    assert.equal(perf.body.bots.length, 2);
    const pnl = await s.json("/api/pnl?mode=paper");
    assert.deepEqual(pnl.body.bots.map((b: { bot_id: string }) => b.bot_id), ["alpha", "beta"]);
    assert.deepEqual(Object.keys(pnl.body.total), ["day", "7d", "30d", "all"]);
    assert.equal((await s.json("/api/pnl?mode=demo")).status, 400);
    const health = await s.json("/api/status/health");
    assert.equal(health.body.exchanges[0].exchange, "okx");
    assert.equal(health.body.bots.running, 2);
    const doc = await s.json("/api/openapi.json");
    for (
      const p of [
        "/api/bots/{id}/start",
        "/api/pending/{id}/confirm",
        "/api/events",
        "/api/settings",
      ]
    ) {
      assert.ok(doc.body.paths[p], `openapi lists ${p}`);
    }
    assert.deepEqual(doc.body.paths["/api/kill"].post.security, [{ bearer: [] }]);
    // on loopback, reads are open and the document says so
    assert.equal(doc.body.paths["/api/bots"].get.security, undefined);
    const reset = await s.post("/api/simulation/reset", {});
    assert.equal(reset.status, 400);
    assert.match(reset.body.error, /confirm/);
  } finally {
    ac.abort();
    await server.finished;
    await s.close();
  }
});

Deno.test("backtests: POST runs in the background with progress; GET and DELETE the run", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/b.duckdb`);
  try {
    await candlesTraded(s.service.bus, "alpha", 5);
    const missing = await s.post("/api/backtests", {
      strategy: "sma_cross",
      symbol: "NOPE/USDT",
      timeframe: "1m",
    });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.fields, ["symbol"]);
    assert.match(missing.body.error, /symbol: no candles are stored for NOPE\/USDT on okx/);
    const badField = await s.post("/api/backtests", {
      strategy: "sma_cross",
      symbol: "BTC/USDT",
      timeframe: "1x",
    });
    assert.equal(badField.status, 422);
    assert.deepEqual(badField.body.fields, ["timeframe"]);
    const done = waitFor(s.service.bus, (e) => e.type === "backtest.done", 60_000, "the backtest");
    const job = await s.post("/api/backtests", {
      strategy: "sma_cross",
      symbol: "BTC/USDT",
      timeframe: "1m",
      params: { fast_period: 2, slow_period: 5 },
    });
    assert.equal(job.status, 202);
    assert.equal(job.body.state, "running");
    const finished = (await done).data as { state: string; run_id: string; error?: string };
    assert.equal(finished.state, "done", finished.error);
    const got = await s.json(`/api/backtests/${job.body.job_id}`);
    assert.equal(got.body.progress, 1);
    const run = await s.json(`/api/backtests/${finished.run_id}`);
    assert.equal(run.status, 200);
    assert.equal(run.body.strategy, "sma_cross");
    const list = await s.json("/api/backtests");
    assert.equal(list.body.runs.length, 1);
    const del = await s.json(`/api/backtests/${finished.run_id}`, {
      method: "DELETE",
      headers: auth,
    });
    assert.equal(del.body.deleted, 1);
    assert.equal((await s.json(`/api/backtests/${finished.run_id}`)).status, 404);
  } finally {
    await s.close();
  }
});
