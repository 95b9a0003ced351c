// What a person can ask of the running service, without transport: every surface (HTTP, chat, the
// status page) parses its own input, calls these and renders the plain data they return.

import { computeMetrics } from "../backtest/metrics.ts";
import { InputError, TidewatchError } from "../core/errors.ts";
import { timeframeMs } from "../core/timeframe.ts";
import { findStrategy, loadStrategies } from "../engine/strategy_registry.ts";
import {
  type BacktestJob,
  type BacktestRequest,
  BacktestRequestError,
} from "../service/backtest_jobs.ts";
import type { Bot } from "../service/bot.ts";
import type { BusEvent, BusListener } from "../service/event_bus.ts";
import { parityReport } from "../service/parity.ts";
import type { Received, ReceivedInput } from "../service/alert_intake.ts";
import type { Service } from "../service/service.ts";
import type { AlertQuery } from "../store/alert_store.ts";
import type { SettingsPatch } from "../service/settings.ts";
import type { Actor, BotAction } from "../service/supervisor.ts";
import { indicatorLines } from "./bot_indicators.ts";
import { ConflictError, InvalidFieldError, NotFoundError } from "./errors.ts";
import { BotFigures, unrealised } from "./bot_figures.ts";
import { type PnlByPeriod, totalPnl } from "./pnl.ts";
import { type ScannerQuery, ScannerView } from "./scanner_view.ts";
import { strategyCatalog, type StrategyInfo } from "./strategy_catalog.ts";
import { type BotStatus, whyNotTrading } from "./why.ts";

export type { Actor, BotAction };

/** The record tables of a bot, as `records` pages them. */
export const RECORD_TABLES = [
  "decisions",
  "orders",
  "fills",
  "positions",
  "trades",
  "equity",
] as const;

/** One of the record tables. */
export type RecordTable = typeof RECORD_TABLES[number];

/** A page of records, newest first (candles: oldest first), within [from, to] UTC ms. */
export interface Page {
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

/** Which bots a command covers: those of one mode, or every bot [every bot]. */
export interface Scope {
  mode?: "paper" | "live";
}

/** A manual order on a live bot's account. */
export interface ManualOrder {
  bot_id: string;
  side: "buy" | "sell";
  type: "market" | "limit";
  qty: number;
  price?: number;
  reduce_only: boolean;
}

/** What a test message did in one chat. */
export interface NotificationTestResult {
  platform: string;
  chat: string;
  ok: boolean;
  error?: string;
}

/** The chat surface's notifications, as it registers them with the command core. */
export interface Notifications {
  /** Sends a test message to every configured chat; answers what each did. */
  test(who: Actor): Promise<NotificationTestResult[]>;
}

/** A pending confirmation's status. */
export type PendingStatus = "pending" | "confirmed" | "rejected" | "expired" | "superseded";

const LIVE_REFUSAL = "set TRADING_MODE=live and TRADING_APPROVED=true and give the exchange keys";

/** Longest actor (a user name, a chat handle) and surface name a write may carry. */
export const MAX_ACTOR_LENGTH = 64;

/**
 * Refuses an actor no audit line should carry: empty, longer than {@link MAX_ACTOR_LENGTH}, or
 * holding control characters. Surfaces take the actor from who authenticated, never from input.
 */
function checkActor(who: Actor): void {
  for (const field of ["surface", "actor"] as const) {
    const v = who[field];
    if (typeof v !== "string" || v === "" || v.length > MAX_ACTOR_LENGTH || /\p{Cc}/u.test(v)) {
      throw new InvalidFieldError(
        [field],
        `The ${field} of a write must be 1 to ${MAX_ACTOR_LENGTH} printable characters; got ${
          typeof v === "string" ? `${v.length} characters` : typeof v
        }.`,
      );
    }
  }
}

/**
 * Candles read before the first one asked for, so indicators start warmed up: this many, or 10
 * warm-ups of the strategy when more (an EMA's start then no longer shows in its values).
 */
const INDICATOR_HISTORY = 1000;

/**
 * The command core. Reads return plain data; every write takes the {@link Actor} asking (who,
 * through which surface), which the audit log records. Refusals are core errors:
 * {@link NotFoundError} (a name that does not exist), {@link ConflictError} (the state refuses
 * it now) and other `InputError`s (the request itself is wrong).
 *
 * @example
 * ```ts
 * const commands = new Commands(await startService({ db, entries, replay: { speed: 60 } }));
 * await commands.pause("ema_crossover_01", { surface: "telegram", actor: "@ana" });
 * const { total } = await commands.pnl();
 * ```
 */
export class Commands {
  #notifications: Notifications | undefined;
  #catalog?: Promise<StrategyInfo[]>;
  readonly #scanner: ScannerView;
  readonly #figures: BotFigures;

  constructor(private readonly service: Service) {
    this.#scanner = new ScannerView(service.reads.candles, { now: () => service.wallNow() });
    this.#figures = new BotFigures(service);
  }

  // ---- notifications ----

  /** Registers (or, with undefined, removes) where notifications go: the chat surface. */
  setNotifications(n: Notifications | undefined): void {
    this.#notifications = n;
  }

  /** Sends a test message to every configured chat (audited); answers what each did. */
  async testNotifications(who: Actor) {
    checkActor(who);
    if (!this.#notifications) {
      throw new ConflictError(
        "Chat is off: set TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN (and their chat ids) and restart.",
      );
    }
    const chats = await this.#notifications.test(who);
    const failed = chats.filter((c) => !c.ok).length;
    await this.service.supervisor.audit(
      "notifications_test",
      null,
      who,
      failed ? `${failed} of ${chats.length} failed` : "ok",
    );
    return { sent: chats.length - failed, failed, chats };
  }

  // ---- the service ----

  /** The service's mode, its exchanges' reachability and how many bots are in each state. */
  health() {
    const bots: Record<string, number> = {};
    for (const b of this.service.supervisor.bots.values()) bots[b.state] = (bots[b.state] ?? 0) + 1;
    return { mode: this.service.mode, exchanges: this.service.feed.health(), bots };
  }

  /** How many bots (of the scope) there are, how many run, and how many are in each state. */
  status(scope: Scope = {}) {
    const bots = this.#bots(scope).map((b) => b.status());
    const states: Record<string, number> = {};
    for (const b of bots) states[b.state] = (states[b.state] ?? 0) + 1;
    return {
      mode: scope.mode ?? this.service.mode,
      bots: bots.length,
      running: bots.filter((b) => b.state === "running" || b.state === "paused").length,
      states,
    };
  }

  /** Every bot (of the scope) with its state, equity and position. */
  bots(scope: Scope = {}) {
    return { bots: this.#bots(scope).map((b) => b.status()) };
  }

  /**
   * Every bot (of the scope) as a list of them shows it: its status (its open position with its
   * `sl` and `tp` prices when set), the position's unrealised P&L, P&L over the last 24 h
   * (`pnl_today`, /api/pnl's `day`) and since the start (`pnl_total`), and why it is (not)
   * trading; and the `total` of them all (equity, P&L and return today and since the start,
   * trades), summed as /api/pnl sums. Its store reads are kept, and a busy read connection never
   * stalls it: it then shows the P&L and decisions of the last read (see {@link BotFigures}).
   */
  botsOverview(scope: Scope = {}) {
    return this.#figures.overview(this.#bots(scope));
  }

  /**
   * One bot: its status (state, equity, position with its `sl` and `tp` prices when set, open
   * orders), the unrealised P&L of its position, P&L over the last 24 h (`pnl_today`) and since
   * the start (`pnl_total`), its latest decision and why it is (not) trading.
   */
  async bot(id: string) {
    const b = this.#bot(id);
    const status = b.status();
    const [latest] = await this.service.reads.bots.page("decisions", id, { limit: 1 });
    const now = this.service.clock.now();
    const pnl = await this.#figures.pnl(b, now, ["day", "all"], { trades: false, status });
    return {
      ...status,
      unrealised_pnl: unrealised(status),
      pnl_today: pnl.day.pnl,
      pnl_total: pnl.all.pnl,
      latest_decision: latest ?? null,
      why: whyNotTrading(status, latest),
    };
  }

  /** A page of one of a bot's record tables, newest first. */
  async records(id: string, table: RecordTable, page: Page) {
    this.#bot(id);
    const rows = await this.service.reads.bots.page(table, id, page);
    return { bot_id: id, count: rows.length, offset: page.offset, [table]: rows };
  }

  /** Candles of a bot's series, oldest first, as columns (`total`: how many in the range). */
  async candles(id: string, page: Page) {
    const b = this.#bot(id);
    const all = await this.service.reads.candles.read(b.key, {
      from: page.from,
      to: page.to === undefined ? undefined : page.to + 1,
    });
    const pick = (a: Float64Array) => Array.from(a.subarray(page.offset, page.offset + page.limit));
    return {
      bot_id: id,
      ...b.key,
      total: all.ts.length,
      ts: pick(all.ts),
      open: pick(all.open),
      high: pick(all.high),
      low: pick(all.low),
      close: pick(all.close),
      volume: pick(all.volume),
    };
  }

  /**
   * The indicators bot `id`'s strategy declares, on the bot's candles of `page` (the range and
   * paging of {@link candles}): one line per indicator output, with the candles' open times.
   * Computed by the engine's kernels over the candles in range and up to
   * {@link INDICATOR_HISTORY} before it (all stored ones when `from` is not given).
   */
  async indicators(id: string, page: Page) {
    const b = this.#bot(id);
    const def = findStrategy(await loadStrategies(), b.spec.strategy);
    if (!def) {
      throw new ConflictError(`Strategy "${b.spec.strategy}" of bot "${id}" is not loaded.`);
    }
    const tf = timeframeMs(b.spec.timeframe);
    const history = Math.max(INDICATOR_HISTORY, 10 * def.warmup(b.spec.params));
    const all = await this.service.reads.candles.read(b.key, {
      from: page.from === undefined ? undefined : page.from - history * tf,
      to: page.to === undefined ? undefined : page.to + 1,
    });
    let first = 0;
    if (page.from !== undefined) {
      while (first < all.ts.length && all.ts[first] < page.from) first++;
    }
    const start = Math.min(all.ts.length, first + page.offset);
    const end = Math.min(all.ts.length, start + page.limit);
    const series = { symbol: b.spec.symbol, timeframe: b.spec.timeframe };
    return {
      bot_id: id,
      strategy: def.name,
      total: all.ts.length - first,
      ts: Array.from(all.ts.subarray(start, end)),
      lines: indicatorLines(def, b.spec.params, series, all, { start, end }),
    };
  }

  /** A backtest of the candles the bot traded on, its decisions compared with the bot's own. */
  async parity(id: string) {
    const { bots, candles } = this.service.reads;
    return await parityReport(this.#bot(id), bots, candles);
  }

  // ---- control ----

  /** Starts, stops, pauses or resumes one bot (audited); returns its status after. */
  async control(id: string, action: BotAction, who: Actor): Promise<BotStatus> {
    checkActor(who);
    this.#bot(id);
    try {
      return await this.service.supervisor.control(id, action, who);
    } catch (err) {
      throw new ConflictError((err as Error).message, { cause: err });
    }
  }

  /** Starts one bot (audited). */
  start(id: string, who: Actor): Promise<BotStatus> {
    return this.control(id, "start", who);
  }

  /** Stops one bot (audited). */
  stop(id: string, who: Actor): Promise<BotStatus> {
    return this.control(id, "stop", who);
  }

  /** Pauses one bot: no new entries, exits still managed (audited). */
  pause(id: string, who: Actor): Promise<BotStatus> {
    return this.control(id, "pause", who);
  }

  /** Resumes a paused bot (audited). */
  resume(id: string, who: Actor): Promise<BotStatus> {
    return this.control(id, "resume", who);
  }

  /** Starts or stops every bot of the scope, one after the other (each audited). */
  async controlAll(action: "start" | "stop", who: Actor, scope: Scope = {}) {
    checkActor(who);
    const done = [];
    for (const b of this.#bots(scope)) {
      done.push(await this.service.supervisor.control(b.spec.botId, action, who));
    }
    return { bots: done.map((d) => ({ bot_id: d.bot_id, state: d.state })) };
  }

  /** Stops every bot and cancels their entries; `flatten` closes their positions first (audited). */
  async kill(flatten: boolean, who: Actor) {
    checkActor(who);
    return await this.service.supervisor.kill(flatten, who);
  }

  /**
   * Resets the paper accounts: their records and events are deleted and the running ones start
   * afresh (audited). Live accounts are at the exchange and cannot be reset.
   */
  async reset(who: Actor) {
    checkActor(who);
    const ids = this.#bots({ mode: "paper" }).map((b) => b.spec.botId);
    if (ids.length === 0) throw new ConflictError("There are no paper bots to reset.");
    return await this.service.supervisor.reset(ids, who);
  }

  /** Sends a manual order through a running live bot's account (live mode only; audited). */
  async manualOrder(o: ManualOrder, who: Actor) {
    checkActor(who);
    if (!this.service.manualOrders) {
      throw new ConflictError(
        `Manual orders need live mode, and this service runs in paper mode: ${LIVE_REFUSAL}.`,
      );
    }
    return await this.service.supervisor.manualOrder(o.bot_id, {
      side: o.side,
      type: o.type,
      qty: o.qty,
      price: o.price,
      reduceOnly: o.reduce_only,
    }, who);
  }

  /**
   * Records an attempt a surface refused itself (a chat user not on its allow-list, a read-only
   * user asking to act): an audit line with `outcome`, and nothing else. `action` and `target`
   * are cut to fit the audit log.
   */
  async refused(action: string, target: string | null, who: Actor, outcome: string) {
    checkActor(who);
    const cut = (s: string) => s.slice(0, 200);
    await this.service.supervisor.audit(cut(action), target && cut(target), who, cut(outcome));
  }

  // ---- confirmations ----

  /** Orders waiting for confirmation (and past ones, with their status), newest first. */
  async pending(status?: PendingStatus) {
    return { pending: await this.service.reads.bots.pending(status) };
  }

  /** Confirms or rejects a pending order (audited). */
  async decide(pendingId: string, verdict: "confirm" | "reject", who: Actor) {
    checkActor(who);
    try {
      return await this.service.supervisor.decide(pendingId, verdict, who);
    } catch (err) {
      throw new ConflictError((err as Error).message, { cause: err });
    }
  }

  /** Confirms a pending order: it is sent (audited). */
  confirm(pendingId: string, who: Actor) {
    return this.decide(pendingId, "confirm", who);
  }

  /** Rejects a pending order: it is dropped (audited). */
  reject(pendingId: string, who: Actor) {
    return this.decide(pendingId, "reject", who);
  }

  // ---- accounts ----

  /** Equity, balance and unrealised P&L per bot of the scope and in total. */
  portfolio(scope: Scope = {}) {
    const rows = this.#bots(scope).map((b) => {
      const st = b.status();
      return {
        bot_id: b.spec.botId,
        initial: b.spec.virtualBalance,
        equity: st.equity ?? b.spec.virtualBalance,
        balance: st.balance ?? b.spec.virtualBalance,
        unrealised_pnl: unrealised(st) ?? 0,
      };
    });
    const sum = (k: "initial" | "equity" | "balance" | "unrealised_pnl") =>
      rows.reduce((a, r) => a + r[k], 0);
    const initial = sum("initial");
    return {
      initial,
      equity: sum("equity"),
      balance: sum("balance"),
      unrealised_pnl: sum("unrealised_pnl"),
      total_return: initial > 0 ? sum("equity") / initial - 1 : null,
      bots: rows,
    };
  }

  /** Open positions of the bots of the scope, with their unrealised P&L. */
  positions(scope: Scope = {}) {
    return {
      positions: this.#bots(scope).flatMap((b) => {
        const st = b.status();
        const p = st.position;
        return p ? [{ bot_id: b.spec.botId, ...p, unrealised_pnl: unrealised(st) }] : [];
      }),
    };
  }

  /** Closed trades of the bots of the scope, newest first (paged, by exit time). */
  async trades(page: Page, scope: Scope = {}) {
    const all = [];
    for (const b of this.#bots(scope)) {
      const rows = await this.service.reads.bots.page("trades", b.spec.botId, {
        ...page,
        limit: page.limit + page.offset,
        offset: 0,
      });
      all.push(...rows);
    }
    all.sort((a, b) => Number(b.exit_ts) - Number(a.exit_ts));
    return { trades: all.slice(page.offset, page.offset + page.limit) };
  }

  /** Metrics of each bot of the scope from its equity snapshots and trades. */
  async performance(scope: Scope = {}) {
    const out = [];
    for (const b of this.#bots(scope)) {
      const eq = (await this.service.reads.bots.page("equity", b.spec.botId, { limit: 1_000_000 }))
        .reverse();
      const trades = await this.service.reads.bots.trades(b.spec.botId);
      const metrics = computeMetrics({
        equity: Float64Array.from(eq, (r) => Number(r.equity)),
        ts: Float64Array.from(eq, (r) => Number(r.ts)),
        timeframeMs: timeframeMs(b.spec.timeframe),
        trades,
        initialEquity: b.spec.virtualBalance,
        fees: trades.reduce((a, t) => a + t.fees, 0),
        funding: trades.reduce((a, t) => a + t.funding, 0),
        exposureBars: Math.round(
          trades.reduce((a, t) => a + (t.exit_ts - t.entry_ts), 0) /
            timeframeMs(b.spec.timeframe),
        ),
      });
      out.push({ bot_id: b.spec.botId, strategy: b.spec.strategy, metrics });
    }
    return { bots: out };
  }

  /**
   * P&L over the last day, 7 days, 30 days and since the start (`all`), up to now on the bots'
   * clock (the replay's when replaying), per bot of the scope and in total. A period's P&L is the
   * change of equity over it (realised and unrealised, net of fees and funding); `realised` and
   * `trades` count the trades closed in it. An account begun inside a period starts it at its
   * initial balance (a paper bot's virtual balance, a live bot's first recorded equity).
   */
  async pnl(scope: Scope = {}) {
    const now = this.service.clock.now();
    const bots: ({ bot_id: string; mode: "paper" | "live" } & PnlByPeriod)[] = [];
    for (const b of this.#bots(scope)) {
      const periods = await this.#figures.pnl(b, now);
      bots.push({ bot_id: b.spec.botId, mode: b.spec.mode, ...periods });
    }
    return { at: now, bots, total: totalPnl(bots) };
  }

  // ---- settings and records of the service ----

  /** The service's settings (including whether orders need confirmation). */
  async settings() {
    return await this.service.settings.get();
  }

  /** Changes the settings `patch` names, and only them (audited); returns the settings after. */
  async changeSettings(patch: SettingsPatch, who: Actor) {
    checkActor(who);
    return await this.service.settings.patch(patch, who);
  }

  /**
   * Keeps a surface's own state across restarts (e.g. which chat messages show a pending
   * confirmation), under `surface.<key>`; `undefined` forgets it.
   */
  async keep(key: string, value: unknown): Promise<void> {
    await this.service.bots.setSetting(`surface.${key}`, value ?? null);
  }

  /** What {@link keep} stored under `key`, or undefined. */
  async kept<T>(key: string): Promise<T | undefined> {
    return (await this.service.bots.getSetting<T>(`surface.${key}`)) ?? undefined;
  }

  /** The audit log of control actions, newest first. */
  async audit(limit = 100) {
    return { audit: await this.service.reads.bots.auditLog(limit) };
  }

  /** Bot failures and restarts, newest first. */
  async incidents() {
    return { incidents: await this.service.reads.bots.incidents() };
  }

  /** Now on the bots' clock (the replay's when replaying), UTC ms. */
  now(): number {
    return this.service.clock.now();
  }

  /** Events the bus still holds after id `after`, oldest first. */
  eventsSince(after: number): BusEvent[] {
    return this.service.bus.since(after);
  }

  /** Calls `fn` with every event from now on; returns the function that stops it. */
  onEvent(fn: BusListener): () => void {
    return this.service.bus.subscribe(fn);
  }

  // ---- webhook alerts ----

  /** True when a bot with this id exists (running or not). */
  hasBot(id: string): boolean {
    return this.service.supervisor.bots.has(id);
  }

  /**
   * What the webhook needs of bot `id` to check and read its alerts: its market, whether it
   * takes alerts (`source: tradingview`), its own secret (a `WebhookSecret`: it can be checked,
   * never shown) and its plain-text template; undefined for an unknown bot.
   */
  alertTarget(id: string) {
    const bot = this.service.supervisor.bots.get(id);
    if (!bot) return undefined;
    const a = bot.spec.alerts;
    return {
      bot_id: id,
      exchange: bot.spec.exchange,
      symbol: bot.spec.symbol,
      takes_alerts: a !== undefined,
      secret: a?.secret,
      template: a?.template,
    };
  }

  /**
   * Takes in an alert already authenticated by its surface (the webhook): journaled durably
   * when this resolves, de-duplicated by `key`. The body must no longer hold the secret (nor may
   * `parsed`, what the surface read of it, handed to processing as it is).
   */
  async receiveAlert(a: ReceivedInput): Promise<Received> {
    if (!this.hasBot(a.bot_id)) throw new NotFoundError(`No bot "${a.bot_id}".`);
    return await this.service.alerts.receive(a);
  }

  /**
   * Received alerts with their fate, newest first (filter by bot, state, time; paged). A bot
   * filter may name a bot no longer configured: its alerts stay listed.
   */
  async alerts(q: AlertQuery) {
    const { total, alerts } = await this.service.alerts.list(q);
    return { total, offset: q.offset ?? 0, count: alerts.length, alerts };
  }

  // ---- research ----

  /**
   * Every strategy in strategies/ with its parameters as form inputs (type, default, bounds,
   * choices), read once: strategies do not change while the service runs.
   */
  async strategies(): Promise<{ strategies: StrategyInfo[] }> {
    this.#catalog ??= loadStrategies().then(strategyCatalog);
    this.#catalog.catch(() => this.#catalog = undefined);
    return { strategies: await this.#catalog };
  }

  /**
   * The latest volatility ranking of the stored candles (no network) for a timeframe [the one
   * with the most stored series] and exchange [every one]; kept until those candles change, a
   * minute at most.
   */
  async scanner(q: ScannerQuery) {
    return await this.#scanner.latest(q);
  }

  // ---- backtests ----

  /**
   * Runs a backtest on stored candles in the background; returns its job (follow it with
   * {@link backtest}). Every value is checked before the job is accepted: the strategy, its
   * parameters, the series, the range and the amounts; what is refused is an
   * {@link InvalidFieldError} naming the fields.
   */
  async runBacktest(req: BacktestRequest): Promise<BacktestJob> {
    try {
      return await this.service.jobs.submit(req);
    } catch (err) {
      if (err instanceof BacktestRequestError) {
        throw new InvalidFieldError(err.problems.map((p) => p.field), err.message, { cause: err });
      }
      if (err instanceof TidewatchError) throw err;
      throw new InputError((err as Error).message, { cause: err });
    }
  }

  /** Background jobs (with progress) and stored runs. */
  async backtests() {
    return { jobs: this.service.jobs.list(), runs: await this.service.reads.runs.list() };
  }

  /**
   * A job (job-N) with its progress, or a stored run with its metrics and trades (and its equity
   * curve when `equity` is asked for).
   */
  async backtest(id: string, o: { equity?: boolean } = {}) {
    const job = this.service.jobs.get(id);
    if (job) return job;
    const run = await this.service.reads.runs.get(id, o);
    if (!run) throw new NotFoundError(`Backtest "${id}" does not exist.`);
    return run;
  }

  /** Cancels a running job, forgets a finished one, or deletes a stored run (and its jobs). */
  async deleteBacktest(id: string) {
    const job = this.service.jobs.remove(id);
    if (job) return job.state === "cancelled" ? { cancelled: 1, job } : { deleted: 1 };
    const n = await this.service.runs.delete(id);
    if (n === 0) throw new NotFoundError(`Backtest "${id}" does not exist.`);
    this.service.jobs.forgetRuns(id);
    return { deleted: n };
  }

  /** Cancels every running job and deletes every stored run (and the jobs that made them). */
  async deleteBacktests() {
    const cancelled = this.service.jobs.cancelAll();
    const deleted = await this.service.runs.delete();
    this.service.jobs.forgetRuns();
    return { deleted, cancelled };
  }

  #bots(scope: Scope): Bot[] {
    const all = [...this.service.supervisor.bots.values()];
    return scope.mode ? all.filter((b) => b.spec.mode === scope.mode) : all;
  }

  #bot(id: string): Bot {
    try {
      return this.service.supervisor.get(id);
    } catch (err) {
      throw new NotFoundError((err as Error).message, { cause: err });
    }
  }
}
