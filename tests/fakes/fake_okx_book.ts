// The fake OKX account behind fake_okx_trading.ts: wallets, orders, trigger orders, fills, the
// matching rules and one handler per private endpoint (rules in fake_okx_trading.ts's header).

import type {
  FakeExchange,
  FakeHookReply,
  FakeHookRequest,
  FakeInstrument,
} from "./fake_exchange.ts";
import {
  algoRow,
  balanceRow,
  clean,
  dec,
  fail,
  fillRow,
  ok,
  type OkxAlgoOrder,
  type OkxFill,
  type OkxOrder,
  onStep,
  orderRow,
  reply,
} from "./fake_okx_rows.ts";
import type { FakeOkxOrderView, FakeOrderLogEntry, FakeRequestKind } from "./fake_okx_trading.ts";

type Item = Record<string, unknown>;
type Result = Record<string, string>;

/** An endpoint: which fault kind hits it, and its handler. */
interface Route {
  kind: Exclude<FakeRequestKind, "any">;
  endpoint: FakeOrderLogEntry["endpoint"];
  run(req: FakeHookRequest): FakeHookReply;
}

/** What a new order needs (from a request, a fired trigger or a test). */
interface NewOrder {
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

const ORDER_TYPES = new Set(["market", "limit", "post_only", "ioc", "fok"]);
const DECIMAL = /^\d+(\.\d+)?$/;
const CLIENT_ID = /^[A-Za-z0-9]{1,32}$/;
const DEFAULT_CURRENCIES = ["BTC", "ETH", "USDT", "USDC", "SOL"];

const str = (v: unknown): string => (typeof v === "string" ? v : v === undefined ? "" : String(v));

/** The account state and its endpoint handlers. */
export class OkxBook {
  readonly orderLog: FakeOrderLogEntry[] = [];
  readonly rejects: { code: string; msg: string; remaining: number }[] = [];
  readonly orders: OkxOrder[] = [];
  readonly algos: OkxAlgoOrder[] = [];
  readonly fills: OkxFill[] = [];
  readonly #wallets = new Map<string, { cash: number; frozen: number }>();
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
    let w = this.#wallets.get(ccy);
    if (!w) this.#wallets.set(ccy, w = { cash: 0, frozen: 0 });
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

  #inst(id: string): FakeInstrument | undefined {
    return this.fake.instrument("okx", id);
  }

  #instBySymbol(symbol: string): FakeInstrument {
    const id = symbol.replace("/", "-");
    const inst = this.#inst(id);
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
  #create(n: NewOrder): Result {
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
      else if (n.ordType === "ioc" || n.ordType === "fok") this.#cancel(o, "0");
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

  #unfreeze(o: OkxOrder): void {
    if (o.frozen <= 0) return;
    const w = this.#w(o.side === "buy" ? o.quote : o.base);
    w.frozen = clean(w.frozen - o.frozen);
    o.frozen = 0;
  }

  #cancel(o: OkxOrder, source: string): void {
    this.#unfreeze(o);
    o.state = "canceled";
    o.cancelSource = source;
    o.uTime = this.now;
  }

  #fire(a: OkxAlgoOrder, inst: FakeInstrument): void {
    a.triggerTime = a.uTime = this.now;
    const market = a.orderPx === "-1";
    const clOrdId = a.clOrdId && !this.orders.some((o) => o.clOrdId === a.clOrdId) ? a.clOrdId : "";
    const r = this.#create({
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

  #find(id: string): OkxOrder | undefined {
    return this.orders.find((o) => o.ordId === id || (id !== "" && o.clOrdId === id));
  }

  #findAlgo(id: string): OkxAlgoOrder | undefined {
    return this.algos.find((a) => a.algoId === id || (id !== "" && a.algoClOrdId === id));
  }

  fillResting(id: string, qty?: number, price?: number): void {
    const o = this.#find(id);
    if (!o || !open(o)) throw new Error(`fake okx: no open order "${id}" to fill`);
    this.#execute(o, qty ?? clean(o.sz - o.accFillSz), price ?? o.px, "M");
  }

  cancelByUser(id: string): void {
    const o = this.#find(id);
    if (o && open(o)) return this.#cancel(o, "1");
    const a = this.#findAlgo(id);
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
    const r = this.#create({
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

  views(): FakeOkxOrderView[] {
    const sym = (id: string) => this.#inst(id)?.symbol ?? id;
    const out: FakeOkxOrderView[] = this.orders.map((o) => ({
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
    for (const a of this.algos) {
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
        filled: this.#find(a.ordId)?.accFillSz ?? 0,
        ...(a.ordId ? { ordId: a.ordId } : {}),
      });
    }
    return out;
  }

  // ------------------------------------------------------------ endpoints

  route(method: string, path: string): Route | undefined {
    const r = (kind: Route["kind"], run: Route["run"], endpoint: Route["endpoint"] = "order") => ({
      kind,
      run,
      endpoint,
    });
    const table: Record<string, Route> = {
      "POST /api/v5/trade/order": r("place", (q) => this.#placeRegular(q, false), "order"),
      "POST /api/v5/trade/batch-orders": r(
        "place",
        (q) => this.#placeRegular(q, true),
        "batch-orders",
      ),
      "POST /api/v5/trade/order-algo": r("place", (q) => this.#placeAlgo(q), "order-algo"),
      "POST /api/v5/trade/cancel-order": r("cancel", (q) => this.#cancelRegular(q, false)),
      "POST /api/v5/trade/cancel-batch-orders": r("cancel", (q) => this.#cancelRegular(q, true)),
      "POST /api/v5/trade/cancel-algos": r("cancel", (q) => this.#cancelAlgos(q)),
      "GET /api/v5/trade/order": r("query", (q) => this.#orderDetails(q.query)),
      "GET /api/v5/trade/order-algo": r("query", (q) => this.#algoDetails(q.query)),
      "GET /api/v5/trade/orders-pending": r("query", (q) => this.#pending(q.query)),
      "GET /api/v5/trade/orders-algo-pending": r("query", (q) => this.#algoPending(q.query)),
      "GET /api/v5/trade/fills-history": r("query", (q) => this.#fills(q.query, true)),
      "GET /api/v5/trade/fills": r("query", (q) => this.#fills(q.query, false)),
      "GET /api/v5/account/balance": r("query", (q) => this.#balance(q.query)),
      "GET /api/v5/account/positions": r("query", () => ok([])),
      "GET /api/v5/account/config": r("query", () => ok([ACCOUNT_CONFIG])),
      "GET /api/v5/asset/currencies": r("query", () => this.#currencies()),
    };
    return table[`${method} ${path}`];
  }

  /** Logs the placements of a request a fault hit before it took effect. */
  logFailed(req: FakeHookRequest, endpoint: Route["endpoint"]): void {
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      return;
    }
    for (const item of Array.isArray(body) ? body : [body]) {
      this.#log(endpoint, item as Item, "failed", { sCode: "", sMsg: "", id: "" });
    }
  }

  #log(
    endpoint: Route["endpoint"],
    item: Item,
    outcome: FakeOrderLogEntry["outcome"],
    r: { sCode: string; sMsg: string; id: string },
  ): void {
    this.orderLog.push({
      seq: this.orderLog.length + 1,
      ts: this.now,
      endpoint,
      instId: str(item.instId),
      side: str(item.side),
      ordType: str(item.ordType),
      sz: str(item.sz),
      px: str(item.px ?? item.orderPx),
      triggerPx: str(item.triggerPx),
      clOrdId: str(item.clOrdId),
      algoClOrdId: str(item.algoClOrdId),
      outcome,
      ...r,
      replyLost: false,
    });
  }

  /** Request-level checks shared by regular and algo placements; an error result or null. */
  #check(item: Item, algo: boolean): { inst: FakeInstrument } | { sCode: string; sMsg: string } {
    const inst = this.#inst(str(item.instId));
    if (!inst) return { sCode: "51001", sMsg: "Instrument ID or Spread ID doesn't exist." };
    if (inst.settle) throw new Error("fake okx: only spot trading is modelled");
    if (item.side !== "buy" && item.side !== "sell") {
      return { sCode: "51000", sMsg: "Parameter side error" };
    }
    const typeOk = algo ? item.ordType === "trigger" : ORDER_TYPES.has(str(item.ordType));
    if (!typeOk) return { sCode: "51000", sMsg: "Parameter ordType error" };
    if (item.tdMode !== "cash") return { sCode: "51000", sMsg: "Parameter tdMode error" };
    if (!DECIMAL.test(str(item.sz)) || !(Number(item.sz) > 0)) {
      return { sCode: "51000", sMsg: "Parameter sz error" };
    }
    const px = algo ? item.orderPx : item.px;
    const needsPx = algo ? px !== "-1" : item.ordType !== "market";
    if (needsPx && (!DECIMAL.test(str(px)) || !(Number(px) > 0))) {
      return { sCode: "51000", sMsg: `Parameter ${algo ? "orderPx" : "px"} error` };
    }
    if (algo && (!DECIMAL.test(str(item.triggerPx)) || !(Number(item.triggerPx) > 0))) {
      return { sCode: "51000", sMsg: "Parameter triggerPx error" };
    }
    for (const key of ["clOrdId", "algoClOrdId"]) {
      if (item[key] !== undefined && !CLIENT_ID.test(str(item[key]))) {
        return { sCode: "51000", sMsg: `Parameter ${key} error` };
      }
    }
    const rule = this.rejects[0];
    if (rule) {
      if (--rule.remaining <= 0) this.rejects.shift();
      return { sCode: rule.code, sMsg: rule.msg };
    }
    return { inst };
  }

  #placeRegular(req: FakeHookRequest, batch: boolean): FakeHookReply {
    const body = JSON.parse(req.body);
    if (batch !== Array.isArray(body)) return fail(400, "50002", "Json data format error");
    const items: Item[] = batch ? body : [body];
    const endpoint = batch ? "batch-orders" : "order";
    const results = items.map((item) => {
      const c = this.#check(item, false);
      const r = "inst" in c
        ? this.#create({
          inst: c.inst,
          side: item.side as "buy" | "sell",
          ordType: str(item.ordType),
          sz: Number(item.sz),
          px: Number(item.px),
          clOrdId: str(item.clOrdId),
          tag: str(item.tag),
          tgtCcy: str(item.tgtCcy) || "base_ccy",
          reduceOnly: item.reduceOnly === true || item.reduceOnly === "true",
        })
        : { clOrdId: str(item.clOrdId), ordId: "", tag: str(item.tag), ts: String(this.now), ...c };
      const placed = r.sCode === "0";
      this.#log(endpoint, item, placed ? "placed" : "rejected", {
        sCode: r.sCode,
        sMsg: r.sMsg,
        id: r.ordId,
      });
      return r;
    });
    return multi(results);
  }

  #placeAlgo(req: FakeHookRequest): FakeHookReply {
    const item = JSON.parse(req.body) as Item;
    const c = this.#check(item, true);
    const algoClOrdId = str(item.algoClOrdId);
    const base = { algoClOrdId, clOrdId: str(item.clOrdId), tag: str(item.tag) };
    let r: Result;
    if (!("inst" in c)) r = { ...base, algoId: "", ...c };
    else if (algoClOrdId && this.algos.some((a) => a.algoClOrdId === algoClOrdId)) {
      r = { ...base, algoId: "", sCode: "51065", sMsg: "algoClOrdId already exists." };
    } else {
      const inst = c.inst;
      const sz = Number(item.sz);
      const trigger = Number(item.triggerPx);
      const ccy = item.side === "buy" ? inst.quote : inst.base;
      const need = item.side === "buy" ? sz * trigger : sz;
      if (sz < Number(inst.minSize)) {
        r = {
          ...base,
          algoId: "",
          sCode: "51020",
          sMsg: "Order amount should be greater than the min available amount.",
        };
      } else if (!onStep(sz, inst.lotSize)) {
        r = {
          ...base,
          algoId: "",
          sCode: "51121",
          sMsg: "Order quantity must be a multiple of the lot size.",
        };
      } else if (this.wallet(ccy).free < need - 1e-12) {
        r = {
          ...base,
          algoId: "",
          sCode: "51008",
          sMsg: `Order failed. Insufficient ${ccy} balance in account.`,
        };
      } else {
        const last = this.priceOf(inst);
        const a: OkxAlgoOrder = {
          algoId: this.#id(700000000000000000n),
          ...base,
          instId: inst.id,
          side: item.side as "buy" | "sell",
          ordType: "trigger",
          sz,
          triggerPx: trigger,
          orderPx: str(item.orderPx),
          tdMode: "cash",
          tgtCcy: str(item.tgtCcy) || "base_ccy",
          reduceOnly: item.reduceOnly === true || item.reduceOnly === "true",
          state: "live",
          dir: last !== undefined ? (trigger >= last ? 1 : -1) : item.side === "buy" ? 1 : -1,
          cTime: this.now,
          uTime: this.now,
          triggerTime: 0,
          ordId: "",
          failCode: "",
        };
        this.algos.push(a);
        r = { ...base, algoId: a.algoId, sCode: "0", sMsg: "Order placed" };
      }
    }
    const placed = r.sCode === "0";
    this.#log("order-algo", item, placed ? "placed" : "rejected", {
      sCode: r.sCode,
      sMsg: r.sMsg,
      id: r.algoId,
    });
    return multi([r]);
  }

  #cancelRegular(req: FakeHookRequest, batch: boolean): FakeHookReply {
    const body = JSON.parse(req.body);
    const items: Item[] = batch ? body : [body];
    return multi(items.map((item) => {
      const o = this.orders.find((x) =>
        x.instId === item.instId &&
        (item.ordId ? x.ordId === item.ordId : item.clOrdId ? x.clOrdId === item.clOrdId : false)
      );
      const ids = { clOrdId: str(item.clOrdId ?? o?.clOrdId), ordId: str(item.ordId ?? o?.ordId) };
      if (!o || !open(o)) return { ...ids, ts: String(this.now), ...CANCEL_FAILED };
      this.#cancel(o, "0");
      return { ...ids, ts: String(this.now), sCode: "0", sMsg: "" };
    }));
  }

  #cancelAlgos(req: FakeHookRequest): FakeHookReply {
    const items = JSON.parse(req.body) as Item[];
    return multi(items.map((item) => {
      const a = this.algos.find((x) =>
        x.instId === item.instId &&
        (item.algoId
          ? x.algoId === item.algoId
          : item.algoClOrdId
          ? x.algoClOrdId === item.algoClOrdId
          : false)
      );
      const algoId = str(item.algoId ?? a?.algoId);
      if (!a || a.state !== "live") return { algoId, ...CANCEL_FAILED };
      a.state = "canceled";
      a.uTime = this.now;
      return { algoId, sCode: "0", sMsg: "" };
    }));
  }

  #orderDetails(q: Record<string, string>): FakeHookReply {
    if (!q.instId) return fail(400, "50014", "Parameter instId can not be empty.");
    if (!q.ordId && !q.clOrdId) return fail(400, "50014", "Parameter ordId can not be empty.");
    const o = this.orders.find((x) =>
      x.instId === q.instId && (q.ordId ? x.ordId === q.ordId : x.clOrdId === q.clOrdId)
    );
    return o ? ok([orderRow(o)]) : fail(200, "51603", "Order does not exist");
  }

  #algoDetails(q: Record<string, string>): FakeHookReply {
    if (!q.algoId && !q.algoClOrdId) {
      return fail(400, "50014", "Parameter algoId can not be empty.");
    }
    const a = this.algos.find((x) =>
      q.algoId ? x.algoId === q.algoId : x.algoClOrdId === q.algoClOrdId
    );
    if (!a || (q.instId && a.instId !== q.instId)) {
      return fail(200, "51603", "Order does not exist");
    }
    const inst = this.#inst(a.instId);
    return ok([algoRow(a, inst && this.priceOf(inst))]);
  }

  #pending(q: Record<string, string>): FakeHookReply {
    const types = q.ordType ? q.ordType.split(",") : undefined;
    const rows = this.orders.filter((o) =>
      open(o) && (!q.instId || o.instId === q.instId) && (!types || types.includes(o.ordType))
    );
    return ok(rows.reverse().slice(0, limitOf(q.limit)).map(orderRow));
  }

  #algoPending(q: Record<string, string>): FakeHookReply {
    if (!q.ordType) return fail(400, "50014", "Parameter ordType can not be empty.");
    const types = q.ordType.split(",");
    const rows = this.algos.filter((a) =>
      a.state === "live" && types.includes(a.ordType) && (!q.instId || a.instId === q.instId)
    );
    return ok(
      rows.reverse().slice(0, limitOf(q.limit)).map((a) => {
        const inst = this.#inst(a.instId);
        return algoRow(a, inst && this.priceOf(inst));
      }),
    );
  }

  #fills(q: Record<string, string>, history: boolean): FakeHookReply {
    if (history && !q.instType) return fail(400, "50014", "Parameter instType can not be empty.");
    if (q.instType && q.instType !== "SPOT") return ok([]);
    const num = (s: string | undefined) => (s ? BigInt(s) : undefined);
    const after = num(q.after);
    const before = num(q.before);
    const rows = this.fills.filter((f) =>
      (!q.instId || f.instId === q.instId) && (!q.ordId || f.ordId === q.ordId) &&
      (!q.begin || f.ts >= Number(q.begin)) && (!q.end || f.ts <= Number(q.end)) &&
      (after === undefined || BigInt(f.billId) < after) &&
      (before === undefined || BigInt(f.billId) > before)
    );
    return ok(rows.reverse().slice(0, limitOf(q.limit)).map(fillRow));
  }

  #balance(q: Record<string, string>): FakeHookReply {
    const only = q.ccy ? q.ccy.split(",") : undefined;
    const details = [...this.#wallets.entries()]
      .filter(([ccy, w]) => (w.cash !== 0 || w.frozen !== 0) && (!only || only.includes(ccy)))
      .map(([ccy, w]) => balanceRow(ccy, w.cash, w.frozen, this.now));
    return ok([{
      adjEq: "",
      availEq: "",
      borrowFroz: "",
      details,
      imr: "",
      isoEq: "0",
      mgnRatio: "",
      mmr: "",
      notionalUsd: "",
      ordFroz: "",
      totalEq: "",
      uTime: String(this.now),
      upl: "",
    }]);
  }

  #currencies(): FakeHookReply {
    const codes = new Set([...DEFAULT_CURRENCIES, ...this.#wallets.keys()]);
    return ok(
      [...codes].sort().map((ccy) => ({
        canDep: true,
        canInternal: true,
        canWd: true,
        ccy,
        chain: `${ccy}-${ccy === "USDT" || ccy === "USDC" ? "ERC20" : ccy}`,
        depQuotaFixed: "",
        logoLink: "",
        mainNet: true,
        maxFee: "0.001",
        maxWd: "1000000",
        minDep: "0.00000001",
        minFee: "0.0001",
        minWd: "0.001",
        name: ccy,
        wdTickSz: "8",
      })),
    );
  }
}

const CANCEL_FAILED = {
  sCode: "51400",
  sMsg: "Order cancellation failed as the order has been filled, canceled or does not exist.",
};

const ACCOUNT_CONFIG = {
  acctLv: "1",
  autoLoan: false,
  ctIsoMode: "automatic",
  greeksType: "PA",
  label: "tidewatch-fake",
  level: "Lv1",
  levelTmp: "",
  mgnIsoMode: "automatic",
  perm: "read_only,trade",
  posMode: "net_mode",
  uid: "44705892343619584",
};

function open(o: OkxOrder): boolean {
  return o.state === "live" || o.state === "partially_filled";
}

function limitOf(raw: string | undefined): number {
  const n = Number(raw);
  return raw && Number.isInteger(n) && n > 0 ? Math.min(n, 100) : 100;
}

/** OKX's answer to a request of one or more items: code "0" all ok, "1" none, "2" some. */
function multi(results: Result[]): FakeHookReply {
  const good = results.filter((r) => r.sCode === "0").length;
  const code = good === results.length ? "0" : good === 0 ? "1" : "2";
  const msg = code === "0"
    ? ""
    : code === "1"
    ? "All operations failed"
    : "Bulk operation partially succeeded";
  return reply(200, { code, msg, data: results, inTime: "", outTime: "" });
}
