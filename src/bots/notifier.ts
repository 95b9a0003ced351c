// Chat notifications: bus events (fills, suspensions, kills, incidents...) as short chat messages.

import { closestName } from "../core/closest_name.ts";
import { ConfigError } from "../core/errors.ts";
import { withDefaults } from "../core/options.ts";
import { ENTRY_RULES } from "../risk/gate.ts";
import type { BacktestJob } from "../service/backtest_jobs.ts";
import type { BusEvent } from "../service/event_bus.ts";
import { log as writeLog } from "../service/log.ts";
import type { Timers } from "../service/supervisor.ts";
import type { ChatMessage } from "./chat.ts";
import { money, percent, price, signedPercent } from "./render.ts";
import type { Outbox } from "./outbox.ts";

/** A kind of notification; each can be switched off (TIDEWATCH_NOTIFY_OFF). */
export type NotificationKind =
  | "fill"
  | "risk"
  | "kill"
  | "incident"
  | "exchange"
  | "backtest"
  | "refusals"
  | "daily"
  | "alert";

/** Every notification kind, in the order the docs list them. */
export const NOTIFICATION_KINDS: readonly NotificationKind[] = [
  "fill",
  "risk",
  "kill",
  "incident",
  "exchange",
  "backtest",
  "refusals",
  "daily",
  "alert",
];

/**
 * The kinds named in an environment list such as "refusals,daily" (commas or spaces, any case;
 * empty: none). An unknown name is a ConfigError naming TIDEWATCH_NOTIFY_OFF and the closest
 * valid name.
 *
 * @example
 * ```ts
 * parseNotificationKinds("refusals, daily"); // Set { "refusals", "daily" }
 * ```
 */
export function parseNotificationKinds(text: string): Set<NotificationKind> {
  const out = new Set<NotificationKind>();
  for (const word of text.split(/[\s,]+/)) {
    const name = word.trim().toLowerCase();
    if (name === "") continue;
    if (!(NOTIFICATION_KINDS as readonly string[]).includes(name)) {
      const near = closestName(name, NOTIFICATION_KINDS);
      throw new ConfigError(
        `TIDEWATCH_NOTIFY_OFF names an unknown notification kind "${word.trim()}".` +
          (near ? ` Did you mean "${near}"?` : "") +
          ` Valid kinds: ${NOTIFICATION_KINDS.join(", ")}.`,
      );
    }
    out.add(name as NotificationKind);
  }
  return out;
}

/** Key numbers of a stored backtest run (its `metrics`), as the notifier reads them. */
export interface RunMetrics {
  total_return?: unknown;
  trades?: unknown;
  max_drawdown?: unknown;
}

/** Options of {@link Notifier}. */
export interface NotifierOptions {
  /** Subscribes to the service's events (EventBus.subscribe); returns the unsubscriber. */
  subscribe: (fn: (e: BusEvent) => void) => () => void;
  /** Where messages go: every configured chat. */
  outbox: Pick<Outbox, "broadcast">;
  /** Kinds switched off [none]. */
  off?: ReadonlySet<NotificationKind>;
  /** The daily summary, sent at 00:00 UTC. */
  daily: () => Promise<ChatMessage>;
  /** Wall clock (UTC ms) for the daily summary and outage lengths. */
  wallNow: () => number;
  /** Timers for the daily summary, refusal summaries and outage thresholds [setTimeout]. */
  timers?: Timers;
  /** How often refused entries are summarised per bot [3600000 ms]. */
  refusalSummaryMs?: number;
  /** How long an exchange must stay unreachable before chats are told [60000 ms]. */
  unreachableAfterMs?: number;
  /** The metrics of stored backtest run `runId` (absent: "done" without numbers). */
  backtestMetrics?: (runId: string) => Promise<RunMetrics | undefined>;
  /** Where failures of the notifier itself go [log()]. */
  log?: typeof writeLog;
}

const REAL_TIMERS: Timers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    Deno.unrefTimer(t);
    return t;
  },
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

const DAY_MS = 86_400_000;

/** `o` with its defaults filled in. */
function withOptions(o: NotifierOptions) {
  return withDefaults({
    timers: REAL_TIMERS,
    refusalSummaryMs: 3_600_000,
    unreachableAfterMs: 60_000,
    log: writeLog,
    off: new Set<NotificationKind>() as ReadonlySet<NotificationKind>,
  }, o);
}

/** Risk codes that suspend a bot's entries: told once, not summarised. */
const SUSPENSIONS: Record<string, string> = {
  drawdown_suspended: "max drawdown reached",
  daily_loss_limit: "daily loss limit reached",
};

/** Refusals that are routing, not limits: a repeated signal, a disabled side. Not summarised. */
const NOT_LIMITS = new Set(["already_in_position", "direction", "no_position"]);

/** A flip whose entry side was refused still closes: the decision's reason names the rule. */
const FLIP_REFUSED = /side of the flip was refused \(([a-z_]+)\)/;

/** How often alerts taken and refused are told, per bot, at most. */
const ALERT_SUMMARY_MS = 3000;

/** Up to 10 items, then how many more. */
function cutList(items: readonly string[]): string {
  return items.length <= 10
    ? items.join(", ")
    : `${items.slice(0, 10).join(", ")} and ${items.length - 10} more`;
}

/** An alert's state change as the alert router announces it (`alert.state`). */
interface AlertStateData {
  seq: number;
  bot_id: string;
  state: string;
  rule?: string;
  reason?: string;
}

/** A fill row as bot_records.ts announces it. */
interface FillRow {
  symbol: string;
  side: string;
  qty: number;
  price: number;
  ts: number;
  exit_reason: string | null;
}

/** A trade row as bot_records.ts announces it. */
interface TradeRow {
  symbol: string;
  side: string;
  exit_ts: number;
  qty: number;
  entry_price: number;
  pnl: number;
}

/** An exit fill waiting for its trade (announced in the same batch of events). */
interface ExitWaiting {
  botId: string;
  fill: FillRow;
}

/** An exchange told unreachable and not yet back. */
interface Outage {
  since: number;
  timer?: unknown;
  announced: boolean;
}

/**
 * Turns the service's events into chat messages through the {@link Outbox}: entry and exit
 * fills (exits with the trade's P&L), risk suspensions (once until the rule lets an entry
 * through), the kill switch, failed and relaunched bots, exchange outages longer than
 * `unreachableAfterMs`, finished backtests, a per-bot summary of refused entries every
 * `refusalSummaryMs`, and the daily summary at 00:00 UTC. Kinds in `off` send nothing.
 *
 * @example
 * ```ts
 * const n = new Notifier({ subscribe: (fn) => bus.subscribe(fn), outbox, daily, wallNow: Date.now });
 * n.start();
 * ```
 */
export class Notifier {
  readonly #o: ReturnType<typeof withOptions>;
  #unsubscribe?: () => void;
  #dailyTimer?: unknown;
  #summaryTimer?: unknown;
  /** Exit fills waiting for their trade until the current batch of events ends. */
  #exits: ExitWaiting[] = [];
  #flushQueued = false;
  /** `${bot} ${code}` of suspensions told and not lifted. */
  readonly #suspended = new Set<string>();
  /** Refused entries per bot and code since the last summary. */
  readonly #refusals = new Map<string, Map<string, number>>();
  /** Bots that failed and are not running again yet. */
  readonly #failed = new Set<string>();
  readonly #outages = new Map<string, Outage>();
  /** Alerts taken or refused since they were last told, by bot. */
  readonly #alerts = new Map<string, AlertStateData[]>();
  #alertTimer: unknown;

  constructor(o: NotifierOptions) {
    this.#o = withOptions(o);
  }

  /** Follows the events and starts the daily and refusal-summary timers. */
  start(): void {
    if (this.#unsubscribe) return;
    this.#unsubscribe = this.#o.subscribe((e) => {
      try {
        this.#on(e);
      } catch (err) {
        this.#o.log("error", "chat notification failed", { type: e.type, error: String(err) });
      }
    });
    if (this.#enabled("daily")) this.#scheduleDaily(this.#o.wallNow());
    if (this.#enabled("refusals")) this.#scheduleSummary();
  }

  /** Stops following events and stops every timer (nothing more is sent). */
  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    const { timers } = this.#o;
    if (this.#dailyTimer !== undefined) timers.clear(this.#dailyTimer);
    if (this.#summaryTimer !== undefined) timers.clear(this.#summaryTimer);
    this.#dailyTimer = this.#summaryTimer = undefined;
    for (const o of this.#outages.values()) if (o.timer !== undefined) timers.clear(o.timer);
    this.#outages.clear();
    this.#exits = [];
    if (this.#alertTimer !== undefined) timers.clear(this.#alertTimer);
    this.#alertTimer = undefined;
    this.#alerts.clear();
  }

  /**
   * An exchange went unreachable (`reachable` false) or came back (FeedNotices' `onChange`).
   * Chats hear of it only if it stays down `unreachableAfterMs`, and of its return only then.
   */
  exchangeChanged(exchange: string, reachable: boolean): void {
    if (!this.#unsubscribe) return;
    const known = this.#outages.get(exchange);
    if (!reachable) {
      if (known) return;
      const outage: Outage = { since: this.#o.wallNow(), announced: false };
      outage.timer = this.#o.timers.set(() => {
        outage.timer = undefined;
        outage.announced = true;
        const after = duration(this.#o.unreachableAfterMs);
        this.#say(
          "exchange",
          `${exchange} unreachable for over ${after}: its bots wait for data (the feed keeps retrying)`,
        );
      }, this.#o.unreachableAfterMs);
      this.#outages.set(exchange, outage);
      return;
    }
    if (!known) return;
    this.#outages.delete(exchange);
    if (known.timer !== undefined) this.#o.timers.clear(known.timer);
    if (!known.announced) return;
    const down = duration(this.#o.wallNow() - known.since);
    this.#say("exchange", `${exchange} reachable again (down ${down})`);
  }

  #enabled(kind: NotificationKind): boolean {
    return !this.#o.off.has(kind);
  }

  #say(kind: NotificationKind, text: string): void {
    if (!this.#unsubscribe || !this.#enabled(kind)) return;
    this.#o.outbox.broadcast({ text });
  }

  #on(e: BusEvent): void {
    switch (e.type) {
      case "bot.fill":
        return this.#fill(e);
      case "bot.trade":
        return this.#trade(e);
      case "bot.decision":
        return this.#decision(e);
      case "audit":
        return this.#audit(e);
      case "incident":
        return this.#incident(e);
      case "bot.status":
        return this.#status(e);
      case "backtest.done":
        return this.#backtest(e.data as BacktestJob);
      case "alert.state":
        return this.#alert(e.data as AlertStateData);
    }
  }

  /**
   * TradingView alerts taken for their bot, or refused (the rule and why), told per bot once
   * every {@link ALERT_SUMMARY_MS} at most (alerts can come by the hundred a second); fills say
   * the rest.
   */
  #alert(a: AlertStateData): void {
    if (!this.#enabled("alert") || (a.state !== "accepted" && a.state !== "refused")) return;
    const list = this.#alerts.get(a.bot_id) ?? [];
    list.push(a);
    this.#alerts.set(a.bot_id, list);
    this.#alertTimer ??= this.#o.timers.set(() => {
      this.#alertTimer = undefined;
      this.#tellAlerts();
    }, ALERT_SUMMARY_MS);
  }

  #tellAlerts(): void {
    const all = [...this.#alerts];
    this.#alerts.clear();
    for (const [bot, list] of all) {
      const taken = list.filter((a) => a.state === "accepted").map((a) => `#${a.seq}`);
      const refused = list.filter((a) => a.state === "refused");
      if (taken.length === 1) {
        this.#say("alert", `${bot}: TradingView alert ${taken[0]} taken; acts at the next candle`);
      } else if (taken.length > 1) {
        this.#say(
          "alert",
          `${bot}: ${taken.length} TradingView alerts taken (${cutList(taken)}); ` +
            `they act at the next candle`,
        );
      }
      for (const a of refused.slice(0, 5)) {
        const why = a.reason ? `: ${cut(a.reason, 200)}` : "";
        this.#say("alert", `${bot}: TradingView alert #${a.seq} refused (${a.rule})${why}`);
      }
      if (refused.length > 5) {
        this.#say("alert", `${bot}: ${refused.length - 5} more TradingView alerts refused`);
      }
    }
  }

  /** Entries are told at once; exits wait for their trade (same batch of events) for the P&L. */
  #fill(e: BusEvent): void {
    if (!this.#enabled("fill") || !e.botId) return;
    const f = e.data as FillRow;
    if (f.exit_reason === null || f.exit_reason === undefined) {
      return this.#say("fill", `${fillLine(e.botId, f)} (entry)`);
    }
    this.#exits.push({ botId: e.botId, fill: f });
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      const left = this.#exits;
      this.#exits = [];
      for (const x of left) {
        this.#say("fill", `${fillLine(x.botId, x.fill)} (exit: ${x.fill.exit_reason})`);
      }
    });
  }

  /** A closed trade: told with the exit fill it belongs to (same bot, symbol and time). */
  #trade(e: BusEvent): void {
    const t = e.data as TradeRow;
    let k = -1;
    for (let i = this.#exits.length - 1; i >= 0; i--) {
      const x = this.#exits[i];
      if (x.botId === e.botId && x.fill.symbol === t.symbol && x.fill.ts === t.exit_ts) {
        k = i;
        break;
      }
    }
    if (k < 0) return;
    const [x] = this.#exits.splice(k, 1);
    const basis = t.entry_price * t.qty;
    const pct = basis > 0 ? ` (${signedPercent(t.pnl / basis)})` : "";
    this.#say(
      "fill",
      `${fillLine(x.botId, x.fill)} (exit: ${x.fill.exit_reason}), P&L ${money(t.pnl)} ${
        quoteOf(t.symbol)
      }${pct}`,
    );
  }

  /** Suspensions are told once until the rule lets an entry through; other refusals counted. */
  #decision(e: BusEvent): void {
    const botId = e.botId;
    if (!botId) return;
    const d = e.data as { side?: string; outcome?: string; code?: string; reason?: string };
    if (d.side !== "long" && d.side !== "short") return;
    let refused: string | undefined;
    if (d.outcome === "refused") refused = d.code;
    else if (d.outcome === "order" && d.code === "close") {
      refused = FLIP_REFUSED.exec(d.reason ?? "")?.[1];
    }
    for (const code of Object.keys(SUSPENSIONS)) {
      const key = `${botId} ${code}`;
      if (refused === code) {
        if (this.#suspended.has(key)) continue;
        this.#suspended.add(key);
        this.#say(
          "risk",
          `${botId}: entries suspended, ${SUSPENSIONS[code]}: ${cut(d.reason ?? "", 200)}`,
        );
      } else if (this.#suspended.has(key) && passed(code, d.outcome, d.code, refused)) {
        this.#suspended.delete(key);
      }
    }
    if (refused === undefined || refused in SUSPENSIONS || NOT_LIMITS.has(refused)) return;
    if (!this.#enabled("refusals")) return;
    const counts = this.#refusals.get(botId) ?? new Map<string, number>();
    counts.set(refused, (counts.get(refused) ?? 0) + 1);
    this.#refusals.set(botId, counts);
  }

  #audit(e: BusEvent): void {
    const a = e.data as {
      action?: string;
      surface?: string;
      actor?: string;
      outcome?: string;
      details?: { flatten?: boolean; stopped?: string[] };
    };
    if (a.action !== "kill" || a.outcome !== "ok") return;
    const stopped = a.details?.stopped ?? [];
    const what = stopped.length ? `stopped ${stopped.join(", ")}` : "no bot was running";
    const flat = a.details?.flatten ? "; positions flattened" : "";
    this.#say("kill", `Kill switch by ${a.actor ?? "?"} (${a.surface ?? "?"}): ${what}${flat}`);
  }

  /** A failure is told on attempts 1, 2, 4, 8...; the bot running again after it, once. */
  #incident(e: BusEvent): void {
    const i = e.data as {
      kind?: string;
      message?: string;
      attempt?: number;
      restart_in_ms?: number;
    };
    if (!e.botId || i.kind !== "bot_failed") return;
    this.#failed.add(e.botId);
    const attempt = i.attempt ?? 1;
    if ((attempt & (attempt - 1)) !== 0) return;
    const again = attempt > 1 ? ` again (failure ${attempt})` : "";
    const wait = duration(i.restart_in_ms ?? 0);
    this.#say(
      "incident",
      `${e.botId} failed${again}: ${cut(i.message ?? "", 200)}; restarting in ${wait}`,
    );
  }

  #status(e: BusEvent): void {
    const state = (e.data as { state?: string }).state;
    if (!e.botId || !this.#failed.has(e.botId)) return;
    if (state === "running" || state === "paused") {
      this.#failed.delete(e.botId);
      this.#say("incident", `${e.botId} relaunched: ${state} again after the failure`);
    } else if (state === "stopped") this.#failed.delete(e.botId);
  }

  #backtest(job: BacktestJob): void {
    if (!this.#enabled("backtest") || job.state === "cancelled" || job.state === "running") return;
    const r = job.request;
    const head = `Backtest ${job.job_id} (${r.strategy} ${r.symbol} ${r.timeframe})`;
    if (job.state === "failed") {
      return this.#say("backtest", `${head} failed: ${cut(job.error ?? "", 200)}`);
    }
    const runId = job.run_id;
    if (!runId || !this.#o.backtestMetrics) return this.#say("backtest", `${head} done`);
    this.#o.backtestMetrics(runId).then(
      (m) => this.#say("backtest", `${head} done${m ? `: ${metricsLine(m)}` : ""}`),
      (err) => {
        this.#o.log("warn", "backtest metrics unreadable for chat", {
          run_id: runId,
          error: String(err),
        });
        this.#say("backtest", `${head} done`);
      },
    );
  }

  #scheduleDaily(after: number): void {
    const next = Math.floor(after / DAY_MS) * DAY_MS + DAY_MS;
    const delay = Math.max(0, next - this.#o.wallNow());
    this.#dailyTimer = this.#o.timers.set(() => {
      this.#dailyTimer = undefined;
      if (!this.#unsubscribe) return;
      // From the later of now and the planned midnight: a timer firing a little early must not
      // send the same day's summary twice.
      this.#scheduleDaily(Math.max(this.#o.wallNow(), next));
      this.#o.daily().then(
        (m) => {
          if (this.#unsubscribe && this.#enabled("daily")) this.#o.outbox.broadcast(m);
        },
        (err) => this.#o.log("warn", "daily summary failed", { error: String(err) }),
      );
    }, delay);
  }

  #scheduleSummary(): void {
    this.#summaryTimer = this.#o.timers.set(() => {
      this.#summaryTimer = undefined;
      if (!this.#unsubscribe) return;
      this.#summarise();
      this.#scheduleSummary();
    }, this.#o.refusalSummaryMs);
  }

  #summarise(): void {
    const period = periodOf(this.#o.refusalSummaryMs);
    for (const [botId, counts] of this.#refusals) {
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const parts = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([code, n]) => `${code} ×${n}`);
      const entries = total === 1 ? "entry" : "entries";
      this.#say(
        "refusals",
        `${botId}: ${total} ${entries} refused in ${period}: ${parts.join(", ")}`,
      );
    }
    this.#refusals.clear();
  }
}

/**
 * Whether an entry decision got past rule `code`: it was sent (open, flip), or refused by a rule
 * that runs after it.
 */
function passed(
  code: string,
  outcome: string | undefined,
  decisionCode: string | undefined,
  refused: string | undefined,
): boolean {
  if (refused === undefined) {
    return outcome === "order" && (decisionCode === "open" || decisionCode === "flip");
  }
  const at = (ENTRY_RULES as readonly string[]).indexOf(code);
  const by = (ENTRY_RULES as readonly string[]).indexOf(refused);
  return by > at;
}

/** "ema_01 BUY 0.0123 BTC/USDT @ 43,210.5" */
function fillLine(botId: string, f: FillRow): string {
  return `${botId} ${f.side.toUpperCase()} ${price(f.qty)} ${f.symbol} @ ${price(f.price)}`;
}

/** "+4.2% return, 37 trades, max DD 6.1%" from whichever numbers are there. */
function metricsLine(m: RunMetrics): string {
  const parts: string[] = [];
  if (typeof m.total_return === "number") parts.push(`return ${signedPercent(m.total_return)}`);
  if (typeof m.trades === "number") parts.push(`${m.trades} trade${m.trades === 1 ? "" : "s"}`);
  if (typeof m.max_drawdown === "number") parts.push(`max DD ${percent(m.max_drawdown)}`);
  return parts.join(", ");
}

/** "the last hour", "the last 6 h", "the last 15 min". */
function periodOf(ms: number): string {
  if (ms === 3_600_000) return "the last hour";
  return `the last ${duration(ms)}`;
}

/** A length of time as people say it: "45 s", "1 min", "3 min 5 s", "2 h", "1 h 30 min". */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
}

/** The quote currency of "BTC/USDT" or "BTC/USDT:USDT". */
function quoteOf(symbol: string): string {
  return symbol.split("/")[1]?.split(":")[0] ?? "";
}

function cut(text: string, max: number): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
