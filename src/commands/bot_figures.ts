// A bot's figures read from the store: its P&L by period, and the list of every bot as pages and
// monitors show it (P&L, why it is not trading, totals), with the store reads it repeats kept.

import { timeframeMs } from "../core/timeframe.ts";
import type { Bot } from "../service/bot.ts";
import type { Service } from "../service/service.ts";
import { type PeriodPnl, pnlByPeriod, type PnlPeriod, totalPnl } from "./pnl.ts";
import { type BotStatus, whyNotTrading } from "./why.ts";

/** Longest the bot list waits for the store before answering with what it read last. */
const OVERVIEW_WAIT_MS = 50;

/** Unrealised P&L of a status: equity (balance plus unrealised P&L at the marks) − balance. */
export function unrealised(st: BotStatus): number | null {
  return st.equity === null || st.balance === null ? null : st.equity - st.balance;
}

/** Options of {@link BotFigures.pnl}. */
export interface PnlOptions {
  /** Read the closed trades [true]; without them `realised` and `trades` are 0. */
  trades?: boolean;
  /** The bot's status the answer already shows, so its equity and P&L agree. */
  status?: BotStatus;
  /** Keep the equity snapshots read (see {@link BotFigures}) [false]. */
  remember?: boolean;
}

/**
 * Reads a bot's figures from the service's store. The bot list ({@link BotFigures.overview}) is
 * asked for by every open page at every change, so what it reads is kept: the latest decision is
 * then taken from the bot's `bot.decision` events (announced once stored), equity snapshots of
 * closed candles do not change, and a change of the bot's state (a start, a reset) forgets it
 * all. It never waits on a busy read connection for more than {@link OVERVIEW_WAIT_MS}.
 */
export class BotFigures {
  /** A live account's first recorded equity (its P&L starts there), by bot. */
  readonly #liveInitial = new Map<string, number>();
  /** Store reads kept, by bot and key. */
  readonly #kept = new Map<string, Map<string, Promise<unknown>>>();
  #forgetting?: () => void;
  /** What the overview shows besides the status, by bot, as last read. */
  readonly #overview = new Map<
    string,
    { pnl: Record<"day" | "all", PeriodPnl>; latest?: Record<string, unknown> }
  >();
  #reading?: Promise<void>;
  #again = false;

  constructor(private readonly service: Service) {}

  /**
   * One bot's P&L over `periods` up to `now` (see `Commands.pnl`): the change of equity over
   * each, from the snapshot of the candle closed at its start (or the initial balance).
   */
  async pnl<K extends PnlPeriod = PnlPeriod>(
    b: Bot,
    now: number,
    periods?: readonly K[],
    o: PnlOptions = {},
  ) {
    const store = this.service.reads.bots;
    const id = b.spec.botId;
    const tf = timeframeMs(b.spec.timeframe);
    const read = async (to: number) => {
      const [row] = await store.page("equity", id, { to, limit: 1 });
      return row === undefined ? undefined : Number(row.equity);
    };
    const equityAt = (ts: number) => {
      // the snapshot of the latest candle closed by `ts` (a snapshot's ts is its candle's open):
      // the same for every `ts` up to the next candle's close, so it is remembered by that candle
      const to = Math.floor((ts - tf) / tf) * tf;
      return o.remember ? this.#remember(id, `equity@${to}`, () => read(to)) : read(to);
    };
    let last = (o.status ?? b.status()).equity ?? undefined;
    if (last === undefined) {
      const [latest] = await store.page("equity", id, { limit: 1 });
      last = latest ? Number(latest.equity) : undefined;
    }
    let initial = b.spec.virtualBalance;
    if (b.spec.mode === "live") {
      let first = this.#liveInitial.get(id);
      if (first === undefined) {
        const row = (await store.page("equity", id, { limit: 1_000_000 })).at(-1);
        if (row) this.#liveInitial.set(id, first = Number(row.equity));
      }
      initial = first ?? last ?? 0;
    }
    return await pnlByPeriod(now, {
      equity: last ?? initial,
      initial,
      equityAt,
      trades: (o.trades ?? true) ? await store.trades(id) : [],
    }, periods);
  }

  /**
   * `bots` as a list shows them: each status with its unrealised P&L, P&L over the last 24 h
   * (`pnl_today`) and since the start (`pnl_total`) and why it is (not) trading; and the `total`
   * of them all, summed as `Commands.pnl` sums. P&L is null before the first read finished.
   */
  async overview(bots: readonly Bot[]) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#refresh(),
      new Promise((r) => timer = setTimeout(r, OVERVIEW_WAIT_MS)),
    ]);
    clearTimeout(timer);
    const periods: Record<"day" | "all", PeriodPnl>[] = [];
    const rows = bots.map((b) => {
      const status = b.status();
      const kept = this.#overview.get(b.spec.botId);
      if (kept) periods.push(kept.pnl);
      return {
        ...status,
        unrealised_pnl: unrealised(status),
        pnl_today: kept?.pnl.day.pnl ?? null,
        pnl_total: kept?.pnl.all.pnl ?? null,
        why: whyNotTrading(status, kept?.latest),
      };
    });
    const sum = periods.length === rows.length ? totalPnl(periods, ["day", "all"]) : undefined;
    return {
      bots: rows,
      total: {
        equity: sum?.all.equity ?? null,
        pnl_today: sum?.day.pnl ?? null,
        return_today: sum?.day.return ?? null,
        pnl_total: sum?.all.pnl ?? null,
        return_total: sum?.all.return ?? null,
        trades: rows.reduce((n, b) => n + b.trades, 0),
      },
    };
  }

  /**
   * Reads every bot's P&L and latest decision for the overview, one read at a time (a call during
   * one makes it read once more); resolves when the values are current.
   */
  #refresh(): Promise<void> {
    if (this.#reading) {
      this.#again = true;
      return this.#reading;
    }
    const read = async () => {
      do {
        this.#again = false;
        const now = this.service.clock.now();
        for (const b of this.service.supervisor.bots.values()) {
          const id = b.spec.botId;
          const status = b.status();
          const latest = await this.#remember(
            id,
            "latest",
            async () => (await this.service.reads.bots.page("decisions", id, { limit: 1 }))[0],
          );
          const pnl = await this.pnl(b, now, ["day", "all"], {
            trades: false,
            status,
            remember: true,
          });
          this.#overview.set(id, { pnl, latest });
        }
      } while (this.#again);
    };
    // A failed read (the database closing) leaves the last values; the next call reads again.
    this.#reading = read().catch(() => {}).finally(() => this.#reading = undefined);
    return this.#reading;
  }

  /** `read()`'s answer for bot `botId` under `key`, kept as the class says. */
  #remember<T>(botId: string, key: string, read: () => Promise<T>): Promise<T> {
    this.#forgetting ??= this.service.bus.subscribe((e) => {
      if (e.botId === undefined) return;
      if (e.type === "bot.status") this.#kept.delete(e.botId);
      else if (e.type === "bot.decision") {
        this.#kept.get(e.botId)?.set("latest", Promise.resolve(e.data));
      }
    });
    let kept = this.#kept.get(botId);
    if (!kept) this.#kept.set(botId, kept = new Map());
    let p = kept.get(key) as Promise<T> | undefined;
    if (!p) {
      const byKey = kept;
      // A quiet bot's clock still moves: its oldest keys go (a handful are ever in use).
      while (byKey.size >= 8) byKey.delete(byKey.keys().next().value!);
      p = read();
      byKey.set(key, p);
      p.catch(() => byKey.delete(key));
    }
    return p;
  }
}
