// The command core called directly on a real service (supervisor, replay feed, DuckDB file): the
// actor asking is what the audit log and the confirmations record; answers are plain data; P&L.

import assert from "node:assert/strict";
import { type Actor, Commands } from "../../src/commands/commands.ts";
import { ConflictError, NotFoundError } from "../../src/commands/errors.ts";
import { InputError } from "../../src/core/errors.ts";
import { startService } from "../../src/service/service.ts";
import { Db } from "../../src/store/db.ts";
import { REPLAY_START, tempDir } from "../support.ts";
import { candlesTraded, entry, untilEvent } from "../service/service_support.ts";

const ANA: Actor = { surface: "telegram", actor: "@ana" };
const BO: Actor = { surface: "discord", actor: "bo#0001" };

async function start(path: string, extra: Parameters<typeof entry>[1] = {}, speed = 3000) {
  const db = await Db.open(path);
  const service = await startService({
    db,
    entries: [
      await entry("alpha", { params: { fast_period: 2, slow_period: 5, direction: "both" } }),
      await entry("beta", {
        symbol: "ETH/USDT",
        params: { fast_period: 2, slow_period: 5, direction: "both" },
        ...extra,
      }),
    ],
    replay: { speed, startTs: REPLAY_START },
    wallNow: Date.now,
    expiryCheckMs: 50,
  });
  return {
    service,
    commands: new Commands(service),
    async close() {
      await service.close();
      await db.close();
    },
  };
}

Deno.test("control: the actor and surface asking are audited; refusals are core errors", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/c.duckdb`);
  try {
    await candlesTraded(s.service.bus, "alpha", 10);
    const paused = await s.commands.pause("alpha", ANA);
    assert.equal(paused.state, "paused");
    const one = await s.commands.bot("alpha");
    assert.equal(one.why, "paused: no new entries (exits are still managed)");
    assert.equal((await s.commands.resume("alpha", BO)).state, "running");
    assert.equal((await s.commands.stop("alpha", ANA)).state, "stopped");
    assert.equal((await s.commands.bot("alpha")).why, "stopped");

    const audit = (await s.commands.audit(10)).audit;
    assert.deepEqual(
      audit.slice(0, 3).map((a) => [a.action, a.target, a.surface, a.actor, a.outcome]),
      [
        ["stop", "alpha", "telegram", "@ana", "ok"],
        ["resume", "alpha", "discord", "bo#0001", "ok"],
        ["pause", "alpha", "telegram", "@ana", "ok"],
      ],
    );

    await assert.rejects(() => s.commands.pause("alpha", ANA), ConflictError);
    const refused = (await s.commands.audit(1)).audit[0];
    assert.equal(refused.actor, "@ana");
    assert.match(String(refused.outcome), /^error: Bot "alpha" is stopped/);
    await assert.rejects(() => s.commands.start("nope", ANA), NotFoundError);
    await assert.rejects(() => s.commands.bot("nope"), NotFoundError);
    await assert.rejects(() => s.commands.confirm("alpha:nope", ANA), ConflictError);
    await assert.rejects(() =>
      s.commands.manualOrder({
        bot_id: "beta",
        side: "buy",
        type: "market",
        qty: 1,
        reduce_only: false,
      }, ANA), ConflictError);
    await assert.rejects(() => s.commands.backtest("nope"), NotFoundError);
    await assert.rejects(
      () =>
        s.commands.runBacktest({
          strategy: "sma_cross",
          exchange: "okx",
          symbol: "NOPE/USDT",
          timeframe: "1m",
          params: {},
        }),
      InputError,
    );

    const changed = await s.commands.changeSettings({ confirmation_ttl_s: 60 }, BO);
    assert.deepEqual(changed, { require_confirmation: false, confirmation_ttl_s: 60 });
    const settings = (await s.commands.audit(1)).audit[0];
    assert.deepEqual([settings.action, settings.surface, settings.actor], [
      "settings",
      "discord",
      "bo#0001",
    ]);
    const killed = await s.commands.kill(false, ANA);
    assert.deepEqual(killed, { stopped: ["beta"], flatten: false });
    assert.deepEqual(s.commands.status(), {
      mode: "paper",
      bots: 2,
      running: 0,
      states: { stopped: 2 },
    });
  } finally {
    await s.close();
  }
});

Deno.test("confirmations: who confirmed or rejected is recorded with the decision", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/p.duckdb`, {
    requireConfirmation: true,
    confirmationTtlMs: 120_000,
  }, 600);
  try {
    // A newer signal may replace a held entry before the verdict (the replay runs fast): the
    // verdict is then refused as a conflict, and the next held entry is decided instead. Held
    // entries are looked up in the store after each event, so none is missed between two waits.
    const tried = new Set<string>();
    const decideNext = async (verdict: "confirm" | "reject", who: Actor) => {
      for (let attempt = 0; attempt < 10; attempt++) {
        const id = await untilEvent(
          s.service.bus,
          async () => {
            const rows = (await s.commands.pending("pending")).pending;
            return rows.map((r) => String(r.id)).find((id) =>
              id.startsWith("beta:") && !tried.has(id)
            );
          },
          120_000,
          "an entry of beta held",
        );
        tried.add(id);
        try {
          const out = await s.commands.decide(id, verdict, who);
          assert.deepEqual(out, { id, status: verdict === "confirm" ? "confirmed" : "rejected" });
          return id;
        } catch (err) {
          assert.ok(err instanceof ConflictError);
          assert.match(err.message, /no longer waiting|already superseded/);
        }
      }
      throw new Error("every held entry was replaced before it could be decided");
    };
    const confirmed = await decideNext("confirm", ANA);
    const rejected = await decideNext("reject", BO);
    const rows = (await s.commands.pending()).pending;
    const by = (id: string) => rows.find((r) => r.id === id);
    assert.deepEqual([by(confirmed)?.status, by(confirmed)?.decided_by], [
      "confirmed",
      "telegram:@ana",
    ]);
    assert.deepEqual([by(rejected)?.status, by(rejected)?.decided_by], [
      "rejected",
      "discord:bo#0001",
    ]);
    const audit = (await s.commands.audit(100)).audit;
    assert.ok(audit.some((a) => a.action === "confirm" && a.actor === "@ana"));
    assert.ok(audit.some((a) => a.action === "reject" && a.actor === "bo#0001"));
  } finally {
    await s.close();
  }
});

Deno.test("one bot, positions and portfolio: unrealised P&L is equity less balance", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/u.duckdb`);
  try {
    await untilEvent(
      s.service.bus,
      () => s.commands.positions().positions.length > 0,
      120_000,
      "a position",
    );
    // Stopped without flattening: positions stay, and nothing moves while answers are compared.
    const { bots } = await s.commands.controlAll("stop", ANA, { mode: "paper" });
    assert.deepEqual(bots, [
      { bot_id: "alpha", state: "stopped" },
      { bot_id: "beta", state: "stopped" },
    ]);
    const positions = s.commands.positions().positions;
    assert.ok(positions.length > 0);
    for (const p of positions) {
      const { bot_id, unrealised_pnl, ...position } = p;
      const one = await s.commands.bot(bot_id);
      assert.deepEqual(one.position, position);
      assert.equal(one.unrealised_pnl, unrealised_pnl);
      assert.equal(unrealised_pnl, one.equity! - one.balance!);
    }
    for (const id of ["alpha", "beta"]) {
      const one = await s.commands.bot(id);
      assert.equal(one.bot_id, id);
      if (one.equity === null || one.balance === null) assert.equal(one.unrealised_pnl, null);
      else assert.equal(one.unrealised_pnl, one.equity - one.balance);
    }
    const portfolio = s.commands.portfolio();
    const sum = portfolio.bots.reduce((a, b) => a + b.unrealised_pnl, 0);
    assert.equal(portfolio.unrealised_pnl, sum);
    assert.equal(portfolio.initial, 20_000);
  } finally {
    await s.close();
  }
});

Deno.test("P&L by period: per bot from its records, and their sum in total", async () => {
  await using dir = await tempDir();
  // 600x: a replayed day takes 144 s, far longer than this test, so every period begins before
  // the bots' first records.
  const s = await start(`${dir.path}/l.duckdb`, {}, 600);
  try {
    await untilEvent(
      s.service.bus,
      async () => {
        const t = await s.commands.trades({ limit: 10, offset: 0 });
        return t.trades.length >= 4;
      },
      120_000,
      "four trades",
    );
    await s.commands.kill(true, ANA); // flattened and stopped: the records hold still
    const pnl = await s.commands.pnl();
    assert.ok(pnl.at <= s.service.clock.now());
    for (const b of pnl.bots) {
      const trades = await s.service.bots.trades(b.bot_id);
      const [last] = await s.service.bots.page("equity", b.bot_id, { limit: 1 });
      const equity = (await s.commands.bot(b.bot_id)).equity ?? Number(last.equity);
      for (const period of ["day", "7d", "30d", "all"] as const) {
        const p = b[period];
        assert.equal(p.start_equity, 10_000, `${b.bot_id} ${period}`);
        assert.equal(p.equity, equity);
        assert.equal(p.pnl, equity - 10_000);
        assert.equal(p.return, (equity - 10_000) / 10_000);
        assert.equal(p.trades, trades.length);
        assert.equal(p.realised, trades.reduce((a, t) => a + t.pnl, 0));
      }
      // flattened: nothing is unrealised, so the equity change is the realised P&L
      assert.ok(Math.abs(b.all.pnl - b.all.realised) < 1e-6, `${b.bot_id}: ${b.all.pnl}`);
    }
    const [a, b] = pnl.bots;
    assert.deepEqual(pnl.total.all.trades, a.all.trades + b.all.trades);
    assert.equal(pnl.total.all.pnl, (a.all.equity + b.all.equity) - 20_000);
    assert.equal(pnl.total.all.realised, a.all.realised + b.all.realised);
    const paper = await s.commands.pnl({ mode: "paper" });
    assert.deepEqual(paper.total, pnl.total);
    assert.deepEqual((await s.commands.pnl({ mode: "live" })).bots, []);
  } finally {
    await s.close();
  }
});
