// The fake OKX private REST endpoints: one handler per path, over the account in fake_okx_book.ts
// (wire format and rules in fake_okx_trading.ts's header).

import type { FakeInstrument } from "./fake_market_data.ts";
import type { FakeHookReply, FakeHookRequest } from "./fake_rest_server.ts";
import { type OkxBook, open, type Result } from "./fake_okx_book.ts";
import { algoRow, balanceRow, fail, fillRow, ok, orderRow, reply } from "./fake_okx_rows.ts";
import type { FakeOrderLogEntry, FakeRequestKind } from "./fake_okx_trading.ts";

type Item = Record<string, unknown>;

/** An endpoint: which fault kind hits it, and its handler. */
export interface Route {
  kind: Exclude<FakeRequestKind, "any">;
  endpoint: FakeOrderLogEntry["endpoint"];
  run(req: FakeHookRequest): FakeHookReply;
}

const ORDER_TYPES = new Set(["market", "limit", "post_only", "ioc", "fok"]);
const DECIMAL = /^\d+(\.\d+)?$/;
const CLIENT_ID = /^[A-Za-z0-9]{1,32}$/;
const DEFAULT_CURRENCIES = ["BTC", "ETH", "USDT", "USDC", "SOL"];

const str = (v: unknown): string => (typeof v === "string" ? v : v === undefined ? "" : String(v));

/** Routes private requests to their handlers and logs every placement. */
export class OkxRoutes {
  constructor(readonly book: OkxBook) {}

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
    this.book.orderLog.push({
      seq: this.book.orderLog.length + 1,
      ts: this.book.now,
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
    const inst = this.book.inst(str(item.instId));
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
    const rule = this.book.rejects[0];
    if (rule) {
      if (--rule.remaining <= 0) this.book.rejects.shift();
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
        ? this.book.create({
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
        : {
          clOrdId: str(item.clOrdId),
          ordId: "",
          tag: str(item.tag),
          ts: String(this.book.now),
          ...c,
        };
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
    const r: Result = "inst" in c
      ? this.book.createAlgo({
        inst: c.inst,
        side: item.side as "buy" | "sell",
        sz: Number(item.sz),
        triggerPx: Number(item.triggerPx),
        orderPx: str(item.orderPx),
        ...base,
        tgtCcy: str(item.tgtCcy) || "base_ccy",
        reduceOnly: item.reduceOnly === true || item.reduceOnly === "true",
      })
      : { ...base, algoId: "", ...c };
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
      const o = this.book.orders.find((x) =>
        x.instId === item.instId &&
        (item.ordId ? x.ordId === item.ordId : item.clOrdId ? x.clOrdId === item.clOrdId : false)
      );
      const ids = { clOrdId: str(item.clOrdId ?? o?.clOrdId), ordId: str(item.ordId ?? o?.ordId) };
      if (!o || !open(o)) return { ...ids, ts: String(this.book.now), ...CANCEL_FAILED };
      this.book.cancelOrder(o, "0");
      return { ...ids, ts: String(this.book.now), sCode: "0", sMsg: "" };
    }));
  }

  #cancelAlgos(req: FakeHookRequest): FakeHookReply {
    const items = JSON.parse(req.body) as Item[];
    return multi(items.map((item) => {
      const a = this.book.algos.find((x) =>
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
      a.uTime = this.book.now;
      return { algoId, sCode: "0", sMsg: "" };
    }));
  }

  #orderDetails(q: Record<string, string>): FakeHookReply {
    if (!q.instId) return fail(400, "50014", "Parameter instId can not be empty.");
    if (!q.ordId && !q.clOrdId) return fail(400, "50014", "Parameter ordId can not be empty.");
    const o = this.book.orders.find((x) =>
      x.instId === q.instId && (q.ordId ? x.ordId === q.ordId : x.clOrdId === q.clOrdId)
    );
    return o ? ok([orderRow(o)]) : fail(200, "51603", "Order does not exist");
  }

  #algoDetails(q: Record<string, string>): FakeHookReply {
    if (!q.algoId && !q.algoClOrdId) {
      return fail(400, "50014", "Parameter algoId can not be empty.");
    }
    const a = this.book.algos.find((x) =>
      q.algoId ? x.algoId === q.algoId : x.algoClOrdId === q.algoClOrdId
    );
    if (!a || (q.instId && a.instId !== q.instId)) {
      return fail(200, "51603", "Order does not exist");
    }
    const inst = this.book.inst(a.instId);
    return ok([algoRow(a, inst && this.book.priceOf(inst))]);
  }

  #pending(q: Record<string, string>): FakeHookReply {
    const types = q.ordType ? q.ordType.split(",") : undefined;
    const rows = this.book.orders.filter((o) =>
      open(o) && (!q.instId || o.instId === q.instId) && (!types || types.includes(o.ordType))
    );
    return ok(rows.reverse().slice(0, limitOf(q.limit)).map(orderRow));
  }

  #algoPending(q: Record<string, string>): FakeHookReply {
    if (!q.ordType) return fail(400, "50014", "Parameter ordType can not be empty.");
    const types = q.ordType.split(",");
    const rows = this.book.algos.filter((a) =>
      a.state === "live" && types.includes(a.ordType) && (!q.instId || a.instId === q.instId)
    );
    return ok(
      rows.reverse().slice(0, limitOf(q.limit)).map((a) => {
        const inst = this.book.inst(a.instId);
        return algoRow(a, inst && this.book.priceOf(inst));
      }),
    );
  }

  #fills(q: Record<string, string>, history: boolean): FakeHookReply {
    if (history && !q.instType) return fail(400, "50014", "Parameter instType can not be empty.");
    if (q.instType && q.instType !== "SPOT") return ok([]);
    const num = (s: string | undefined) => (s ? BigInt(s) : undefined);
    const after = num(q.after);
    const before = num(q.before);
    const rows = this.book.fills.filter((f) =>
      (!q.instId || f.instId === q.instId) && (!q.ordId || f.ordId === q.ordId) &&
      (!q.begin || f.ts >= Number(q.begin)) && (!q.end || f.ts <= Number(q.end)) &&
      (after === undefined || BigInt(f.billId) < after) &&
      (before === undefined || BigInt(f.billId) > before)
    );
    return ok(rows.reverse().slice(0, limitOf(q.limit)).map(fillRow));
  }

  #balance(q: Record<string, string>): FakeHookReply {
    const only = q.ccy ? q.ccy.split(",") : undefined;
    const details = [...this.book.wallets.entries()]
      .filter(([ccy, w]) => (w.cash !== 0 || w.frozen !== 0) && (!only || only.includes(ccy)))
      .map(([ccy, w]) => balanceRow(ccy, w.cash, w.frozen, this.book.now));
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
      uTime: String(this.book.now),
      upl: "",
    }]);
  }

  #currencies(): FakeHookReply {
    const codes = new Set([...DEFAULT_CURRENCIES, ...this.book.wallets.keys()]);
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
