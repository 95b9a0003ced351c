// The fake Binance USDT-M private endpoints: the route table, the regular order endpoints and
// trades over the account in fake_binance_book.ts; algo orders are in fake_binance_algos.ts,
// account and settings in fake_binance_account.ts, funding income in fake_binance_income.ts
// (wire format in fake_binance_trading.ts).

import type { FakeHookReply, FakeHookRequest } from "./fake_rest_server.ts";
import type { BinanceBook } from "./fake_binance_book.ts";
import { bnError, open, orderRow, paramsOf, reply, tradeRow } from "./fake_binance_rows.ts";
import { accountRoutes } from "./fake_binance_account.ts";
import { ALGO_TYPES, algoRoutes } from "./fake_binance_algos.ts";
import { incomeRoutes } from "./fake_binance_income.ts";
import {
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
import type { FakeRequestKind } from "./fake_binance_trading.ts";

/** An endpoint: which fault kind hits it, and its handler. */
export interface Route {
  kind: Exclude<FakeRequestKind, "any">;
  run(p: Params, req: FakeHookRequest): FakeHookReply;
}

const CONDITIONAL = new Set([...ALGO_TYPES, "TRAILING_STOP_MARKET"]);

/** Routes private requests to their handlers and logs every placement. */
export class BinanceRoutes {
  readonly #table: Record<string, Route>;
  readonly #log: PlaceLog;

  constructor(readonly book: BinanceBook) {
    const r = (kind: Route["kind"], run: Route["run"]): Route => ({ kind, run });
    this.#log = (endpoint, p, outcome, code, msg, id) =>
      book.orderLog.push({
        seq: book.orderLog.length + 1,
        ts: book.now,
        endpoint,
        symbol: p.symbol ?? "",
        side: p.side ?? "",
        type: p.type ?? "",
        quantity: p.quantity ?? "",
        price: p.price ?? "",
        triggerPrice: p.triggerPrice ?? p.stopPrice ?? "",
        clientId: (endpoint === "algoOrder" ? p.clientAlgoId : p.newClientOrderId) ?? "",
        reduceOnly: p.reduceOnly === "true" || p.closePosition === "true",
        outcome,
        code,
        msg,
        id,
        replyLost: false,
      });
    this.#table = {
      "POST /fapi/v1/order": r("place", (p) => this.#placeOrder(p)),
      "GET /fapi/v1/order": r("query", (p) => this.#queryOrder(p, false)),
      "GET /fapi/v1/openOrder": r("query", (p) => this.#queryOrder(p, true)),
      "DELETE /fapi/v1/order": r("cancel", (p) => this.#cancelOrder(p)),
      "GET /fapi/v1/openOrders": r("query", (p) => this.#orders(p, true)),
      "GET /fapi/v1/allOrders": r("query", (p) => this.#orders(p, false)),
      "DELETE /fapi/v1/allOpenOrders": r("cancel", (p) => this.#cancelAll(p)),
      "GET /fapi/v1/userTrades": r("query", (p) => this.#trades(p)),
      ...algoRoutes(book, this.#log),
      ...accountRoutes(book),
      ...incomeRoutes(book),
    };
  }

  route(method: string, path: string): Route | undefined {
    return this.#table[`${method} ${path}`];
  }

  /** Whether `method path` is a private endpoint the fake serves. */
  serves(method: string, path: string): boolean {
    return this.route(method, path) !== undefined;
  }

  /** Logs a placement a fault hit before it took effect. */
  logFailed(req: FakeHookRequest): void {
    const endpoint = req.path.endsWith("algoOrder") ? "algoOrder" : "order";
    this.#log(endpoint, paramsOf(req), "failed", 0, "", "");
  }

  #placeOrder(p: Params): FakeHookReply {
    try {
      const { inst, side } = commonChecks(this.book, p, "newClientOrderId");
      if (CONDITIONAL.has(p.type)) {
        throw new Refused(
          -4120,
          "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.",
        );
      }
      if (p.type !== "MARKET" && p.type !== "LIMIT") throw new Refused(-1116, "Invalid orderType.");
      const qty = decimalParam(p, "quantity", inst.lotSize, true)!;
      if (qty < Number(inst.minSize)) {
        throw new Refused(-4004, "Quantity less than or equal to min quantity.");
      }
      const limit = p.type === "LIMIT";
      if (!limit && p.price !== undefined) {
        throw new Refused(-1106, "Parameter 'price' sent when not required.");
      }
      const price = limit ? decimalParam(p, "price", inst.tickSize, true)! : 0;
      if (limit && !p.timeInForce) throw new Refused(-1102, missingMsg("timeInForce"));
      if (p.newOrderRespType && !["ACK", "RESULT"].includes(p.newOrderRespType)) {
        throw new Refused(-1136, "Invalid newOrderRespType");
      }
      takeReject(this.book);
      const r = this.book.create({
        inst,
        side,
        type: p.type,
        timeInForce: p.timeInForce ?? "GTC",
        qty,
        price,
        reduceOnly: p.reduceOnly === "true",
        clientOrderId: p.newClientOrderId ?? "",
      });
      if (!r.ok) throw new Refused(r.code, r.msg);
      this.#log("order", p, "placed", 0, "", String(r.order.orderId));
      const shown = p.newOrderRespType === "RESULT" ? r.order : r.accepted;
      return reply(200, orderRow(shown, ...this.book.places(inst.id)));
    } catch (err) {
      return refusal(err, this.#log, "order", p);
    }
  }

  #findOrder(p: Params) {
    const inst = instOf(this.book, p);
    if (!p.orderId && !p.origClientOrderId) {
      throw new Refused(
        -1102,
        "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
      );
    }
    const mine = this.book.orders.filter((o) => o.symbol === inst.id);
    const o = p.orderId
      ? mine.find((x) => String(x.orderId) === p.orderId)
      : mine.filter((x) => x.clientOrderId === p.origClientOrderId).at(-1);
    return { inst, o };
  }

  #queryOrder(p: Params, openOnly: boolean): FakeHookReply {
    return guard(() => {
      const { inst, o } = this.#findOrder(p);
      if (!o || (openOnly && !open(o))) return bnError(-2013, "Order does not exist.");
      return reply(200, orderRow(o, ...this.book.places(inst.id)));
    });
  }

  #cancelOrder(p: Params): FakeHookReply {
    return guard(() => {
      const { inst, o } = this.#findOrder(p);
      if (!o || !open(o)) return bnError(-2011, "Unknown order sent.");
      this.book.cancelOrder(o);
      return reply(200, orderRow(o, ...this.book.places(inst.id)));
    });
  }

  #orders(p: Params, openOnly: boolean): FakeHookReply {
    return guard(() => {
      const inst = openOnly && !p.symbol ? undefined : instOf(this.book, p);
      let rows = this.book.orders.filter((o) =>
        (!inst || o.symbol === inst.id) && (!openOnly || open(o))
      );
      if (!openOnly) {
        rows = rows.filter((o) =>
          (!p.orderId || o.orderId >= Number(p.orderId)) &&
          (!p.startTime || o.time >= Number(p.startTime)) &&
          (!p.endTime || o.time <= Number(p.endTime))
        ).slice(-limitOf(p.limit, 500, 1000));
      }
      return reply(200, rows.map((o) => orderRow(o, ...this.book.places(o.symbol))));
    });
  }

  #cancelAll(p: Params): FakeHookReply {
    return guard(() => {
      const inst = instOf(this.book, p);
      for (const o of this.book.orders) {
        if (o.symbol === inst.id && open(o)) this.book.cancelOrder(o);
      }
      return reply(200, { code: 200, msg: "The operation of cancel all open order is done." });
    });
  }

  /** `userTrades`: oldest first; the newest `limit` unless paged by startTime or fromId. */
  #trades(p: Params): FakeHookReply {
    return guard(() => {
      const inst = instOf(this.book, p);
      const start = p.startTime ? Number(p.startTime) : undefined;
      const end = p.endTime ? Number(p.endTime) : undefined;
      const lastWeek = start === undefined && end === undefined && !p.fromId && !p.orderId;
      let rows = this.book.fills.filter((f) =>
        f.symbol === inst.id && (!p.orderId || String(f.orderId) === p.orderId) &&
        (!p.fromId || f.id >= Number(p.fromId)) &&
        (start === undefined || f.time >= start) && (end === undefined || f.time <= end) &&
        (!lastWeek || f.time > this.book.now - 7 * 86_400_000)
      );
      const limit = limitOf(p.limit, 500, 1000);
      rows = start !== undefined || p.fromId ? rows.slice(0, limit) : rows.slice(-limit);
      return reply(200, rows.map((f) => tradeRow(f, ...this.book.places(f.symbol))));
    });
  }
}
