// Wire shapes of the fake Binance USDT-M private REST: order, algo order and trade rows, error
// bodies (and ccxt's URL-keyed error table), request parameters and the HMAC signature check.

import { createHmac } from "node:crypto";
import type { FakeHookReply, FakeHookRequest } from "./fake_rest_server.ts";

/** A regular (matching-engine) order as the fake keeps it. */
export interface BinanceOrder {
  orderId: number;
  clientOrderId: string;
  /** Exchange id, "BTCUSDT". */
  symbol: string;
  side: "BUY" | "SELL";
  /** "MARKET" or "LIMIT" (a fired STOP / TAKE_PROFIT places a LIMIT). */
  type: string;
  /** The type it was sent as (a fired algo's order type, e.g. "STOP_MARKET"). */
  origType: string;
  timeInForce: string;
  origQty: number;
  /** Limit price; 0 for market orders. */
  price: number;
  stopPrice: number;
  reduceOnly: boolean;
  closePosition: boolean;
  executedQty: number;
  /** Sum of fill price × quantity. */
  cumQuote: number;
  status: "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "EXPIRED";
  time: number;
  updateTime: number;
  /** The algo order that placed it, 0 for none. */
  algoId: number;
}

/** A conditional (algo) order as the fake keeps it. */
export interface BinanceAlgoOrder {
  algoId: number;
  clientAlgoId: string;
  symbol: string;
  side: "BUY" | "SELL";
  /** STOP_MARKET, TAKE_PROFIT_MARKET, STOP or TAKE_PROFIT. */
  orderType: string;
  /** 0 with `closePosition`. */
  quantity: number;
  /** Limit price of STOP / TAKE_PROFIT, else 0. */
  price: number;
  triggerPrice: number;
  timeInForce: string;
  workingType: string;
  reduceOnly: boolean;
  closePosition: boolean;
  algoStatus: "NEW" | "TRIGGERED" | "FINISHED" | "CANCELED" | "REJECTED" | "EXPIRED";
  createTime: number;
  updateTime: number;
  triggerTime: number;
  /** The order it placed when it fired ("" before). */
  actualOrderId: string;
  /** Why the order it tried to place was refused (0: it was not). */
  failCode: number;
  failMsg: string;
}

/** One execution as the fake keeps it (a `userTrades` row). */
export interface BinanceFill {
  id: number;
  orderId: number;
  clientOrderId: string;
  /** Exchange id, "BTCUSDT". */
  symbol: string;
  side: "BUY" | "SELL";
  price: number;
  qty: number;
  /** Fee paid, positive, in `commissionAsset` (USDT). */
  commission: number;
  commissionAsset: string;
  /** Gross PnL this fill realised (before the commission). */
  realizedPnl: number;
  maker: boolean;
  time: number;
}

/** Whether `o` can still fill. */
export function open(o: BinanceOrder): boolean {
  return o.status === "NEW" || o.status === "PARTIALLY_FILLED";
}

/** Shortest decimal text of `n` at 12 significant digits, never in exponent form. */
export function dec(n: number): string {
  if (!Number.isFinite(n)) return "0";
  const r = Number(n.toPrecision(12));
  const s = String(r);
  return /e/i.test(s) ? r.toFixed(20).replace(/\.?0+$/, "") : s;
}

/** `n` with exactly `places` decimals (money: 8, as Binance sends balances). */
export function fix(n: number, places = 8): string {
  return clean(n).toFixed(places);
}

/** `x` rounded to 12 significant digits (float noise off balances). */
export function clean(x: number): number {
  return Math.abs(x) < 1e-12 ? 0 : Number(x.toPrecision(12));
}

/** Number of decimals a step is written with: "0.10" → 2, "0.001" → 3, "1" → 0. */
export function decimals(step: string): number {
  const dot = step.indexOf(".");
  return dot < 0 ? 0 : step.length - dot - 1;
}

/** Decimals in a number's text ("20000.5" → 1). */
export function decimalsOf(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.replace(/0+$/, "").length - dot - 1;
}

/** Whether `x` is a whole multiple of the decimal step `step` (within float noise). */
export function onStep(x: number, step: string): boolean {
  const s = Number(step);
  if (!(s > 0)) return true;
  const k = x / s;
  return Math.abs(k - Math.round(k)) < 1e-7;
}

/** The `GET /fapi/v1/order` / `openOrders` / `allOrders` row (also the POST answer, RESULT). */
export function orderRow(o: BinanceOrder, pricePlaces: number, qtyPlaces: number) {
  const avg = o.executedQty > 0 ? o.cumQuote / o.executedQty : 0;
  return {
    orderId: o.orderId,
    symbol: o.symbol,
    status: o.status,
    clientOrderId: o.clientOrderId,
    price: o.price ? o.price.toFixed(pricePlaces) : "0",
    avgPrice: avg ? dec(avg) : "0.00",
    origQty: o.origQty.toFixed(qtyPlaces),
    executedQty: o.executedQty.toFixed(qtyPlaces),
    cumQty: o.executedQty.toFixed(qtyPlaces),
    cumQuote: fix(o.cumQuote, 5),
    timeInForce: o.timeInForce,
    type: o.type,
    reduceOnly: o.reduceOnly,
    closePosition: o.closePosition,
    side: o.side,
    positionSide: "BOTH",
    stopPrice: o.stopPrice ? o.stopPrice.toFixed(pricePlaces) : "0",
    workingType: "CONTRACT_PRICE",
    priceProtect: false,
    origType: o.origType,
    priceMatch: "NONE",
    selfTradePreventionMode: "EXPIRE_MAKER",
    goodTillDate: 0,
    time: o.time,
    updateTime: o.updateTime,
  };
}

/** The `/fapi/v1/algoOrder` row (POST answer, GET, `openAlgoOrders`, `allAlgoOrders`). */
export function algoRow(a: BinanceAlgoOrder, pricePlaces: number, qtyPlaces: number, avg = 0) {
  const px = (n: number) => n.toFixed(pricePlaces);
  return {
    algoId: a.algoId,
    clientAlgoId: a.clientAlgoId,
    algoType: "CONDITIONAL",
    orderType: a.orderType,
    symbol: a.symbol,
    side: a.side,
    positionSide: "BOTH",
    timeInForce: a.timeInForce,
    quantity: a.quantity.toFixed(qtyPlaces),
    algoStatus: a.algoStatus,
    actualOrderId: a.actualOrderId,
    actualPrice: avg ? dec(avg) : "0.00000",
    triggerPrice: px(a.triggerPrice),
    price: px(a.price),
    icebergQuantity: null,
    tpTriggerPrice: "0.000",
    tpPrice: "0.000",
    slTriggerPrice: "0.000",
    slPrice: "0.000",
    tpOrderType: "",
    selfTradePreventionMode: "EXPIRE_MAKER",
    workingType: a.workingType,
    priceMatch: "NONE",
    closePosition: a.closePosition,
    priceProtect: false,
    reduceOnly: a.reduceOnly,
    createTime: a.createTime,
    updateTime: a.updateTime,
    triggerTime: a.triggerTime,
    goodTillDate: 0,
  };
}

/** The `GET /fapi/v1/userTrades` row of `f`. */
export function tradeRow(f: BinanceFill, pricePlaces: number, qtyPlaces: number) {
  return {
    symbol: f.symbol,
    id: f.id,
    orderId: f.orderId,
    side: f.side,
    price: f.price.toFixed(pricePlaces),
    qty: f.qty.toFixed(qtyPlaces),
    realizedPnl: fix(f.realizedPnl),
    marginAsset: f.commissionAsset,
    quoteQty: fix(f.price * f.qty, 5),
    commission: fix(f.commission),
    commissionAsset: f.commissionAsset,
    time: f.time,
    positionSide: "BOTH",
    maker: f.maker,
    buyer: f.side === "BUY",
  };
}

// ---------------------------------------------------------------- replies

/** A JSON reply. */
export function reply(status: number, value: unknown): FakeHookReply {
  return { status, body: JSON.stringify(value) };
}

/** Binance's error body `{ code, msg }` (HTTP 400 unless told). */
export function bnError(code: number, msg: string, status = 400): FakeHookReply {
  return reply(status, { code, msg });
}

/** `-1102` for a missing mandatory parameter. */
export function missing(name: string): FakeHookReply {
  return bnError(
    -1102,
    `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
  );
}

/** Binance's answer to a forced failure status (429/418: its rate-limit bodies; 5xx: a page). */
export function failureReply(status: number): FakeHookReply {
  if (status >= 500) {
    return {
      status,
      body: `<html><head><title>${status}</title></head><body><center><h1>${status}</h1>` +
        `</center></body></html>`,
      headers: { "content-type": "text/html" },
    };
  }
  if (status === 429 || status === 418) {
    return {
      status,
      body: JSON.stringify({
        code: -1003,
        msg: "Too many requests; current limit of IP(127.0.0.1) is 2400 requests per minute. " +
          "Please use the websocket for live updates to avoid polling the API.",
      }),
      headers: { "retry-after": status === 429 ? "1" : "120" },
    };
  }
  return bnError(-1000, "An unknown error occurred while processing the request.", status);
}

// ---------------------------------------------------------------- parameters and auth

/** The request's parameters: query string and form body together (Binance reads both). */
export function paramsOf(req: FakeHookRequest): Record<string, string> {
  const out: Record<string, string> = { ...req.query };
  if (req.body) { for (const [k, v] of new URLSearchParams(req.body)) out[k] = v; }
  return out;
}

/** The credentials the fake accepts. */
export interface BinanceKeys {
  apiKey: string;
  secret: string;
  /** Check `signature` (hex HMAC-SHA256 of query string + body) against the secret. */
  verifySignature: boolean;
}

const WITHOUT_SIGNATURE = /(^|&)signature=[^&]*/;

/**
 * Binance's answer when a signed request's key, timestamp or signature is missing or wrong,
 * else undefined. The timestamp is checked against the wall clock (ccxt signs with it), not
 * the fake's `nowMs`. Answers never echo a header value.
 */
export function authFailure(req: FakeHookRequest, keys: BinanceKeys): FakeHookReply | undefined {
  const key = req.headers["x-mbx-apikey"];
  if (!key) return bnError(-2014, "API-key format invalid.", 401);
  if (key !== keys.apiKey) {
    return bnError(-2015, "Invalid API-key, IP, or permissions for action.", 401);
  }
  const p = paramsOf(req);
  if (!p.timestamp) return missing("timestamp");
  if (!/^\d+$/.test(p.timestamp)) {
    return bnError(
      -1100,
      "Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'.",
    );
  }
  const window = p.recvWindow === undefined ? 5000 : Number(p.recvWindow);
  if (!(window > 0) || window > 60_000) {
    return bnError(-1131, "recvWindow must be less than 60000");
  }
  const wall = Date.now();
  const ts = Number(p.timestamp);
  if (ts > wall + 1000) {
    return bnError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.");
  }
  if (wall - ts > window) {
    return bnError(-1021, "Timestamp for this request is outside of the recvWindow.");
  }
  if (p.signature === undefined || p.signature === "") return missing("signature");
  if (keys.verifySignature) {
    const q = req.url.includes("?") ? req.url.slice(req.url.indexOf("?") + 1) : "";
    const payload = q.replace(WITHOUT_SIGNATURE, "") + req.body.replace(WITHOUT_SIGNATURE, "");
    const want = createHmac("sha256", keys.secret).update(payload).digest("hex");
    if (want !== p.signature.toLowerCase()) {
      return bnError(-1022, "Signature for this request is not valid.");
    }
  }
  return undefined;
}
