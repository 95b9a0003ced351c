// Funding in the fake Binance USDT-M account: charges on open positions and the income history
// ccxt's `fetchFundingHistory` reads (`GET /fapi/v1/income`; wire format in
// fake_binance_trading.ts).

import type { FakeHookReply } from "./fake_rest_server.ts";
import type { BinanceBook } from "./fake_binance_book.ts";
import { clean, dec, reply } from "./fake_binance_rows.ts";
import { guard, limitOf, type Params, Refused } from "./fake_binance_params.ts";
import type { Route } from "./fake_binance_routes.ts";

/** One row of the income history (only funding is modelled). */
export interface BinanceIncome {
  /** Transaction id, unique per income type. */
  tranId: number;
  /** Exchange symbol id, "BTCUSDT". */
  symbol: string;
  incomeType: "FUNDING_FEE";
  /** What the account got in USDT: negative when it paid. */
  income: number;
  asset: "USDT";
  time: number;
}

const WEEK = 7 * 86_400_000;

/**
 * Charges funding at `rate` on the open position of `symbol` (unified): the account gets
 * `−positionAmt × markPrice × rate` (a long pays a positive rate, a short receives it) off the
 * wallet, and off the isolated margin of an isolated position. Records an income row at `ts`
 * (default the fake's now) and returns it, or undefined when the symbol is flat.
 */
export function chargeFunding(
  book: BinanceBook,
  symbol: string,
  rate: number,
  ts = book.now,
): BinanceIncome | undefined {
  const id = book.instBySymbol(symbol).id;
  const s = book.state(id);
  if (s.amt === 0) return undefined;
  const income = clean(-s.amt * book.markOf(id) * rate);
  book.wallets.set("USDT", clean(book.wallet() + income));
  if (s.marginType === "ISOLATED") s.isoWallet = clean(s.isoWallet + income);
  const row: BinanceIncome = {
    tranId: 7_000_000_000 + book.nextId(),
    symbol: id,
    incomeType: "FUNDING_FEE",
    income,
    asset: "USDT",
    time: ts,
  };
  book.incomes.push(row);
  return row;
}

/** The income endpoint. */
export function incomeRoutes(book: BinanceBook): Record<string, Route> {
  return { "GET /fapi/v1/income": { kind: "query", run: (p) => income(book, p) } };
}

/**
 * `income`: rows of `symbol` and `incomeType` (both optional) between startTime and endTime,
 * oldest first; the last 7 days when neither is given. With startTime the first `limit`
 * (default 100, at most 1000), else the latest.
 */
function income(book: BinanceBook, p: Params): FakeHookReply {
  return guard(() => {
    if (p.symbol && !book.inst(p.symbol)) throw new Refused(-1121, "Invalid symbol.");
    const start = p.startTime ? Number(p.startTime) : undefined;
    const end = p.endTime ? Number(p.endTime) : undefined;
    const lastWeek = start === undefined && end === undefined;
    let rows = book.incomes.filter((r) =>
      (!p.symbol || r.symbol === p.symbol) && (!p.incomeType || r.incomeType === p.incomeType) &&
      (start === undefined || r.time >= start) && (end === undefined || r.time <= end) &&
      (!lastWeek || r.time > book.now - WEEK)
    ).sort((a, b) => a.time - b.time || a.tranId - b.tranId);
    const limit = limitOf(p.limit, 100, 1000);
    rows = start !== undefined ? rows.slice(0, limit) : rows.slice(-limit);
    return reply(
      200,
      rows.map((r) => ({
        symbol: r.symbol,
        incomeType: r.incomeType,
        income: dec(r.income),
        asset: r.asset,
        info: r.incomeType,
        time: r.time,
        tranId: r.tranId,
        tradeId: "",
      })),
    );
  });
}
