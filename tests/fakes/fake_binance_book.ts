// The fake Binance USDT-M account behind fake_binance_trading.ts: USDT wallet, one net position
// per symbol, orders, fills, margin and the matching rules (listed in fake_binance_trading.ts's
// header); algo orders fire in fake_binance_algos.ts, endpoints are in fake_binance_routes.ts.

import type { FakeExchange } from "./fake_exchange.ts";
import type { FakeInstrument } from "./fake_market_data.ts";
import {
  type BinanceAlgoOrder,
  type BinanceFill,
  type BinanceOrder,
  clean,
  decimals,
  open,
} from "./fake_binance_rows.ts";
import { fireAlgo, fires } from "./fake_binance_algos.ts";
import type { FakeBinanceOrderLogEntry } from "./fake_binance_trading.ts";
import type { BinanceIncome } from "./fake_binance_income.ts";

/** Leverage, margin type and the net position of one symbol. */
export interface SymbolState {
  leverage: number;
  marginType: "CROSSED" | "ISOLATED";
  /** Signed position size in base (long > 0). */
  amt: number;
  entry: number;
  /** Margin parked in an isolated position (entry notional / leverage). */
  isoWallet: number;
  updateTime: number;
}

/** What a new order needs (from a request, a fired algo order or a test). */
export interface NewOrder {
  inst: FakeInstrument;
  side: "BUY" | "SELL";
  type: "MARKET" | "LIMIT";
  origType?: string;
  timeInForce: string;
  qty: number;
  /** Limit price (0 for market). */
  price: number;
  stopPrice?: number;
  reduceOnly: boolean;
  closePosition?: boolean;
  /** "" lets the fake make one up. */
  clientOrderId: string;
  algoId?: number;
}

/** A placement's outcome: the order (and how it looked when accepted), or Binance's refusal. */
export type Placed =
  | { ok: true; order: BinanceOrder; accepted: BinanceOrder }
  | { ok: false; code: number; msg: string };

/** The account's money figures in USDT, as Binance computes them (simplified). */
export interface AccountFigures {
  wallet: number;
  crossWallet: number;
  unrealizedPnl: number;
  crossUnPnl: number;
  positionMargin: number;
  orderMargin: number;
  marginBalance: number;
  available: number;
}

const EPS = 1e-9;

/** The account state and its matching rules. */
export class BinanceBook {
  readonly orderLog: FakeBinanceOrderLogEntry[] = [];
  readonly rejects: { code: number; msg: string; remaining: number }[] = [];
  readonly orders: BinanceOrder[] = [];
  readonly algos: BinanceAlgoOrder[] = [];
  readonly fills: BinanceFill[] = [];
  /** Income history (funding charges, fake_binance_income.ts), oldest first. */
  readonly incomes: BinanceIncome[] = [];
  readonly wallets = new Map<string, number>();
  readonly states = new Map<string, SymbolState>();
  readonly #prices = new Map<string, number>();
  #seq = 0;

  constructor(
    readonly fake: FakeExchange,
    balances: Record<string, number>,
    readonly fees: { maker: number; taker: number },
    readonly defaultLeverage: number,
  ) {
    for (const [asset, amount] of Object.entries(balances)) this.wallets.set(asset, amount);
  }

  get now(): number {
    return this.fake.nowMs;
  }

  /** The next number of the id sequence orders, algo orders and fills share. */
  nextId(): number {
    return ++this.#seq;
  }

  // ------------------------------------------------------------ markets, prices, state

  inst(id: string): FakeInstrument | undefined {
    return this.fake.instrument("binanceusdm", id);
  }

  instBySymbol(symbol: string): FakeInstrument {
    const m = this.fake.listedMarkets("binanceusdm").find((x) => x.symbol === symbol);
    const inst = m && this.inst(m.id);
    if (!inst) {
      throw new Error(`fake binance: "${symbol}" is not listed; add it to options.markets`);
    }
    return inst;
  }

  /** Decimals of price and quantity, as exchangeInfo's pricePrecision / quantityPrecision. */
  places(id: string): [number, number] {
    const inst = this.inst(id);
    return inst ? [decimals(inst.tickSize), decimals(inst.lotSize)] : [8, 8];
  }

  /** Trade price (= mark price here): `setPrice`, else the latest seeded candle's close. */
  priceOf(inst: FakeInstrument): number | undefined {
    return this.#prices.get(inst.id) ?? this.fake.lastPrice("binanceusdm", inst.symbol);
  }

  state(id: string): SymbolState {
    let s = this.states.get(id);
    if (!s) {
      s = {
        leverage: this.defaultLeverage,
        marginType: "CROSSED",
        amt: 0,
        entry: 0,
        isoWallet: 0,
        updateTime: 0,
      };
      this.states.set(id, s);
    }
    return s;
  }

  markOf(id: string): number {
    const inst = this.inst(id);
    return (inst && this.priceOf(inst)) ?? this.state(id).entry;
  }

  wallet(asset = "USDT"): number {
    return this.wallets.get(asset) ?? 0;
  }

  #credit(amount: number): void {
    this.wallets.set("USDT", clean(this.wallet() + amount));
  }

  /** The part of `qty` on `side` that would grow the position rather than shrink it. */
  increase(id: string, side: "BUY" | "SELL", qty: number): number {
    const amt = this.state(id).amt;
    const opposes = side === "BUY" ? amt < 0 : amt > 0;
    return opposes ? Math.max(0, qty - Math.abs(amt)) : qty;
  }

  figures(): AccountFigures {
    let iso = 0, upnl = 0, crossUpnl = 0, posIm = 0, crossIm = 0, orderIm = 0;
    for (const [id, s] of this.states) {
      if (s.amt === 0) continue;
      const mark = this.markOf(id);
      const u = s.amt * (mark - s.entry);
      const im = Math.abs(s.amt) * mark / s.leverage;
      upnl += u;
      posIm += im;
      if (s.marginType === "ISOLATED") iso += s.isoWallet;
      else (crossUpnl += u, crossIm += im);
    }
    for (const o of this.orders) {
      if (!open(o) || o.reduceOnly) continue;
      const inc = this.increase(o.symbol, o.side, o.origQty - o.executedQty);
      orderIm += inc * o.price / this.state(o.symbol).leverage;
    }
    const wallet = this.wallet();
    const crossWallet = wallet - iso;
    return {
      wallet,
      crossWallet: clean(crossWallet),
      unrealizedPnl: clean(upnl),
      crossUnPnl: clean(crossUpnl),
      positionMargin: clean(posIm),
      orderMargin: clean(orderIm),
      marginBalance: clean(wallet + upnl),
      available: clean(crossWallet + crossUpnl - crossIm - orderIm),
    };
  }

  // ------------------------------------------------------------ orders

  /** Places `n` after the request-level checks (done by the routes). */
  create(n: NewOrder): Placed {
    const { inst, side, qty } = n;
    const no = (code: number, msg: string): Placed => ({ ok: false, code, msg });
    if (
      n.clientOrderId && this.orders.some((o) => o.clientOrderId === n.clientOrderId && open(o))
    ) {
      return no(-4116, "ClientOrderId is duplicated.");
    }
    const last = this.priceOf(inst);
    const market = n.type === "MARKET";
    if (last === undefined && market) {
      throw new Error(`fake binance: no price for ${inst.symbol}; seed candles or call setPrice`);
    }
    const ref = market ? last! : n.price;
    const minNotional = Number(inst.minNotional || 0);
    if (!n.reduceOnly && qty * ref < minNotional - EPS) {
      return no(
        -4164,
        `Order's notional must be no smaller than ${inst.minNotional} (unless you choose reduce only).`,
      );
    }
    const s = this.state(inst.id);
    if (n.reduceOnly && this.increase(inst.id, side, qty) >= qty - EPS) {
      return no(-2022, "ReduceOnly Order is rejected.");
    }
    const inc = n.reduceOnly ? 0 : this.increase(inst.id, side, qty);
    if (inc * ref / s.leverage > this.figures().available + EPS) {
      return no(-2019, "Margin is insufficient.");
    }
    const crosses = last !== undefined && !market &&
      (side === "BUY" ? last <= n.price : last >= n.price);
    if (crosses && n.timeInForce === "GTX") {
      return no(
        -5022,
        "Due to the order could not be executed as maker, the Post Only order will be rejected.",
      );
    }
    if (!crosses && !market && n.timeInForce === "FOK") {
      return no(
        -5021,
        "Due to the order could not be filled immediately, the FOK order has been rejected.",
      );
    }
    const id = this.nextId();
    const o: BinanceOrder = {
      orderId: 8_300_000_000 + id,
      clientOrderId: n.clientOrderId || (n.algoId ? `autoalgo-${id}` : `fake-${id}`),
      symbol: inst.id,
      side,
      type: n.type,
      origType: n.origType ?? n.type,
      timeInForce: market ? "GTC" : n.timeInForce,
      origQty: qty,
      price: market ? 0 : n.price,
      stopPrice: n.stopPrice ?? 0,
      reduceOnly: n.reduceOnly,
      closePosition: n.closePosition ?? false,
      executedQty: 0,
      cumQuote: 0,
      status: "NEW",
      time: this.now,
      updateTime: this.now,
      algoId: n.algoId ?? 0,
    };
    this.orders.push(o);
    const accepted = { ...o };
    if (market || crosses) this.#execute(o, qty, last!, false);
    else if (n.timeInForce === "IOC") this.#end(o, "EXPIRED");
    return { ok: true, order: o, accepted };
  }

  /** Executes `qty` of `o` at `price`: position, realised PnL, fee, fill row. */
  #execute(o: BinanceOrder, qty: number, price: number, maker: boolean): void {
    const s = this.state(o.symbol);
    const dir = o.side === "BUY" ? 1 : -1;
    let q = qty;
    if (o.reduceOnly) q = Math.min(q, dir * s.amt < 0 ? Math.abs(s.amt) : 0);
    if (q <= EPS) return this.#end(o, "EXPIRED");
    const closing = dir * s.amt < 0 ? Math.min(q, Math.abs(s.amt)) : 0;
    let pnl = 0;
    if (closing > 0) {
      pnl = closing * (price - s.entry) * Math.sign(s.amt);
      s.isoWallet = clean(s.isoWallet * (1 - closing / Math.abs(s.amt)));
      s.amt = clean(s.amt + dir * closing);
      if (s.amt === 0) (s.entry = 0, s.isoWallet = 0);
    }
    const opening = clean(q - closing);
    if (opening > 0) {
      const size = Math.abs(s.amt);
      s.entry = (size * s.entry + opening * price) / (size + opening);
      s.amt = clean(s.amt + dir * opening);
      if (s.marginType === "ISOLATED") {
        s.isoWallet = clean(s.isoWallet + opening * price / s.leverage);
      }
    }
    s.updateTime = this.now;
    const rate = maker ? this.fees.maker : this.fees.taker;
    const fee = clean(q * price * rate);
    this.#credit(pnl - fee);
    o.executedQty = clean(o.executedQty + q);
    o.cumQuote = clean(o.cumQuote + q * price);
    o.updateTime = this.now;
    this.fills.push({
      id: 900_000_000 + this.nextId(),
      orderId: o.orderId,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      price,
      qty: q,
      commission: fee,
      commissionAsset: "USDT",
      realizedPnl: clean(pnl),
      maker,
      time: this.now,
    });
    if (o.executedQty >= o.origQty - EPS) this.#end(o, "FILLED");
    else if (q < qty - EPS) this.#end(o, "EXPIRED");
    else o.status = "PARTIALLY_FILLED";
  }

  /** Ends `o` with `status` and finishes the algo order that placed it. */
  #end(o: BinanceOrder, status: BinanceOrder["status"]): void {
    o.status = status;
    o.updateTime = this.now;
    const a = o.algoId ? this.algos.find((x) => x.algoId === o.algoId) : undefined;
    if (a && a.algoStatus === "TRIGGERED") (a.algoStatus = "FINISHED", a.updateTime = this.now);
  }

  cancelOrder(o: BinanceOrder): void {
    this.#end(o, "CANCELED");
  }

  cancelAlgo(a: BinanceAlgoOrder): void {
    a.algoStatus = "CANCELED";
    a.updateTime = this.now;
  }

  /** Sets the trade (and mark) price; fires algo orders it reaches, fills limits it crosses. */
  setPrice(symbol: string, price: number): void {
    const inst = this.instBySymbol(symbol);
    this.#prices.set(inst.id, price);
    for (const a of this.algos) {
      if (a.symbol === inst.id && a.algoStatus === "NEW" && fires(a, price)) {
        fireAlgo(this, a, inst);
      }
    }
    for (const o of this.orders) {
      if (o.symbol !== inst.id || !open(o) || o.type !== "LIMIT") continue;
      if ((o.side === "BUY" && price <= o.price) || (o.side === "SELL" && price >= o.price)) {
        this.#execute(o, clean(o.origQty - o.executedQty), o.price, true);
      }
    }
  }

  find(id: string): BinanceOrder | undefined {
    const byClient = this.orders.filter((o) => id !== "" && o.clientOrderId === id);
    return this.orders.find((o) => String(o.orderId) === id) ?? byClient.at(-1);
  }

  findAlgo(id: string): BinanceAlgoOrder | undefined {
    const byClient = this.algos.filter((a) => id !== "" && a.clientAlgoId === id);
    return this.algos.find((a) => String(a.algoId) === id) ?? byClient.at(-1);
  }

  fillResting(id: string, qty?: number, price?: number): void {
    const o = this.find(id);
    if (!o || !open(o) || o.type !== "LIMIT") {
      throw new Error(`fake binance: no open limit order "${id}" to fill`);
    }
    this.#execute(o, qty ?? clean(o.origQty - o.executedQty), price ?? o.price, true);
  }

  cancelByUser(id: string): void {
    const o = this.find(id);
    if (o && open(o)) return this.cancelOrder(o);
    const a = this.findAlgo(id);
    if (a && a.algoStatus === "NEW") return this.cancelAlgo(a);
    throw new Error(`fake binance: no open order "${id}" to cancel`);
  }
}
