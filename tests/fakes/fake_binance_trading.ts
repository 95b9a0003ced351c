// A loopback fake of the Binance USDT-M futures private REST (orders, algo orders, fills,
// balance, positions, leverage, funding income) that real ccxt `binanceusdm` trades against,
// plugged into fake_exchange.ts as a request hook.
//
// Attach it with `attachFakeBinanceTrading(fake)` and give ccxt the same keys
// (`createExchange("binanceusdm", { restOrigin: fake.url, credentials })`). What ccxt 4.5.84
// sends (binance.js; checked by fake_binance_trading_test.ts):
// - Auth: signed calls carry `X-MBX-APIKEY` and `timestamp`, `recvWindow=10000` and
//   `signature` = hex HMAC-SHA256(secret, query string | form body) (GET/DELETE in the query,
//   POST in an x-www-form-urlencoded body). Missing key → 401 -2014, wrong key 401 -2015, no
//   timestamp/signature -1102, timestamp off the wall clock (not `nowMs`) by more than
//   recvWindow or 1 s ahead -1021, bad signature -1022 (unless `verifySignature: false`).
// - `loadMarkets()` with keys first runs fetchCurrencies: signed `GET /sapi/v1/capital/config/
//   getall` and `GET /sapi/v1/margin/allPairs` (options.fetchMargins), then `GET /fapi/v1/
//   exchangeInfo`. No time call (adjustForTimeDifference is off), no position-mode call.
// - `createOrder`: `POST /fapi/v1/order` for MARKET / LIMIT (symbol, side, type, quantity, price,
//   timeInForce GTC unless given, newClientOrderId = our `clientOrderId` or `x-cvBPrNm9…`,
//   newOrderRespType=RESULT, reduceOnly=true when asked). With `triggerPrice`/`stopPrice` (→
//   STOP_MARKET, or STOP for a limit) or `takeProfitPrice` (→ TAKE_PROFIT_MARKET / TAKE_PROFIT)
//   ccxt uses the algo endpoint, `POST /fapi/v1/algoOrder` with algoType=CONDITIONAL,
//   triggerPrice and clientAlgoId (our `clientOrderId`); conditional types sent to
//   /fapi/v1/order get -4120, as Binance answers since Dec 2025. Unknown extra params (e.g.
//   `algoClOrdId`) are ignored here; whether Binance refuses them (-1104) is not verified.
// - `fetchOrder` / `cancelOrder`: `GET|DELETE /fapi/v1/order?symbol&orderId|origClientOrderId`
//   (our `clientOrderId` param), unknown → -2013 "Order does not exist." / -2011 "Unknown order
//   sent."; with `{ trigger: true }` `GET|DELETE /fapi/v1/algoOrder?algoId|clientAlgoId`
//   (cancel answers `{algoId, clientAlgoId, code:"200", msg:"success"}`). `fetchOpenOrders`:
//   `GET /fapi/v1/openOrders`, with trigger `GET /fapi/v1/openAlgoOrders`; `fetchOrders`:
//   `/fapi/v1/allOrders` or `/allAlgoOrders`; `cancelAllOrders`: `DELETE /fapi/v1/allOpenOrders`
//   or `/algoOpenOrders`; `fetchOpenOrder`: `GET /fapi/v1/openOrder`.
// - `fetchMyTrades`: `GET /fapi/v1/userTrades?symbol[&startTime][&limit]`: oldest first,
//   commission (positive) in USDT, `realizedPnl` gross, `maker`.
// - `fetchBalance`: `GET /fapi/v3/account` (`{useV2:true}`: /fapi/v2/account); ccxt reads assets'
//   availableBalance (free), initialMargin (used), marginBalance (total = wallet + uPnL).
//   /fapi/v2|v3/balance are served too.
// - `fetchFundingHistory(symbol, since, limit)`: `GET /fapi/v1/income?incomeType=FUNDING_FEE
//   [&symbol][&startTime][&endTime (params.until)][&limit]`, rows oldest first (`tranId`, `time`,
//   `income` signed: negative = paid, `asset`, `symbol`); the last 7 days without times, limit
//   100 by default, 1000 at most. `chargeFunding` makes the rows (fake_binance_income.ts).
// - `fetchPositions`: `GET /fapi/v1/leverageBracket` once, then `GET /fapi/v3/positionRisk`
//   (rows with entryPrice > 0 are kept). v3 rows carry no `leverage`, so ccxt's position has
//   `leverage: undefined` (initialMarginPercentage = 1/leverage still); `{useV2:true}` asks
//   `/fapi/v2/positionRisk`, which has leverage and marginType. `fetchLeverages` /
//   `fetchMarginModes`: `GET /fapi/v1/symbolConfig`.
// - `setLeverage`: `POST /fapi/v1/leverage` (1..125, else -4028). `setMarginMode`: `POST /fapi/v1/
//   marginType` (ISOLATED|CROSSED); unchanged → -4046 "No need to change margin type.", which
//   ccxt throws as MarginModeAlreadySet (options.setMarginMode.throwMarginModeAlreadySet is
//   true); with a position -4048, with open orders -4047. `fetchPositionMode`: `GET /fapi/v1/
//   positionSide/dual` → one-way. `fetchTradingFee`: `GET /fapi/v1/commissionRate`.
// - Error classes: ccxt picks its linear-futures code table (-2019 InsufficientFunds, -4116 and
//   -2022 and -4164 InvalidOrder) only for URLs starting `https://fapi.binance.com/`; against a
//   rewritten origin only the common table would apply (-2013/-2011 OrderNotFound, -1022/-2015
//   AuthenticationError, -1111 BadRequest). `createExchange` maps a rewritten URL back to the
//   real host for that lookup, so clients made by it get the same classes as against Binance.
//
// Matching rules (one-way mode, one net position per symbol, USDT-margined, quantity in base):
// - Market orders fill at once, as takers, at the price set with `setPrice`, else the close of
//   the latest seeded candle; with neither the request fails (HTTP 500 naming the fix). A limit
//   that crosses that price fills at once at it (taker); else it rests and fills at its limit,
//   as a maker, when `setPrice` moves through it or `fillOrder` says so. IOC that does not cross
//   ends EXPIRED; FOK that does not cross -5021; GTX (post-only) that crosses -5022.
// - Margin: initial margin = notional / leverage (default `leverage`, 20). An order's part that
//   grows the position must fit the available balance (-2019): available = wallet − isolated
//   margin + cross uPnL − cross position margin (at the mark) − open orders' margin. Fees are
//   taker/maker × notional, in USDT, off the wallet; realised PnL on reductions is credited.
//   Isolated positions park entry notional / leverage. Funding is charged only when a test
//   calls `chargeFunding` (off the wallet and the isolated margin). Liquidation, mark/last price
//   spread and the leverage change margin check are not modelled (liquidationPrice "0").
// - reduceOnly: refused (-2022) when it could not reduce the position; at fill time clipped to
//   the position, the rest EXPIRED. Reduce-only orders skip the minimum notional check.
// - Algo orders: STOP_MARKET/STOP fire when the price reaches the trigger rising (BUY) or falling
//   (SELL), TAKE_PROFIT(_MARKET) the other way; one already reached when placed gets -2021. A
//   fired one places its MARKET/LIMIT order under its clientAlgoId (TRIGGERED, then FINISHED;
//   actualOrderId names the order); if that is refused it ends REJECTED. closePosition takes the
//   whole position. TRAILING_STOP_MARKET is not modelled. Open algo orders reserve no margin.
// - Checks in order: symbol, side, type, positionSide, client id format (-4015), quantity and
//   price format / precision (-1111) / step (-4023, -4014), minimum quantity (-4004), `rejectNext`
//   rules, then duplicate client id among OPEN orders (-4116; Binance: "unique among open
//   orders", so a finished order's id may be reused), min notional (-4164), reduce-only (-2022),
//   margin (-2019).
// Not modelled (answered 404 -5000 or refused): hedge mode (`setPositionMode(true)` → -1000),
// batchOrders, editOrder (PUT order), listenKey / user data streams, income other than
// funding, trailing stops, liquidation; `workingType` MARK_PRICE uses the one trade price.
// Faults: `failNext` hits private requests of one kind ("place": POST order/algoOrder; "cancel":
// DELETE; "query": everything else, settings included) with a status (429/418: Binance's -1003
// body, ccxt DDoSProtection; 5xx: a gateway page, ExchangeNotAvailable), a dropped socket
// (NetworkError) or a stall; with `after` the request takes effect first and only its answer is
// lost.

import type { FakeExchange } from "./fake_exchange.ts";
import type { FakeHookReply, FakeHookRequest, FakeRequestHook } from "./fake_rest_server.ts";
import {
  authFailure,
  type BinanceFill,
  bnError,
  failureReply,
  open,
  paramsOf,
} from "./fake_binance_rows.ts";
import { positionView, viewsOf } from "./fake_binance_views.ts";
import { BinanceBook } from "./fake_binance_book.ts";
import { BinanceRoutes } from "./fake_binance_routes.ts";
import { type BinanceIncome, chargeFunding } from "./fake_binance_income.ts";

/** Options for {@link attachFakeBinanceTrading}. */
export interface FakeBinanceTradingOptions {
  /** API key ccxt must send as X-MBX-APIKEY (default "fake-binance-key"). */
  apiKey?: string;
  /** Secret the signature is made with (default "fake-binance-secret"). */
  secret?: string;
  /** Check `signature` (default true); key and timestamp are always checked. */
  verifySignature?: boolean;
  /** Starting futures wallet per asset (default `{ USDT: 10000 }`); only USDT is margin. */
  balances?: Record<string, number>;
  /** Fee rates as fractions (default maker 0.0002, taker 0.0005: Binance's base tier). */
  fees?: { maker: number; taker: number };
  /** Leverage of every symbol until `setLeverage` (default 20). */
  leverage?: number;
}

/** Which private requests a {@link FakeBinanceFailure} hits. */
export type FakeRequestKind = "place" | "cancel" | "query" | "any";

/** How the next private requests fail; see {@link FakeBinanceTrading.failNext}. */
export interface FakeBinanceFailure {
  /** Answer with this HTTP status and Binance's body for it. */
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

/** One order placement the fake received. */
export interface FakeBinanceOrderLogEntry {
  seq: number;
  ts: number;
  endpoint: "order" | "algoOrder";
  /** Exchange id, "BTCUSDT". */
  symbol: string;
  side: string;
  type: string;
  quantity: string;
  price: string;
  triggerPrice: string;
  /** newClientOrderId, or clientAlgoId for algo orders. */
  clientId: string;
  reduceOnly: boolean;
  /** placed: an order now exists; rejected: `code` says why; failed: a fault hit it first. */
  outcome: "placed" | "rejected" | "failed";
  /** Binance's error code (0 when placed). */
  code: number;
  msg: string;
  /** orderId or algoId when placed. */
  id: string;
  /** It took effect but the client got a fault instead of the answer. */
  replyLost: boolean;
}

/** An order or algo order as tests inspect it. */
export interface FakeBinanceOrderView {
  kind: "order" | "algo";
  /** orderId or algoId. */
  id: string;
  /** clientOrderId or clientAlgoId. */
  clientId: string;
  /** Unified symbol, "BTC/USDT:USDT". */
  symbol: string;
  side: "BUY" | "SELL";
  /** MARKET/LIMIT, or the algo's STOP_MARKET/TAKE_PROFIT_MARKET/STOP/TAKE_PROFIT. */
  type: string;
  /** Binance status (orders) or algoStatus (algo orders). */
  status: string;
  qty: number;
  price?: number;
  triggerPrice?: number;
  reduceOnly: boolean;
  filled: number;
  avgPrice?: number;
  /** For a fired algo order: the order it placed. */
  orderId?: string;
  /** For a REJECTED algo order: why its order was refused. */
  failCode?: number;
}

/** A position as tests inspect it. */
export interface FakeBinancePositionView {
  symbol: string;
  side: "long" | "short" | "flat";
  /** Signed size in base (short < 0). */
  positionAmt: number;
  entryPrice: number;
  markPrice: number;
  leverage: number;
  marginType: "cross" | "isolated";
  unrealizedPnl: number;
  /** Isolated: parked margin + uPnL; cross: 0. */
  isolatedMargin: number;
}

/** The USDT wallet figures. */
export interface FakeBinanceBalance {
  /** Deposits + realised PnL − fees. */
  wallet: number;
  /** What new orders may use as margin. */
  available: number;
  unrealizedPnl: number;
  /** wallet + unrealizedPnl. */
  marginBalance: number;
  positionMargin: number;
  orderMargin: number;
}

/** The fake account a test drives. */
export interface FakeBinanceTrading {
  /** Every placement received, in order. */
  readonly orderLog: FakeBinanceOrderLogEntry[];
  /** How many placements created an order under this newClientOrderId or clientAlgoId. */
  placed(clientId: string): number;
  /** Every order and algo order, oldest first. */
  orders(): FakeBinanceOrderView[];
  /** One order by orderId, clientOrderId, algoId or clientAlgoId (latest of a reused id). */
  order(id: string): FakeBinanceOrderView | undefined;
  /** Every fill so far, oldest first (commission positive, in USDT). */
  fills(): BinanceFill[];
  /** Wallet figures of one asset (only USDT has margin figures). */
  balance(asset?: string): FakeBinanceBalance;
  /** Sets an asset's wallet balance. */
  setBalance(asset: string, wallet: number): void;
  /** Open positions (non-zero), one per symbol. */
  positions(): FakeBinancePositionView[];
  /** The position of one symbol, flat or not. */
  position(symbol: string): FakeBinancePositionView;
  /** Sets a symbol's leverage as if from the website. */
  setLeverage(symbol: string, leverage: number): void;
  /** Sets the trade (= mark) price of a symbol; fires algo orders, fills limits it reaches. */
  setPrice(symbol: string, price: number): void;
  /** Fills a resting limit order (default all that remains, at its limit) as a maker. */
  fillOrder(id: string, fill?: { qty?: number; price?: number }): void;
  /** Cancels an order or algo order as if from the website. */
  cancel(id: string): void;
  /** Places an order as if from the website (no auth, format checks or faults); its orderId. */
  placeManual(order: {
    symbol: string;
    side: "BUY" | "SELL";
    type: "MARKET" | "LIMIT";
    quantity: number;
    price?: number;
    clientOrderId?: string;
    reduceOnly?: boolean;
  }): string;
  /**
   * Charges funding at `rate` on `symbol`'s open position (long pays a positive rate, short
   * receives): `positionAmt × markPrice × rate` off the wallet, as an income row at `ts`
   * (default now). Returns the row (income < 0: paid), undefined when flat.
   */
  chargeFunding(symbol: string, rate: number, ts?: number): BinanceIncome | undefined;
  /** Every income row so far, oldest first. */
  incomes(): BinanceIncome[];
  /** Refuses the next placements with this Binance code and msg (default count 1). */
  rejectNext(code: number, msg: string, count?: number): void;
  /** Makes the next private requests fail (rules queue up in call order). */
  failNext(failure: FakeBinanceFailure): void;
}

/**
 * Plugs the Binance USDT-M private REST into `fake` and returns the account to drive.
 *
 * @example
 * ```ts
 * const fake = await startFakeExchange({ markets: { binanceusdm: ["BTC/USDT:USDT"] } });
 * const bn = attachFakeBinanceTrading(fake, { apiKey: "k", secret: "s" });
 * const ex = createExchange("binanceusdm", {
 *   restOrigin: fake.url,
 *   credentials: { apiKey: "k", secret: "s" },
 * });
 * bn.setPrice("BTC/USDT:USDT", 42_000);
 * ```
 */
export function attachFakeBinanceTrading(
  fake: FakeExchange,
  options: FakeBinanceTradingOptions = {},
): FakeBinanceTrading {
  const keys = {
    apiKey: options.apiKey ?? "fake-binance-key",
    secret: options.secret ?? "fake-binance-secret",
    verifySignature: options.verifySignature ?? true,
  };
  const book = new BinanceBook(fake, options.balances ?? { USDT: 10_000 }, {
    maker: options.fees?.maker ?? 0.0002,
    taker: options.fees?.taker ?? 0.0005,
  }, options.leverage ?? 20);
  const routes = new BinanceRoutes(book);
  const faults: (FakeBinanceFailure & { remaining: number })[] = [];

  function takeFault(kind: FakeRequestKind) {
    const i = faults.findIndex((f) => (f.on ?? "any") === "any" || f.on === kind);
    if (i < 0) return undefined;
    const f = faults[i];
    if (--f.remaining <= 0) faults.splice(i, 1);
    return f;
  }

  function faultReply(f: FakeBinanceFailure): FakeHookReply {
    return f.drop ? "drop" : f.stall ? "stall" : failureReply(f.status!);
  }

  function handle(req: FakeHookRequest): FakeHookReply {
    const route = routes.route(req.method, req.path);
    if (!route) return bnError(-5000, `Path ${req.path}, Method ${req.method} is invalid`, 404);
    const denied = authFailure(req, keys);
    if (denied) return denied;
    const fault = takeFault(route.kind);
    if (fault && !fault.after) {
      if (route.kind === "place") routes.logFailed(req);
      return faultReply(fault);
    }
    const logged = book.orderLog.length;
    const answer = route.run(paramsOf(req), req);
    if (!fault) return answer;
    for (let i = logged; i < book.orderLog.length; i++) book.orderLog[i].replyLost = true;
    return faultReply(fault);
  }

  const hook: FakeRequestHook = {
    claims: (method, path) => routes.serves(method, path) || path.startsWith("/sapi/"),
    handle,
  };
  fake.addHook(hook);
  const view = (symbol: string) => positionView(book, symbol);
  return {
    orderLog: book.orderLog,
    placed: (id) => book.orderLog.filter((e) => e.outcome === "placed" && e.clientId === id).length,
    orders: () => viewsOf(book),
    order: (id) => {
      const all = viewsOf(book);
      return all.find((v) => v.id === id) ?? all.filter((v) => v.clientId === id).at(-1);
    },
    fills: () => book.fills.map((f) => ({ ...f })),
    balance: (asset = "USDT") => {
      if (asset !== "USDT") {
        const w = book.wallet(asset);
        const zero = { unrealizedPnl: 0, positionMargin: 0, orderMargin: 0 };
        return { wallet: w, available: w, marginBalance: w, ...zero };
      }
      const f = book.figures();
      const { wallet, available, unrealizedPnl, marginBalance, positionMargin, orderMargin } = f;
      return { wallet, available, unrealizedPnl, marginBalance, positionMargin, orderMargin };
    },
    setBalance: (asset, wallet) => void book.wallets.set(asset, wallet),
    positions: () =>
      fake.listedMarkets("binanceusdm").map((m) => view(m.symbol)).filter((p) =>
        p.positionAmt !== 0
      ),
    position: view,
    setLeverage: (symbol, leverage) =>
      void (book.state(book.instBySymbol(symbol).id).leverage = leverage),
    setPrice: (symbol, price) => book.setPrice(symbol, price),
    fillOrder: (id, fill) => book.fillResting(id, fill?.qty, fill?.price),
    cancel: (id) => book.cancelByUser(id),
    placeManual: (o) => {
      const r = book.create({
        inst: book.instBySymbol(o.symbol),
        side: o.side,
        type: o.type,
        timeInForce: "GTC",
        qty: o.quantity,
        price: o.price ?? 0,
        reduceOnly: o.reduceOnly ?? false,
        clientOrderId: o.clientOrderId ?? `web_${book.orders.length + 1}`,
      });
      if (!r.ok) throw new Error(`fake binance: manual order refused: ${r.code} ${r.msg}`);
      return String(r.order.orderId);
    },
    chargeFunding: (symbol, rate, ts) => chargeFunding(book, symbol, rate, ts),
    incomes: () => book.incomes.map((r) => ({ ...r })),
    rejectNext: (code, msg, count = 1) => void book.rejects.push({ code, msg, remaining: count }),
    failNext: (f) => {
      const modes = [f.status !== undefined, !!f.drop, !!f.stall];
      if (modes.filter(Boolean).length !== 1) {
        throw new Error("failNext: give exactly one of status, drop or stall");
      }
      faults.push({ ...f, remaining: f.count ?? 1 });
    },
  };
}

export { open };
export type { BinanceFill, BinanceIncome };
