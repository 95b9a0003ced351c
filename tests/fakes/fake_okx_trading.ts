// A loopback fake of OKX v5 private REST for spot (orders, algo triggers, fills, balances) that
// real ccxt trades against, plugged into fake_exchange.ts as a request hook.
//
// Attach it with `attachFakeOkxTrading(fake, { balances: { USDT: 10_000 } })` and give ccxt the
// same keys (`apiKey`, `secret`, `password` = the passphrase). What ccxt 4.5.84 sends (okx.js):
// - Auth: every private call carries OK-ACCESS-KEY, OK-ACCESS-PASSPHRASE, OK-ACCESS-TIMESTAMP (ISO
//   8601 ms) and OK-ACCESS-SIGN = base64 HMAC-SHA256(secret, ts + METHOD + path?query + body).
//   Missing header → 401 code 50103/50104/50106/50107; wrong key 50111, wrong passphrase 50105,
//   bad timestamp 50112, bad signature 50113 (checked unless `verifySignature: false`). Bodies
//   never echo a header value.
// - `loadMarkets()` with keys: `GET /asset/currencies` first, then the public instruments.
// - `createOrder`: `POST /trade/batch-orders` with a one-element array (ccxt's default), or
//   `POST /trade/order` with an object when `options.createOrder = "privatePostTradeOrder"`.
//   Body: instId, side, ordType (market|limit|post_only|ioc|fok), sz, px (limits), tdMode "cash",
//   tgtCcy "base_ccy", clOrdId (ccxt invents one from its broker id when none is given), tag.
//   Answer: `{code:"0", data:[{ordId, clOrdId, tag, ts, sCode:"0", sMsg:"Order placed"}]}`; a
//   refused order is HTTP 200 `{code:"1", msg:"All operations failed", data:[{sCode, sMsg…}]}`
//   (ccxt throws by sCode: 51008 InsufficientFunds, 51016 InvalidOrder, …).
// - With `triggerPrice` (ccxt `stopPrice`/`triggerPx`): `POST /trade/order-algo`, ordType
//   "trigger", triggerPx, orderPx ("-1" = market); our `algoClOrdId` param passes through.
//   Answer data `[{algoId, algoClOrdId, clOrdId, sCode, sMsg, tag}]`. Only "trigger" is modelled.
// - `cancelOrder`: `POST /trade/cancel-order` {instId, ordId|clOrdId}; with `{trigger:true}`
//   `POST /trade/cancel-algos` [{instId, algoId|algoClOrdId}]. Not open → sCode 51400.
// - `fetchOrder`: `GET /trade/order?instId&ordId|clOrdId`, with `{trigger:true}`
//   `GET /trade/order-algo?instId&algoId|algoClOrdId`; unknown → code 51603 (OrderNotFound).
// - `fetchOpenOrders`: `GET /trade/orders-pending[?instId]`; with `{trigger:true}`
//   `GET /trade/orders-algo-pending?ordType=trigger[&instId]`.
// - `fetchMyTrades`: `GET /trade/fills-history?instType=SPOT[&instId][&begin][&limit]`, newest
//   first, at most 100 (`/trade/fills` answers the same).
// - `fetchBalance`: `GET /account/balance` (details: eq/cashBal = total, availBal/availEq = free,
//   frozenBal = used). `fetchPositions`: `GET /account/positions` → [] (spot has none).
//   `GET /account/config` answers a simple-mode, net-mode account.
//
// Matching rules (spot, cash mode):
// - Market orders fill at once, as takers, at the price set with `setPrice`, else the close of
//   the latest seeded candle; with neither the request fails (HTTP 500 naming the fix).
// - A limit that crosses that price fills at once at the price (taker); otherwise it rests and
//   freezes its funds (buy: px × sz quote, sell: sz base). It fills at its limit, as a maker, when
//   `fillOrder` says so or `setPrice` moves through it.
// - A trigger order freezes nothing. It fires when `setPrice` reaches its trigger from the side
//   the price was on when it was placed (no price then: sells fire falling, buys rising) and
//   places its market or limit order then, under its `clOrdId`; if that order is refused (not
//   enough free balance) the trigger ends as "order_failed" with the sCode in failCode.
// - Fees: taker/maker rate × size. Buys pay in the base currency (OKX spot), sells in quote;
//   fill and order rows carry them negated, as OKX does.
// - Checks in order: instrument (51001), side/ordType/tdMode/sz/px/clOrdId format (51000),
//   `rejectNext` rules, duplicate clOrdId (51016; algoClOrdId: 51065), minimum size (51020),
//   lot multiple (51121), tick multiple (51000 px), free balance (51008).
// Faults: `failNext` hits private requests of one kind ("place", "cancel", "query" or any) with a
// status (429: OKX's 50011 body; 5xx: a gateway page), a dropped socket or a stall; with `after`
// the request takes effect first and only its answer is lost (an ambiguous failure).

import type { FakeExchange } from "./fake_exchange.ts";
import type { FakeInstrument } from "./fake_market_data.ts";
import type { FakeHookReply, FakeHookRequest, FakeRequestHook } from "./fake_rest_server.ts";
import {
  authFailure,
  clean,
  fail,
  failureReply,
  type OkxAlgoOrder,
  type OkxFill,
  type OkxKeys,
  type OkxOrder,
  reply,
} from "./fake_okx_rows.ts";
import { OkxBook } from "./fake_okx_book.ts";
import { OkxRoutes } from "./fake_okx_routes.ts";

/** Options for {@link attachFakeOkxTrading}. */
export interface FakeOkxTradingOptions {
  /** API key ccxt must send (default "fake-okx-key"). */
  apiKey?: string;
  /** Secret the signature is made with (default "fake-okx-secret"). */
  secret?: string;
  /** Passphrase (ccxt `password`, default "fake-okx-passphrase"). */
  passphrase?: string;
  /** Check OK-ACCESS-SIGN (default true). */
  verifySignature?: boolean;
  /** Starting wallet per currency (default `{ USDT: 10000 }`). */
  balances?: Record<string, number>;
  /** Fee rates as fractions (default maker 0.0008, taker 0.001: OKX's base tier). */
  fees?: { maker: number; taker: number };
}

/** Which private requests a {@link FakeTradingFailure} hits. */
export type FakeRequestKind = "place" | "cancel" | "query" | "any";

/** How the next private requests fail; see {@link FakeOkxTrading.failNext}. */
export interface FakeTradingFailure {
  /** Answer with this HTTP status and OKX's body for it. */
  status?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** Never answer (until the fake closes). */
  stall?: boolean;
  /** Let the request take effect, then fail its answer: the client cannot tell (default false). */
  after?: boolean;
  /** How many requests fail this way (default 1). */
  count?: number;
  /** Which requests count (default "any"). */
  on?: FakeRequestKind;
}

/** One order placement the fake received (each item of a batch is one). */
export interface FakeOrderLogEntry {
  seq: number;
  ts: number;
  endpoint: "order" | "batch-orders" | "order-algo";
  instId: string;
  side: string;
  ordType: string;
  sz: string;
  px: string;
  triggerPx: string;
  clOrdId: string;
  algoClOrdId: string;
  /** placed: an order now exists; rejected: sCode says why; failed: a fault hit it first. */
  outcome: "placed" | "rejected" | "failed";
  sCode: string;
  sMsg: string;
  /** ordId or algoId when placed. */
  id: string;
  /** It took effect but the client got a fault instead of the answer. */
  replyLost: boolean;
}

/** An order or trigger order as tests inspect it. */
export interface FakeOkxOrderView {
  kind: "order" | "algo";
  /** ordId or algoId. */
  id: string;
  /** clOrdId or algoClOrdId. */
  clientId: string;
  symbol: string;
  side: "buy" | "sell";
  ordType: string;
  state: string;
  sz: number;
  px?: number;
  triggerPx?: number;
  filled: number;
  avgPx?: number;
  /** For a fired trigger: the order it placed. */
  ordId?: string;
}

/** The fake account a test drives. */
export interface FakeOkxTrading {
  /** Every placement received, in order. */
  readonly orderLog: FakeOrderLogEntry[];
  /** How many placements created an order under this clOrdId or algoClOrdId. */
  placed(clientId: string): number;
  /** Every order and trigger order, oldest first. */
  orders(): FakeOkxOrderView[];
  /** One order by ordId, clOrdId, algoId or algoClOrdId. */
  order(id: string): FakeOkxOrderView | undefined;
  /** Every fill so far, oldest first (fee positive, in `feeCcy`). */
  fills(): OkxFill[];
  /** Wallet of one currency. */
  balance(ccy: string): { total: number; free: number; frozen: number };
  /** Sets a wallet's total (frozen funds stay frozen). */
  setBalance(ccy: string, total: number): void;
  /** Sets the trade price of a symbol and fills or fires what it reaches. */
  setPrice(symbol: string, price: number): void;
  /** Fills a resting limit order (default all that remains, at its limit) as a maker. */
  fillOrder(id: string, fill?: { qty?: number; price?: number }): void;
  /** Cancels an order or trigger as if from the OKX website. */
  cancel(id: string): void;
  /** Places an order as if from the OKX website (no auth, no faults); returns its ordId. */
  placeManual(order: {
    symbol: string;
    side: "buy" | "sell";
    ordType: "market" | "limit";
    sz: number;
    px?: number;
    clOrdId?: string;
  }): string;
  /** Refuses the next order placements with this sCode and sMsg (default count 1). */
  rejectNext(code: string, msg: string, count?: number): void;
  /** Makes the next private requests fail (rules queue up in call order). */
  failNext(failure: FakeTradingFailure): void;
}

/**
 * Plugs the OKX private REST into `fake` and returns the account to drive.
 *
 * @example
 * ```ts
 * const fake = await startFakeExchange({ markets: { okx: ["BTC/USDT"] } });
 * const okx = attachFakeOkxTrading(fake, { balances: { USDT: 10_000 } });
 * okx.setPrice("BTC/USDT", 42_000);
 * ```
 */
export function attachFakeOkxTrading(
  fake: FakeExchange,
  options: FakeOkxTradingOptions = {},
): FakeOkxTrading {
  const keys: OkxKeys = {
    apiKey: options.apiKey ?? "fake-okx-key",
    secret: options.secret ?? "fake-okx-secret",
    passphrase: options.passphrase ?? "fake-okx-passphrase",
    verifySignature: options.verifySignature ?? true,
  };
  const book = new OkxBook(fake, options.balances ?? { USDT: 10_000 }, {
    maker: options.fees?.maker ?? 0.0008,
    taker: options.fees?.taker ?? 0.001,
  });
  const routes = new OkxRoutes(book);
  const faults: (FakeTradingFailure & { remaining: number })[] = [];
  const hook: FakeRequestHook = {
    claims: (_method, path) =>
      path.startsWith("/api/v5/trade/") || path.startsWith("/api/v5/account/") ||
      path.startsWith("/api/v5/asset/"),
    handle: (req) => handle(req),
  };

  function takeFault(kind: FakeRequestKind) {
    const i = faults.findIndex((f) => (f.on ?? "any") === "any" || f.on === kind);
    if (i < 0) return undefined;
    const f = faults[i];
    if (--f.remaining <= 0) faults.splice(i, 1);
    return f;
  }

  function faultReply(f: FakeTradingFailure): FakeHookReply {
    return f.drop ? "drop" : f.stall ? "stall" : failureReply(f.status!);
  }

  function handle(req: FakeHookRequest): FakeHookReply {
    const denied = authFailure(req, keys);
    if (denied) return denied;
    const route = routes.route(req.method, req.path);
    if (!route) {
      return reply(404, { code: 404, data: {}, msg: "Not Found", error_message: "Not Found" });
    }
    const fault = takeFault(route.kind);
    if (fault && !fault.after) {
      if (route.kind === "place") routes.logFailed(req, route.endpoint);
      return faultReply(fault);
    }
    const logged = book.orderLog.length;
    let answer: FakeHookReply;
    try {
      answer = route.run(req);
    } catch (err) {
      if (err instanceof SyntaxError) return fail(400, "50002", "Json data format error");
      throw err;
    }
    if (!fault) return answer;
    for (let i = logged; i < book.orderLog.length; i++) book.orderLog[i].replyLost = true;
    return faultReply(fault);
  }

  fake.addHook(hook);
  return {
    orderLog: book.orderLog,
    placed: (id) =>
      book.orderLog.filter((e) =>
        e.outcome === "placed" && (e.clOrdId === id || e.algoClOrdId === id)
      ).length,
    orders: () => viewsOf(book),
    order: (id) => viewsOf(book).find((v) => v.id === id || v.clientId === id),
    fills: () => book.fills.map((f) => ({ ...f })),
    balance: (ccy) => book.wallet(ccy),
    setBalance: (ccy, total) => book.setBalance(ccy, total),
    setPrice: (symbol, price) => book.setPrice(symbol, price),
    fillOrder: (id, fill) => book.fillResting(id, fill?.qty, fill?.price),
    cancel: (id) => book.cancelByUser(id),
    placeManual: (o) => book.placeManual(o),
    rejectNext: (code, msg, count = 1) => book.rejects.push({ code, msg, remaining: count }),
    failNext: (f) => {
      const modes = [f.status !== undefined, !!f.drop, !!f.stall];
      if (modes.filter(Boolean).length !== 1) {
        throw new Error("failNext: give exactly one of status, drop or stall");
      }
      faults.push({ ...f, remaining: f.count ?? 1 });
    },
  };
}

/** Every order and trigger order of `book` as tests see them, oldest first. */
function viewsOf(book: OkxBook): FakeOkxOrderView[] {
  const sym = (id: string) => book.inst(id)?.symbol ?? id;
  const out: FakeOkxOrderView[] = book.orders.map((o) => ({
    kind: "order",
    id: o.ordId,
    clientId: o.clOrdId,
    symbol: sym(o.instId),
    side: o.side,
    ordType: o.ordType,
    state: o.state,
    sz: o.sz,
    ...(Number.isNaN(o.px) ? {} : { px: o.px }),
    filled: o.accFillSz,
    ...(o.accFillSz > 0 ? { avgPx: clean(o.fillValue / o.accFillSz) } : {}),
  }));
  for (const a of book.algos) {
    out.push({
      kind: "algo",
      id: a.algoId,
      clientId: a.algoClOrdId,
      symbol: sym(a.instId),
      side: a.side,
      ordType: a.ordType,
      state: a.state,
      sz: a.sz,
      ...(a.orderPx === "-1" ? {} : { px: Number(a.orderPx) }),
      triggerPx: a.triggerPx,
      filled: book.find(a.ordId)?.accFillSz ?? 0,
      ...(a.ordId ? { ordId: a.ordId } : {}),
    });
  }
  return out;
}

export type { FakeInstrument, OkxAlgoOrder, OkxFill, OkxOrder };
