// The live broker's calls to an exchange through ccxt: place (never twice), look up, cancel,
// fills; with retries on temporary failures and exchange refusals turned into sentences.

import ccxt from "ccxt";
import type { Exchange, Order, Trade } from "ccxt";
import {
  ConfigError,
  ExchangeError,
  ExchangeTemporaryError,
  TidewatchError,
} from "../core/errors.ts";
import type { OrderSide } from "../core/trading.ts";
import {
  isTemporary,
  type RetryOptions,
  sleep as timerSleep,
  withRetry,
} from "../exchange/retry.ts";

/** Exchange error codes meaning "that client order id already exists" (venue data). */
const DUPLICATE_CODES = new Set(["51016", "51065", "-4116", "-4015"]);

/** What the broker sends for one order. */
export interface PlaceSpec {
  symbol: string;
  type: "market" | "limit";
  side: OrderSide;
  amount: number;
  price?: number;
  /** Trigger price: the order is a conditional (algo) order. */
  triggerPrice?: number;
  /**
   * The trigger is a take-profit (contracts: TAKE_PROFIT_MARKET, sent as ccxt's
   * `takeProfitPrice`); otherwise a stop or plain trigger (`triggerPrice`).
   */
  takeProfit?: boolean;
  /** Our id at the exchange (clOrdId / algoClOrdId). */
  exchangeClientId: string;
  /** Send `reduceOnly` (contracts; spot brokers enforce it themselves). */
  reduceOnly: boolean;
}

/** How placing ended. */
export type PlaceOutcome =
  /** The exchange has the order (`lookedUp`: learnt by a look-up after an unclear failure). */
  | { kind: "acked"; exchangeOrderId: string; lookedUp: boolean }
  /** The exchange refused it; retrying the same would not help. */
  | { kind: "rejected"; code: string; reason: string }
  /** Temporary failures outlasted the retries and no look-up could tell: it may exist. */
  | { kind: "unknown"; reason: string };

/** Shared settings of the calls. */
export interface CallOptions {
  retry: RetryOptions;
  /** Exchange label for sentences ("OKX"). */
  label: string;
  /** The `fetchMyTrades` param selecting one order's fills (default "ordId"; exchanges.ts). */
  orderTradesParam?: string;
  /** The param that also carries the client id of a trigger order (exchanges.ts). */
  triggerClientIdParam?: string;
}

/** The ccxt params that carry our client id (and the trigger) for `spec`. */
export function placeParams(spec: PlaceSpec, o: CallOptions): Record<string, unknown> {
  const p: Record<string, unknown> = { clientOrderId: spec.exchangeClientId };
  if (spec.triggerPrice !== undefined) {
    if (spec.takeProfit) p.takeProfitPrice = spec.triggerPrice;
    else p.triggerPrice = spec.triggerPrice;
    if (o.triggerClientIdParam) p[o.triggerClientIdParam] = spec.exchangeClientId;
  }
  if (spec.reduceOnly) p.reduceOnly = true;
  return p;
}

/**
 * Places `spec` so that it exists at most once. Temporary failures are retried with backoff,
 * but after any failure whose effect is unclear (timeout, dropped connection, 5xx, 429) the
 * order is first looked up by its client id and only resent when the exchange says it does not
 * have it; an "id already exists" answer is also resolved by a look-up. Refusals come back as
 * `rejected`, never thrown.
 */
export async function placeOnce(
  ex: Exchange,
  spec: PlaceSpec,
  o: CallOptions,
): Promise<PlaceOutcome> {
  const attempts = o.retry.attempts ?? 5;
  const wait = o.retry.sleep ?? timerSleep;
  let unclear = false;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (unclear) {
      let found: Order | undefined | null = null;
      try {
        found = await lookupOrder(
          ex,
          spec.symbol,
          spec.exchangeClientId,
          spec.triggerPrice !== undefined,
          {
            ...o,
            retry: { ...o.retry, attempts: 1 },
          },
        );
      } catch (err) {
        if (!isTemporary(err)) throw err;
        last = err;
      }
      if (found) return { kind: "acked", exchangeOrderId: String(found.id), lookedUp: true };
      if (found === null) {
        // the look-up itself failed: do not resend blind
        await backoff(o.retry, attempt, last as Error, wait);
        continue;
      }
    }
    try {
      const order = await ex.createOrder(
        spec.symbol,
        spec.type,
        spec.side,
        spec.amount,
        spec.price,
        placeParams(spec, o),
      );
      return { kind: "acked", exchangeOrderId: String(order.id), lookedUp: false };
    } catch (err) {
      last = err;
      if (isDuplicate(err)) {
        unclear = true;
        continue;
      }
      if (!isTemporary(err)) return { kind: "rejected", ...describeRefusal(err, o.label) };
      unclear = true;
      if (attempt < attempts) await backoff(o.retry, attempt, err as Error, wait);
    }
  }
  try {
    const found = await lookupOrder(
      ex,
      spec.symbol,
      spec.exchangeClientId,
      spec.triggerPrice !== undefined,
      o,
    );
    if (found) return { kind: "acked", exchangeOrderId: String(found.id), lookedUp: true };
  } catch (err) {
    if (!isTemporary(err)) throw err;
    last = err;
  }
  return {
    kind: "unknown",
    reason: `${o.label} could not be reached after ${attempts} attempts (${brief(last)}); ` +
      `the order may or may not exist there.`,
  };
}

async function backoff(
  r: RetryOptions,
  attempt: number,
  error: Error,
  wait: (ms: number, signal?: AbortSignal) => Promise<void>,
): Promise<void> {
  const delayMs = Math.min(r.maxMs ?? 10_000, (r.baseMs ?? 500) * 2 ** (attempt - 1));
  r.onRetry?.({ attempt, delayMs, error });
  await wait(delayMs, r.signal);
}

/**
 * The order the exchange has under our client id (regular or conditional), or undefined when
 * it has none. Temporary failures are retried; others throw.
 */
export async function lookupOrder(
  ex: Exchange,
  symbol: string,
  exchangeClientId: string,
  algo: boolean,
  o: CallOptions,
): Promise<Order | undefined> {
  const params: Record<string, unknown> = { clientOrderId: exchangeClientId };
  if (algo) params.trigger = true;
  try {
    return await withRetry(
      () => ex.fetchOrder(undefined as unknown as string, symbol, params),
      o.retry,
    );
  } catch (err) {
    if (err instanceof ccxt.OrderNotFound) return undefined;
    throw err;
  }
}

/** The order by the exchange's id (conditional orders by their algo id). */
export function fetchOrderById(
  ex: Exchange,
  symbol: string,
  id: string,
  algo: boolean,
  o: CallOptions,
): Promise<Order> {
  return withRetry(() => ex.fetchOrder(id, symbol, algo ? { trigger: true } : {}), o.retry);
}

/**
 * Cancels an order at the exchange: "cancelled", or "not_open" when the exchange says it is no
 * longer open (filled, cancelled or unknown). Temporary failures are retried; others throw.
 */
export async function cancelAtExchange(
  ex: Exchange,
  order: { symbol: string; exchangeOrderId: string; algo: boolean },
  o: CallOptions,
): Promise<"cancelled" | "not_open"> {
  try {
    await withRetry(
      () =>
        ex.cancelOrder(order.exchangeOrderId, order.symbol, order.algo ? { trigger: true } : {}),
      o.retry,
    );
    return "cancelled";
  } catch (err) {
    if (err instanceof ccxt.OrderNotFound) return "not_open";
    throw err;
  }
}

/** Open orders of `symbol` (conditional ones when `algo`). */
export function openOrdersAt(
  ex: Exchange,
  symbol: string | undefined,
  algo: boolean,
  o: CallOptions,
): Promise<Order[]> {
  return withRetry(
    () => ex.fetchOpenOrders(symbol, undefined, undefined, algo ? { trigger: true } : {}),
    o.retry,
  );
}

/** The newest fills of `symbol` (at most 100), or those of the exchange order `orderId`. */
export function recentFills(
  ex: Exchange,
  symbol: string,
  o: CallOptions,
  orderId?: string,
): Promise<Trade[]> {
  const params = orderId === undefined ? {} : { [o.orderTradesParam ?? "ordId"]: orderId };
  return withRetry(() => ex.fetchMyTrades(symbol, undefined, 100, params), o.retry);
}

/**
 * The regular order a fired trigger order placed, from the exchange's answer (OKX `ordId` or
 * `ordIdList`, Binance `actualOrderId`), or undefined while it has not fired.
 */
export function firedOrderId(order: Order): string | undefined {
  const info = (order.info ?? {}) as Record<string, unknown>;
  for (const key of ["ordId", "actualOrderId"]) {
    const v = info[key];
    if ((typeof v === "string" && v !== "" && v !== "0") || (typeof v === "number" && v > 0)) {
      return String(v);
    }
  }
  const list = info.ordIdList;
  return Array.isArray(list) && typeof list[0] === "string" ? list[0] : undefined;
}

/** Whether `err` says the client order id is taken (the order exists already). */
export function isDuplicate(err: unknown): boolean {
  if (err instanceof ccxt.DuplicateOrderId) return true;
  const code = venueCode(err);
  return code !== undefined && DUPLICATE_CODES.has(code.code);
}

/** The venue's own error code and message inside a ccxt error message, if it carries JSON. */
export function venueCode(err: unknown): { code: string; msg: string } | undefined {
  const text = err instanceof Error ? err.message : String(err);
  const at = text.indexOf("{");
  if (at < 0) return undefined;
  try {
    const body = JSON.parse(text.slice(at));
    const item = Array.isArray(body.data)
      ? body.data.find((d: { sCode?: string }) => d?.sCode && d.sCode !== "0")
      : undefined;
    if (item) return { code: String(item.sCode), msg: String(item.sMsg ?? "").trim() };
    if (body.code !== undefined) {
      return { code: String(body.code), msg: String(body.msg ?? "").trim() };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Machine code and advice for a ccxt error class. */
function classify(err: unknown): { code: string; advice: string } {
  if (err instanceof ccxt.InsufficientFunds) {
    return { code: "insufficient_balance", advice: "add funds or reduce the size" };
  }
  if (err instanceof ccxt.AuthenticationError) {
    return { code: "auth_failed", advice: "check the API key, secret, passphrase and permissions" };
  }
  if (err instanceof ccxt.BadSymbol) {
    return { code: "unknown_symbol", advice: "check the symbol against the exchange's markets" };
  }
  if (err instanceof ccxt.InvalidOrder || err instanceof ccxt.BadRequest) {
    return { code: "invalid_order", advice: "check the size and prices against the market rules" };
  }
  return { code: "exchange_rejected", advice: "see the exchange's message" };
}

/** A refusal sentence for an error the exchange answered with (never contains request headers). */
export function describeRefusal(err: unknown, label: string): { code: string; reason: string } {
  const { code, advice } = classify(err);
  const venue = venueCode(err);
  const said = venue ? `"${venue.msg || "no message"}" (code ${venue.code})` : `"${brief(err)}"`;
  return { code, reason: `${label} refused the order: ${said}; ${advice}.` };
}

/** A short description of an error: class and message, cut to 200 characters. */
export function brief(err: unknown): string {
  if (!(err instanceof Error)) return String(err).slice(0, 200);
  return `${err.constructor.name}: ${err.message}`.slice(0, 200);
}

/** `text` with every secret value replaced by "***" (keys must never reach logs or replies). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("***");
  return out;
}

/**
 * An error of start-up (markets, balance, reconcile) in our tree, keys redacted, with what to
 * do next; our own errors pass through.
 */
export function startFailure(err: unknown, label: string, secrets: readonly string[]): Error {
  if (err instanceof TidewatchError) return err;
  const msg = redact(brief(err), secrets);
  if (err instanceof ccxt.AuthenticationError) {
    return new ConfigError(
      `${label} refused the API keys (${msg}). Check the key, secret and passphrase, ` +
        `and that the key may trade.`,
      { cause: err },
    );
  }
  if (err instanceof ccxt.NetworkError) {
    return new ExchangeTemporaryError(
      `${label} could not be reached (${msg}). Check the network and start the bot again.`,
      { cause: err },
    );
  }
  return new ExchangeError(`${label} failed at start-up (${msg}).`, { cause: err });
}
