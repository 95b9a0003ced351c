// How tests see the fake Binance USDT-M account (fake_binance_trading.ts): orders, algo orders
// and positions as plain views.

import type { BinanceBook } from "./fake_binance_book.ts";
import { clean } from "./fake_binance_rows.ts";
import type { FakeBinanceOrderView, FakeBinancePositionView } from "./fake_binance_trading.ts";

/** The position of `symbol` (unified), flat or not. */
export function positionView(book: BinanceBook, symbol: string): FakeBinancePositionView {
  const id = book.instBySymbol(symbol).id;
  const s = book.state(id);
  const mark = book.markOf(id);
  const upnl = clean(s.amt * (mark - s.entry));
  const isolated = s.marginType === "ISOLATED";
  return {
    symbol,
    side: s.amt > 0 ? "long" : s.amt < 0 ? "short" : "flat",
    positionAmt: s.amt,
    entryPrice: clean(s.entry),
    markPrice: mark,
    leverage: s.leverage,
    marginType: isolated ? "isolated" : "cross",
    unrealizedPnl: upnl,
    isolatedMargin: isolated && s.amt !== 0 ? clean(s.isoWallet + upnl) : 0,
  };
}

/** Every order and algo order of `book` as tests see them, oldest first. */
export function viewsOf(book: BinanceBook): FakeBinanceOrderView[] {
  const sym = (id: string) => book.inst(id)?.symbol ?? id;
  const out: FakeBinanceOrderView[] = book.orders.map((o) => ({
    kind: "order",
    id: String(o.orderId),
    clientId: o.clientOrderId,
    symbol: sym(o.symbol),
    side: o.side,
    type: o.type,
    status: o.status,
    qty: o.origQty,
    ...(o.price ? { price: o.price } : {}),
    ...(o.stopPrice ? { triggerPrice: o.stopPrice } : {}),
    reduceOnly: o.reduceOnly,
    filled: o.executedQty,
    ...(o.executedQty > 0 ? { avgPrice: clean(o.cumQuote / o.executedQty) } : {}),
  }));
  for (const a of book.algos) {
    const placed = a.actualOrderId ? book.find(a.actualOrderId) : undefined;
    out.push({
      kind: "algo",
      id: String(a.algoId),
      clientId: a.clientAlgoId,
      symbol: sym(a.symbol),
      side: a.side,
      type: a.orderType,
      status: a.algoStatus,
      qty: a.quantity,
      ...(a.price ? { price: a.price } : {}),
      triggerPrice: a.triggerPrice,
      reduceOnly: a.reduceOnly || a.closePosition,
      filled: placed?.executedQty ?? 0,
      ...(placed && placed.executedQty > 0
        ? { avgPrice: clean(placed.cumQuote / placed.executedQty) }
        : {}),
      ...(a.actualOrderId ? { orderId: a.actualOrderId } : {}),
      ...(a.failCode ? { failCode: a.failCode } : {}),
    });
  }
  return out;
}
