// Conditional (algo) orders of the fake Binance USDT-M account: placing, firing on the trade
// price, and the `/fapi/v1/algoOrder` endpoints ccxt uses for them (rules in
// fake_binance_trading.ts's header).

import type { FakeInstrument } from "./fake_market_data.ts";
import type { FakeHookReply } from "./fake_rest_server.ts";
import type { BinanceBook } from "./fake_binance_book.ts";
import { algoRow, type BinanceAlgoOrder, bnError, open, reply } from "./fake_binance_rows.ts";
import {
  checkNotional,
  commonChecks,
  decimalParam,
  guard,
  instOf,
  limitOf,
  missingMsg,
  type Params,
  type PlaceLog,
  refusal,
  Refused,
  takeReject,
} from "./fake_binance_params.ts";
import type { Route } from "./fake_binance_routes.ts";

/** The conditional types the fake models (TRAILING_STOP_MARKET is not). */
export const ALGO_TYPES = new Set(["STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT"]);

/** What a new algo order needs. */
export type NewAlgo = Omit<
  BinanceAlgoOrder,
  | "algoId"
  | "algoStatus"
  | "createTime"
  | "updateTime"
  | "triggerTime"
  | "actualOrderId"
  | "failCode"
  | "failMsg"
>;

/** Whether the price `price` fires `a`: stops buy rising / sell falling, take-profits the reverse. */
export function fires(
  a: Pick<BinanceAlgoOrder, "orderType" | "side" | "triggerPrice">,
  price: number,
): boolean {
  const stop = a.orderType === "STOP_MARKET" || a.orderType === "STOP";
  const rising = (a.side === "BUY") === stop;
  return rising ? price >= a.triggerPrice : price <= a.triggerPrice;
}

/** Places an algo order after the request-level checks. */
export function createAlgo(
  book: BinanceBook,
  n: NewAlgo,
): { ok: true; algo: BinanceAlgoOrder } | { ok: false; code: number; msg: string } {
  if (
    n.clientAlgoId &&
    book.algos.some((x) => x.clientAlgoId === n.clientAlgoId && x.algoStatus === "NEW")
  ) {
    return { ok: false, code: -4116, msg: "ClientOrderId is duplicated." };
  }
  const last = book.priceOf(book.inst(n.symbol)!);
  if (last !== undefined && fires(n, last)) {
    return { ok: false, code: -2021, msg: "Order would immediately trigger." };
  }
  const id = book.nextId();
  const algo: BinanceAlgoOrder = {
    ...n,
    algoId: 3_000_000 + id,
    clientAlgoId: n.clientAlgoId || `fakealgo-${id}`,
    algoStatus: "NEW",
    createTime: book.now,
    updateTime: book.now,
    triggerTime: 0,
    actualOrderId: "",
    failCode: 0,
    failMsg: "",
  };
  book.algos.push(algo);
  return { ok: true, algo };
}

/** Fires `a`: places its MARKET or LIMIT order under its clientAlgoId (REJECTED if refused). */
export function fireAlgo(book: BinanceBook, a: BinanceAlgoOrder, inst: FakeInstrument): void {
  a.triggerTime = a.updateTime = book.now;
  const qty = a.closePosition ? Math.abs(book.state(inst.id).amt) : a.quantity;
  const market = a.orderType.endsWith("_MARKET");
  const taken = book.orders.some((o) => o.clientOrderId === a.clientAlgoId && open(o));
  const r = qty <= 0
    ? { ok: false as const, code: -2022, msg: "ReduceOnly Order is rejected." }
    : book.create({
      inst,
      side: a.side,
      type: market ? "MARKET" : "LIMIT",
      origType: a.orderType,
      timeInForce: a.timeInForce,
      qty,
      price: market ? 0 : a.price,
      stopPrice: a.triggerPrice,
      reduceOnly: a.reduceOnly || a.closePosition,
      closePosition: a.closePosition,
      clientOrderId: taken ? "" : a.clientAlgoId,
      algoId: a.algoId,
    });
  if (!r.ok) return void (a.algoStatus = "REJECTED", a.failCode = r.code, a.failMsg = r.msg);
  a.actualOrderId = String(r.order.orderId);
  a.algoStatus = open(r.order) ? "TRIGGERED" : "FINISHED";
}

/** The `/fapi/v1/algoOrder` family of endpoints, keyed `METHOD path`. */
export function algoRoutes(book: BinanceBook, log: PlaceLog): Record<string, Route> {
  const row = (a: BinanceAlgoOrder) => {
    const placed = a.actualOrderId ? book.find(a.actualOrderId) : undefined;
    const avg = placed && placed.executedQty > 0 ? placed.cumQuote / placed.executedQty : 0;
    return algoRow(a, ...book.places(a.symbol), avg);
  };
  const find = (p: Params) => {
    if (!p.algoId && !p.clientAlgoId) {
      throw new Refused(
        -1102,
        "Param 'algoId' or 'clientAlgoId' must be sent, but both were empty/null!",
      );
    }
    const a = p.algoId
      ? book.algos.find((x) => String(x.algoId) === p.algoId)
      : book.algos.filter((x) => x.clientAlgoId === p.clientAlgoId).at(-1);
    return a && (!p.symbol || a.symbol === p.symbol) ? a : undefined;
  };
  const list = (p: Params, openOnly: boolean): FakeHookReply => {
    const inst = openOnly && !p.symbol ? undefined : instOf(book, p);
    let rows = book.algos.filter((a) =>
      (!inst || a.symbol === inst.id) && (!openOnly || a.algoStatus === "NEW")
    );
    if (!openOnly) {
      rows = rows.filter((a) =>
        (!p.startTime || a.createTime >= Number(p.startTime)) &&
        (!p.endTime || a.createTime <= Number(p.endTime))
      ).slice(-limitOf(p.limit, 500, 1000));
    }
    return reply(200, rows.map(row));
  };
  return {
    "POST /fapi/v1/algoOrder": {
      kind: "place",
      run: (p) => {
        try {
          const a = checkAlgo(book, p);
          takeReject(book);
          const r = createAlgo(book, a);
          if (!r.ok) throw new Refused(r.code, r.msg);
          log("algoOrder", p, "placed", 0, "", String(r.algo.algoId));
          return reply(200, row(r.algo));
        } catch (err) {
          return refusal(err, log, "algoOrder", p);
        }
      },
    },
    "GET /fapi/v1/algoOrder": {
      kind: "query",
      run: (p) =>
        guard(() => {
          const a = find(p);
          return a ? reply(200, row(a)) : bnError(-2013, "Order does not exist.");
        }),
    },
    "DELETE /fapi/v1/algoOrder": {
      kind: "cancel",
      run: (p) =>
        guard(() => {
          const a = find(p);
          if (!a || a.algoStatus !== "NEW") return bnError(-2011, "Unknown order sent.");
          book.cancelAlgo(a);
          const { algoId, clientAlgoId } = a;
          return reply(200, { algoId, clientAlgoId, code: "200", msg: "success" });
        }),
    },
    "GET /fapi/v1/openAlgoOrders": { kind: "query", run: (p) => guard(() => list(p, true)) },
    "GET /fapi/v1/allAlgoOrders": { kind: "query", run: (p) => guard(() => list(p, false)) },
    "DELETE /fapi/v1/algoOpenOrders": {
      kind: "cancel",
      run: (p) =>
        guard(() => {
          const inst = instOf(book, p);
          for (const a of book.algos) {
            if (a.symbol === inst.id && a.algoStatus === "NEW") book.cancelAlgo(a);
          }
          return reply(200, { code: 200, msg: "The operation of cancel all open order is done." });
        }),
    },
  };
}

/** The request-level checks of `POST /fapi/v1/algoOrder`; the order to create. */
function checkAlgo(book: BinanceBook, p: Params): NewAlgo {
  if (!p.algoType) throw new Refused(-1102, missingMsg("algoType"));
  if (p.algoType !== "CONDITIONAL") {
    throw new Refused(-1130, "Data sent for parameter 'algoType' is not valid.");
  }
  const { inst, side } = commonChecks(book, p, "clientAlgoId");
  if (p.type === "TRAILING_STOP_MARKET") {
    throw new Refused(-1000, "fake binance: TRAILING_STOP_MARKET is not modelled");
  }
  if (!ALGO_TYPES.has(p.type)) throw new Refused(-1116, "Invalid orderType.");
  const closePosition = p.closePosition === "true";
  const reduceOnly = p.reduceOnly === "true";
  const market = p.type.endsWith("_MARKET");
  if (closePosition && !market) {
    throw new Refused(-1106, "Parameter 'closePosition' sent when not required.");
  }
  for (const name of ["quantity", "reduceOnly"]) {
    if (closePosition && p[name] !== undefined) {
      throw new Refused(-1106, `Parameter '${name}' sent when not required.`);
    }
  }
  const qty = closePosition ? 0 : decimalParam(p, "quantity", inst.lotSize, true)!;
  const triggerPrice = decimalParam(p, "triggerPrice", inst.tickSize, true)!;
  const price = market ? 0 : decimalParam(p, "price", inst.tickSize, true)!;
  if (!reduceOnly && !closePosition) checkNotional(inst, qty, price || triggerPrice);
  return {
    clientAlgoId: p.clientAlgoId ?? "",
    symbol: inst.id,
    side,
    orderType: p.type,
    quantity: qty,
    price,
    triggerPrice,
    timeInForce: p.timeInForce ?? "GTC",
    workingType: p.workingType ?? "CONTRACT_PRICE",
    reduceOnly,
    closePosition,
  };
}
