// Request checks shared by the fake Binance USDT-M order endpoints (fake_binance_routes.ts,
// fake_binance_algos.ts): symbol, side, client id and decimal formats, with Binance's codes.

import type { FakeInstrument } from "./fake_market_data.ts";
import type { FakeHookReply } from "./fake_rest_server.ts";
import type { BinanceBook } from "./fake_binance_book.ts";
import { bnError, decimals, decimalsOf, missing, onStep } from "./fake_binance_rows.ts";
import type { FakeBinanceOrderLogEntry } from "./fake_binance_trading.ts";

/** A request's parameters (query and form body together). */
export type Params = Record<string, string>;

/** Records one placement in the order log. */
export type PlaceLog = (
  endpoint: FakeBinanceOrderLogEntry["endpoint"],
  p: Params,
  outcome: FakeBinanceOrderLogEntry["outcome"],
  code: number,
  msg: string,
  id: string,
) => void;

const DECIMAL = /^\d{1,20}(\.\d{1,20})?$/;
const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const TIME_IN_FORCE = new Set(["GTC", "IOC", "FOK", "GTX", "GTD"]);

/** A refusal found while checking a request: Binance's code and message. */
export class Refused extends Error {
  constructor(readonly code: number, msg: string) {
    super(msg);
  }
}

/** Runs `fn`, turning a {@link Refused} into Binance's error body. */
export function guard(fn: () => FakeHookReply): FakeHookReply {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Refused) return bnError(err.code, err.message);
    throw err;
  }
}

/** A placement's refusal: logged as rejected, answered with Binance's body. */
export function refusal(
  err: unknown,
  log: PlaceLog,
  endpoint: FakeBinanceOrderLogEntry["endpoint"],
  p: Params,
): FakeHookReply {
  if (!(err instanceof Refused)) throw err;
  log(endpoint, p, "rejected", err.code, err.message, "");
  return bnError(err.code, err.message);
}

/** Binance's -1102 text for a missing parameter. */
export function missingMsg(name: string): string {
  return JSON.parse((missing(name) as { body: string }).body).msg;
}

/** `limit` parsed, default `dflt`, at most `max`. */
export function limitOf(raw: string | undefined, dflt: number, max: number): number {
  const n = Number(raw);
  return raw && Number.isInteger(n) && n > 0 ? Math.min(n, max) : dflt;
}

/** The market `p.symbol` names (-1102 absent, -1121 unknown). */
export function instOf(book: BinanceBook, p: Params): FakeInstrument {
  if (!p.symbol) throw new Refused(-1102, missingMsg("symbol"));
  const inst = book.inst(p.symbol);
  if (!inst) throw new Refused(-1121, "Invalid symbol.");
  return inst;
}

/** A decimal parameter checked against the market's step; undefined when absent and optional. */
export function decimalParam(
  p: Params,
  name: string,
  step: string,
  required: boolean,
): number | undefined {
  const raw = p[name];
  if (raw === undefined || raw === "") {
    if (required) throw new Refused(-1102, missingMsg(name));
    return undefined;
  }
  if (!DECIMAL.test(raw)) {
    throw new Refused(
      -1100,
      `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`,
    );
  }
  if (decimalsOf(raw) > decimals(step)) {
    throw new Refused(-1111, "Precision is over the maximum defined for this asset.");
  }
  const n = Number(raw);
  if (name === "quantity" && n <= 0) {
    throw new Refused(-4003, "Quantity less than or equal to zero.");
  }
  if (!onStep(n, step)) {
    throw name === "quantity"
      ? new Refused(-4023, "Quantity not increased by step size.")
      : new Refused(-4014, "Price not increased by tick size.");
  }
  return n;
}

/** Checks both placement endpoints share: symbol, side, type present, one-way, client id. */
export function commonChecks(
  book: BinanceBook,
  p: Params,
  idField: string,
): { inst: FakeInstrument; side: "BUY" | "SELL" } {
  const inst = instOf(book, p);
  if (!p.side) throw new Refused(-1102, missingMsg("side"));
  if (p.side !== "BUY" && p.side !== "SELL") throw new Refused(-1117, "Invalid side.");
  if (!p.type) throw new Refused(-1102, missingMsg("type"));
  if (p.positionSide && p.positionSide !== "BOTH") {
    throw new Refused(-4061, "Order's position side does not match user's setting.");
  }
  if (p[idField] !== undefined && !CLIENT_ID.test(p[idField])) {
    throw new Refused(-4015, "Client order id is not valid.");
  }
  if (p.timeInForce !== undefined && !TIME_IN_FORCE.has(p.timeInForce)) {
    throw new Refused(-1115, "Invalid timeInForce.");
  }
  return { inst, side: p.side };
}

/** Throws the next `rejectNext` rule's refusal, if one is queued. */
export function takeReject(book: BinanceBook): void {
  const rule = book.rejects[0];
  if (!rule) return;
  if (--rule.remaining <= 0) book.rejects.shift();
  throw new Refused(rule.code, rule.msg);
}

/** -4164 unless `qty × price` reaches the market's minimum notional. */
export function checkNotional(inst: FakeInstrument, qty: number, price: number): void {
  if (qty * price < Number(inst.minNotional || 0) - 1e-9) {
    throw new Refused(
      -4164,
      `Order's notional must be no smaller than ${inst.minNotional} (unless you choose reduce only).`,
    );
  }
}
