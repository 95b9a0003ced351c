// The fake OKX account behind fake_okx_trading.ts: wallets, orders, trigger orders, fills and
// the matching rules (listed in fake_okx_trading.ts's header); endpoints in fake_okx_routes.ts.

import type { FakeExchange } from "./fake_exchange.ts";
import type { FakeInstrument } from "./fake_market_data.ts";
import { clean, type OkxAlgoOrder, type OkxFill, type OkxOrder, onStep } from "./fake_okx_rows.ts";
import type { FakeOrderLogEntry } from "./fake_okx_trading.ts";

/** The per-item answer OKX gives to a placement. */
export type Result = Record<string, string>;

/** What a new order needs (from a request, a fired trigger or a test). */
export interface NewOrder {
  inst: FakeInstrument;
  side: "buy" | "sell";
  ordType: string;
  sz: number;
  px: number;
  clOrdId: string;
  tag: string;
  tgtCcy: string;
  reduceOnly: boolean;
  algo?: OkxAlgoOrder;
}

/** The account state and its matching rules. */
export class OkxBook {
  readonly orderLog: FakeOrderLogEntry[] = [];
  readonly rejects: { code: string; msg: string; remaining: number }[] = [];
  readonly orders: OkxOrder[] = [];
  readonly algos: OkxAlgoOrder[] = [];
  readonly fills: OkxFill[] = [];
  readonly wallets = new Map<string, { cash: number; frozen: number }>();
  readonly #prices = new Map<string, number>();
  #seq = 0n;

  constructor(
    readonly fake: FakeExchange,
    balances: Record<string, number>,
    readonly fees: { maker: number; taker: number },
  ) {
    for (const [ccy, total] of Object.entries(balances)) this.setBalance(ccy, total);
  }

  get now(): number {
    return this.fake.nowMs;
  }

  #id(base: bigint): string {
    this.#seq++;
    return (base + this.#seq).toString();
  }

  // ------------------------------------------------------------ wallets and prices

  #w(ccy: string) {
    let w = this.wallets.get(ccy);
    if (!w) this.wallets.set(ccy, w = { cash: 0, frozen: 0 });
    return w;
  }

  wallet(ccy: string): { total: number; free: number; frozen: number } {
    const w = this.#w(ccy);
    return { total: w.cash, free: clean(w.cash - w.frozen), frozen: w.frozen };
  }

  setBalance(ccy: string, total: number): void {
    this.#w(ccy).cash = total;
  }

  priceOf(inst: FakeInstrument): number | undefined {
    return this.#prices.get(inst.symbol) ?? this.fake.lastPrice("okx", inst.symbol);
  }

  inst(id: string): FakeInstrument | undefined {
    return this.fake.instrument("okx", id);
  }

  #instBySymbol(symbol: string): FakeInstrument {
    const id = symbol.replace("/", "-");
    const inst = this.inst(id);
    if (!inst) throw new Error(`fake okx: "${symbol}" is not listed; add it to options.markets`);
    return inst;
  }

  setPrice(symbol: string, price: number): void {
    const inst = this.#instBySymbol(symbol);
    this.#prices.set(symbol, price);
    for (const a of this.algos) {
      if (a.instId !== inst.id || a.state !== "live") continue;
      if ((a.dir < 0 && price <= a.triggerPx) || (a.dir > 0 && price >= a.triggerPx)) {
        this.#fire(a, inst);
      }
    }
    for (const o of this.orders) {
      if (o.instId !== inst.id || !open(o) || o.ordType === "market") continue;
      if ((o.side === "buy" && price <= o.px) || (o.side === "sell" && price >= o.px)) {
        this.#execute(o, o.sz - o.accFillSz, o.px, "M");
      }
    }
  }

  // ------------------------------------------------------------ orders

  /** Places `n` after the request-level checks; the per-item result OKX answers. */
  create(n: NewOrder): Result {
    const { inst, side, sz, px } = n;
    const res = (sCode: string, sMsg: string, ordId = "") => ({
      clOrdId: n.clOrdId,
      ordId,
      sCode,
      sMsg,
      tag: n.tag,
      ts: String(this.now),
    });
    if (n.clOrdId && this.orders.some((o) => o.clOrdId === n.clOrdId)) {
      return res("51016", "Duplicated clOrdId");
    }
    const market = n.ordType === "market";
    const last = this.priceOf(inst);
    if (market && last === undefined) {
      throw new Error(`fake okx: no price for ${inst.symbol}; seed candles or call setPrice`);
    }
    const qty = market && side === "buy" && n.tgtCcy === "quote_ccy" ? clean(sz / last!) : sz;
    if (qty < Number(inst.minSize)) {
      return res("51020", "Order amount should be greater than the min available amount.");
    }
    if (!(market && n.tgtCcy === "quote_ccy") && !onStep(sz, inst.lotSize)) {
      return res("51121", "Order quantity must be a multiple of the lot size.");
    }
    if (!market && !onStep(px, inst.tickSize)) return res("51000", "Parameter px error");
    const ref = market ? last! : px;
    const [ccy, need] = side === "buy" ? [inst.quote, qty * ref] : [inst.base, qty];
    if (this.wallet(ccy).free < need - 1e-12) {
      return res("51008", `Order failed. Insufficient ${ccy} balance in account.`);
    }
    const o: OkxOrder = {
      ordId: this.#id(600000000000000000n),
      clOrdId: n.clOrdId,
      tag: n.tag,
      instId: inst.id,
      base: inst.base,
      quote: inst.quote,
      side,
      ordType: n.ordType,
      px: market ? NaN : px,
      sz: qty,
      tgtCcy: n.tgtCcy,
      tdMode: "cash",
      reduceOnly: n.reduceOnly,
      accFillSz: 0,
      fillValue: 0,
      fee: 0,
      feeCcy: side === "buy" ? inst.base : inst.quote,
      state: "live",
      cTime: this.now,
      uTime: this.now,
      fillTime: 0,
      lastFillPx: NaN,
      lastFillSz: 0,
      lastTradeId: "",
      frozen: 0,
      algoId: n.algo?.algoId ?? "",
      algoClOrdId: n.algo?.algoClOrdId ?? "",
      cancelSource: "",
    };
    this.orders.push(o);
    if (market) this.#execute(o, qty, last!, "T");
    else {
      o.frozen = need;
      this.#w(ccy).frozen = clean(this.#w(ccy).frozen + need);
      const crosses = last !== undefined &&
        (side === "buy" ? last <= px : last >= px) && n.ordType !== "post_only";
      if (crosses) this.#execute(o, qty, last!, "T");
      else if (n.ordType === "ioc" || n.ordType === "fok") this.cancelOrder(o, "0");
    }
    return res("0", "Order placed", o.ordId);
  }

  /** Executes `qty` of `o` at `price`, moving wallets and fees; records the fill. */
  #execute(o: OkxOrder, qty: number, price: number, exec: "T" | "M"): void {
    const rate = exec === "M" ? this.fees.maker : this.fees.taker;
    const q = this.#w(o.quote);
    const b = this.#w(o.base);
    const value = qty * price;
    let fee: number;
    if (o.side === "buy") {
      const release = Math.min(o.frozen, qty * o.px || 0);
      q.frozen = clean(q.frozen - release);
      o.frozen = clean(o.frozen - release);
      q.cash = clean(q.cash - value);
      fee = clean(qty * rate);
      b.cash = clean(b.cash + qty - fee);
    } else {
      const release = Math.min(o.frozen, qty);
      b.frozen = clean(b.frozen - release);
      o.frozen = clean(o.frozen - release);
      b.cash = clean(b.cash - qty);
      fee = clean(value * rate);
      q.cash = clean(q.cash + value - fee);
    }
    o.accFillSz = clean(o.accFillSz + qty);
    o.fillValue += value;
    o.fee = clean(o.fee + fee);
    o.lastFillPx = price;
    o.lastFillSz = qty;
    o.fillTime = o.uTime = this.now;
    o.lastTradeId = this.#id(100000000n);
    o.state = o.accFillSz >= o.sz - 1e-12 ? "filled" : "partially_filled";
    if (o.state === "filled") this.#unfreeze(o);
    this.fills.push({
      instId: o.instId,
      tradeId: o.lastTradeId,
      billId: this.#id(800000000000000000n),
      ordId: o.ordId,
      clOrdId: o.clOrdId,
      tag: o.tag,
      side: o.side,
      fillPx: price,
      fillSz: qty,
      fee,
      feeCcy: o.feeCcy,
      feeRate: rate,
      execType: exec,
      ts: this.now,
    });
  }

  /** Places a trigger order after the request-level checks; the per-item result. */
  createAlgo(n: {
    inst: FakeInstrument;
    side: "buy" | "sell";
    sz: number;
    triggerPx: number;
    orderPx: string;
    algoClOrdId: string;
    clOrdId: string;
    tag: string;
    tgtCcy: string;
    reduceOnly: boolean;
  }): Result {
    const { inst, side, sz, triggerPx } = n;
    const res = (sCode: string, sMsg: string, algoId = "") => ({
      algoClOrdId: n.algoClOrdId,
      clOrdId: n.clOrdId,
      tag: n.tag,
      algoId,
      sCode,
      sMsg,
    });
    if (n.algoClOrdId && this.algos.some((a) => a.algoClOrdId === n.algoClOrdId)) {
      return res("51065", "algoClOrdId already exists.");
    }
    if (sz < Number(inst.minSize)) {
      return res("51020", "Order amount should be greater than the min available amount.");
    }
    if (!onStep(sz, inst.lotSize)) {
      return res("51121", "Order quantity must be a multiple of the lot size.");
    }
    const ccy = side === "buy" ? inst.quote : inst.base;
    if (this.wallet(ccy).free < (side === "buy" ? sz * triggerPx : sz) - 1e-12) {
      return res("51008", `Order failed. Insufficient ${ccy} balance in account.`);
    }
    const last = this.priceOf(inst);
    const a: OkxAlgoOrder = {
      algoId: this.#id(700000000000000000n),
      algoClOrdId: n.algoClOrdId,
      clOrdId: n.clOrdId,
      tag: n.tag,
      instId: inst.id,
      side,
      ordType: "trigger",
      sz,
      triggerPx,
      orderPx: n.orderPx,
      tdMode: "cash",
      tgtCcy: n.tgtCcy,
      reduceOnly: n.reduceOnly,
      state: "live",
      dir: last !== undefined ? (triggerPx >= last ? 1 : -1) : side === "buy" ? 1 : -1,
      cTime: this.now,
      uTime: this.now,
      triggerTime: 0,
      ordId: "",
      failCode: "",
    };
    this.algos.push(a);
    return res("0", "Order placed", a.algoId);
  }

  #unfreeze(o: OkxOrder): void {
    if (o.frozen <= 0) return;
    const w = this.#w(o.side === "buy" ? o.quote : o.base);
    w.frozen = clean(w.frozen - o.frozen);
    o.frozen = 0;
  }

  cancelOrder(o: OkxOrder, source: string): void {
    this.#unfreeze(o);
    o.state = "canceled";
    o.cancelSource = source;
    o.uTime = this.now;
  }

  #fire(a: OkxAlgoOrder, inst: FakeInstrument): void {
    a.triggerTime = a.uTime = this.now;
    const market = a.orderPx === "-1";
    const clOrdId = a.clOrdId && !this.orders.some((o) => o.clOrdId === a.clOrdId) ? a.clOrdId : "";
    const r = this.create({
      inst,
      side: a.side,
      ordType: market ? "market" : "limit",
      sz: a.sz,
      px: market ? NaN : Number(a.orderPx),
      clOrdId,
      tag: a.tag,
      tgtCcy: a.tgtCcy,
      reduceOnly: a.reduceOnly,
      algo: a,
    });
    if (r.sCode === "0") (a.state = "effective", a.ordId = r.ordId);
    else (a.state = "order_failed", a.failCode = r.sCode);
  }

  find(id: string): OkxOrder | undefined {
    return this.orders.find((o) => o.ordId === id || (id !== "" && o.clOrdId === id));
  }

  findAlgo(id: string): OkxAlgoOrder | undefined {
    return this.algos.find((a) => a.algoId === id || (id !== "" && a.algoClOrdId === id));
  }

  fillResting(id: string, qty?: number, price?: number): void {
    const o = this.find(id);
    if (!o || !open(o)) throw new Error(`fake okx: no open order "${id}" to fill`);
    this.#execute(o, qty ?? clean(o.sz - o.accFillSz), price ?? o.px, "M");
  }

  cancelByUser(id: string): void {
    const o = this.find(id);
    if (o && open(o)) return this.cancelOrder(o, "1");
    const a = this.findAlgo(id);
    if (a && a.state === "live") return void (a.state = "canceled", a.uTime = this.now);
    throw new Error(`fake okx: no open order "${id}" to cancel`);
  }

  placeManual(m: {
    symbol: string;
    side: "buy" | "sell";
    ordType: "market" | "limit";
    sz: number;
    px?: number;
    clOrdId?: string;
  }): string {
    const r = this.create({
      inst: this.#instBySymbol(m.symbol),
      side: m.side,
      ordType: m.ordType,
      sz: m.sz,
      px: m.px ?? NaN,
      clOrdId: m.clOrdId ?? "",
      tag: "",
      tgtCcy: "base_ccy",
      reduceOnly: false,
    });
    if (r.sCode !== "0") throw new Error(`fake okx: manual order refused: ${r.sMsg}`);
    return r.ordId;
  }
}

/** Whether `o` can still fill. */
export function open(o: OkxOrder): boolean {
  return o.state === "live" || o.state === "partially_filled";
}
