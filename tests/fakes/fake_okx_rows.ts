// Wire shapes of the fake OKX private REST: order, algo order, fill and balance rows, error
// bodies and the request-signature check, all as OKX v5 sends them (strings, "" for unset).

import { createHmac } from "node:crypto";
import type { FakeHookReply, FakeHookRequest } from "./fake_rest_server.ts";

/** A regular order as the fake keeps it. Numbers are exact enough for tests (12 digits). */
export interface OkxOrder {
  ordId: string;
  clOrdId: string;
  tag: string;
  instId: string;
  base: string;
  quote: string;
  side: "buy" | "sell";
  ordType: string;
  /** Limit price; NaN for market orders. */
  px: number;
  sz: number;
  tgtCcy: string;
  tdMode: string;
  reduceOnly: boolean;
  accFillSz: number;
  /** Sum of fill price × size, for the average price. */
  fillValue: number;
  /** Fees so far (positive) in `feeCcy`. */
  fee: number;
  feeCcy: string;
  state: "live" | "partially_filled" | "filled" | "canceled";
  cTime: number;
  uTime: number;
  fillTime: number;
  lastFillPx: number;
  lastFillSz: number;
  lastTradeId: string;
  /** What is still frozen for it (quote for buys, base for sells). */
  frozen: number;
  /** The algo order that placed it, if any. */
  algoId: string;
  algoClOrdId: string;
  cancelSource: string;
}

/** A trigger (algo) order as the fake keeps it. */
export interface OkxAlgoOrder {
  algoId: string;
  algoClOrdId: string;
  /** Client id of the order it places when triggered ("" when none was given). */
  clOrdId: string;
  tag: string;
  instId: string;
  side: "buy" | "sell";
  ordType: string;
  sz: number;
  triggerPx: number;
  /** "-1" (market) or a limit price. */
  orderPx: string;
  tdMode: string;
  tgtCcy: string;
  reduceOnly: boolean;
  state: "live" | "effective" | "canceled" | "order_failed";
  /** +1 fires when the price rises to the trigger, -1 when it falls to it. */
  dir: 1 | -1;
  cTime: number;
  uTime: number;
  triggerTime: number;
  /** The order placed when it fired. */
  ordId: string;
  failCode: string;
}

/** One execution as the fake keeps it. */
export interface OkxFill {
  instId: string;
  tradeId: string;
  billId: string;
  ordId: string;
  clOrdId: string;
  tag: string;
  side: "buy" | "sell";
  fillPx: number;
  fillSz: number;
  /** Fee paid (positive) in `feeCcy`; OKX sends it negated. */
  fee: number;
  feeCcy: string;
  feeRate: number;
  execType: "T" | "M";
  ts: number;
}

/** Shortest decimal text of `n` at 12 significant digits, never in exponent form. */
export function dec(n: number): string {
  if (!Number.isFinite(n)) return "";
  const r = Number(n.toPrecision(12));
  const s = String(r);
  return /e/i.test(s) ? r.toFixed(20).replace(/\.?0+$/, "") : s;
}

/** `x` rounded to 12 significant digits (float noise off balances). */
export function clean(x: number): number {
  return Math.abs(x) < 1e-15 ? 0 : Number(x.toPrecision(12));
}

/** Whether `x` is a whole multiple of the decimal step `step` (within float noise). */
export function onStep(x: number, step: string): boolean {
  const s = Number(step);
  if (!(s > 0)) return true;
  const k = x / s;
  return Math.abs(k - Math.round(k)) < 1e-7;
}

/** The `GET /trade/order` / `orders-pending` row of `o`. */
export function orderRow(o: OkxOrder): Record<string, unknown> {
  const filled = o.accFillSz > 0;
  return {
    accFillSz: dec(o.accFillSz),
    algoClOrdId: o.algoClOrdId,
    algoId: o.algoId,
    attachAlgoClOrdId: "",
    attachAlgoOrds: [],
    avgPx: filled ? dec(o.fillValue / o.accFillSz) : "",
    cTime: String(o.cTime),
    cancelSource: o.cancelSource,
    cancelSourceReason: "",
    category: "normal",
    ccy: "",
    clOrdId: o.clOrdId,
    fee: filled ? dec(-o.fee) : "0",
    feeCcy: o.feeCcy,
    fillPx: filled ? dec(o.lastFillPx) : "",
    fillSz: filled ? dec(o.lastFillSz) : "0",
    fillTime: filled ? String(o.fillTime) : "",
    instId: o.instId,
    instType: "SPOT",
    isTpLimit: "false",
    lever: "",
    linkedAlgoOrd: { algoId: "" },
    ordId: o.ordId,
    ordType: o.ordType,
    pnl: "0",
    posSide: "net",
    px: Number.isNaN(o.px) ? "" : dec(o.px),
    pxType: "",
    pxUsd: "",
    pxVol: "",
    quickMgnType: "",
    rebate: "0",
    rebateCcy: o.side === "buy" ? o.base : o.quote,
    reduceOnly: String(o.reduceOnly),
    side: o.side,
    slOrdPx: "",
    slTriggerPx: "",
    slTriggerPxType: "",
    source: o.algoId ? "9" : "",
    state: o.state,
    stpId: "",
    stpMode: "cancel_maker",
    sz: dec(o.sz),
    tag: o.tag,
    tdMode: o.tdMode,
    tgtCcy: o.tgtCcy,
    tpOrdPx: "",
    tpTriggerPx: "",
    tpTriggerPxType: "",
    tradeId: o.lastTradeId,
    uTime: String(o.uTime),
  };
}

/** The `GET /trade/order-algo` / `orders-algo-pending` row of `a`. */
export function algoRow(a: OkxAlgoOrder, last: number | undefined): Record<string, unknown> {
  return {
    activePx: "",
    actualPx: a.state === "effective" ? (a.orderPx === "-1" ? "" : a.orderPx) : "",
    actualSide: a.state === "effective" ? a.side : "",
    actualSz: a.state === "effective" ? dec(a.sz) : "0",
    algoClOrdId: a.algoClOrdId,
    algoId: a.algoId,
    amendPxOnTriggerType: "0",
    cTime: String(a.cTime),
    callbackRatio: "",
    callbackSpread: "",
    ccy: "",
    clOrdId: a.clOrdId,
    closeFraction: "",
    failCode: a.failCode,
    instId: a.instId,
    instType: "SPOT",
    last: last === undefined ? "" : dec(last),
    lever: "",
    moveTriggerPx: "",
    notionalUsd: "",
    ordId: a.ordId,
    ordIdList: a.ordId ? [a.ordId] : [],
    ordPx: "",
    ordType: a.ordType,
    orderPx: a.orderPx,
    posSide: "net",
    pxLimit: "",
    pxSpread: "",
    pxVar: "",
    quickMgnType: "",
    reduceOnly: String(a.reduceOnly),
    side: a.side,
    slOrdPx: "",
    slTriggerPx: "",
    slTriggerPxType: "",
    state: a.state,
    sz: dec(a.sz),
    szLimit: "",
    tag: a.tag,
    tdMode: a.tdMode,
    tgtCcy: a.tgtCcy,
    timeInterval: "",
    tpOrdPx: "",
    tpTriggerPx: "",
    tpTriggerPxType: "",
    triggerPx: dec(a.triggerPx),
    triggerPxType: "last",
    triggerTime: a.triggerTime ? String(a.triggerTime) : "",
    uTime: String(a.uTime),
  };
}

/** The `GET /trade/fills-history` row of `f`. */
export function fillRow(f: OkxFill): Record<string, string> {
  return {
    instType: "SPOT",
    instId: f.instId,
    tradeId: f.tradeId,
    ordId: f.ordId,
    clOrdId: f.clOrdId,
    billId: f.billId,
    subType: f.side === "buy" ? "1" : "2",
    tag: f.tag,
    fillPx: dec(f.fillPx),
    fillSz: dec(f.fillSz),
    fillIdxPx: "",
    fillPnl: "0",
    fillPxVol: "",
    fillPxUsd: "",
    fillMarkVol: "",
    fillFwdPx: "",
    fillMarkPx: "",
    side: f.side,
    posSide: "net",
    execType: f.execType,
    feeCcy: f.feeCcy,
    fee: dec(-f.fee),
    feeRate: dec(-f.feeRate),
    ts: String(f.ts),
    fillTime: String(f.ts),
  };
}

/** One `details` row of `GET /account/balance`. */
export function balanceRow(
  ccy: string,
  cash: number,
  frozen: number,
  now: number,
): Record<string, string> {
  const avail = dec(clean(cash - frozen));
  return {
    availBal: avail,
    availEq: avail,
    borrowFroz: "",
    cashBal: dec(cash),
    ccy,
    crossLiab: "",
    disEq: "",
    eq: dec(cash),
    eqUsd: "",
    fixedBal: "0",
    frozenBal: dec(frozen),
    imr: "",
    interest: "",
    isoEq: "0",
    isoLiab: "",
    isoUpl: "0",
    liab: "",
    maxLoan: "",
    mgnRatio: "",
    mmr: "",
    notionalLever: "",
    ordFrozen: dec(frozen),
    spotInUseAmt: "",
    stgyEq: "0",
    twap: "0",
    uTime: String(now),
    upl: "0",
    uplLiab: "",
  };
}

/** `{ code: "0", msg: "", data }` with HTTP 200. */
export function ok(data: unknown[]): FakeHookReply {
  return reply(200, { code: "0", msg: "", data });
}

/** A whole-request error: `{ code, msg, data: [] }`. */
export function fail(status: number, code: string, msg: string): FakeHookReply {
  return reply(status, { code, msg, data: [] });
}

/** A JSON reply. */
export function reply(status: number, value: unknown): FakeHookReply {
  return { status, body: JSON.stringify(value) };
}

/** OKX's answer to a forced failure status (429: its rate-limit body; 5xx: a gateway page). */
export function failureReply(status: number): FakeHookReply {
  if (status >= 500) {
    return {
      status,
      body: `<html><head><title>${status}</title></head><body><center><h1>${status}</h1>` +
        `</center></body></html>`,
      headers: { "content-type": "text/html" },
    };
  }
  if (status === 429) return reply(429, { msg: "Too Many Requests", code: "50011" });
  return fail(status, "50000", "Request failed");
}

/** The credentials the fake accepts. */
export interface OkxKeys {
  apiKey: string;
  secret: string;
  passphrase: string;
  /** Check OK-ACCESS-SIGN (HMAC-SHA256, base64) against the secret. */
  verifySignature: boolean;
}

/**
 * OKX's 401 answer when the request's OK-ACCESS-* headers are missing or wrong, else undefined.
 * The answer never echoes a header value.
 */
export function authFailure(req: FakeHookRequest, keys: OkxKeys): FakeHookReply | undefined {
  const h = req.headers;
  const need: [string, string][] = [
    ["ok-access-key", "50103"],
    ["ok-access-passphrase", "50104"],
    ["ok-access-sign", "50106"],
    ["ok-access-timestamp", "50107"],
  ];
  for (const [name, code] of need) {
    if (!h[name]) {
      return fail(401, code, `Request header ${name.toUpperCase()} can not be empty.`);
    }
  }
  if (h["ok-access-key"] !== keys.apiKey) return fail(401, "50111", "Invalid OK-ACCESS-KEY.");
  if (h["ok-access-passphrase"] !== keys.passphrase) {
    return fail(401, "50105", "Request header OK-ACCESS-PASSPHRASE incorrect.");
  }
  const ts = h["ok-access-timestamp"];
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(ts)) {
    return fail(401, "50112", "Invalid OK-ACCESS-TIMESTAMP.");
  }
  if (keys.verifySignature) {
    const text = ts + req.method + req.url + (req.method === "GET" ? "" : req.body);
    const want = createHmac("sha256", keys.secret).update(text).digest("base64");
    if (want !== h["ok-access-sign"]) return fail(401, "50113", "Invalid Sign");
  }
  return undefined;
}
