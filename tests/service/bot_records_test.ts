// BotRecorder: the position stored with each fill is the one after that fill, not the candle's.

import assert from "node:assert/strict";
import type { Fill, PositionView } from "../../src/core/trading.ts";
import { BotRecorder } from "../../src/service/bot_records.ts";

const fill = (side: "buy" | "sell", qty: number, price: number, clientId: string): Fill => ({
  orderId: clientId,
  clientId,
  symbol: "BTC/USDT:USDT",
  side,
  qty,
  price,
  fee: 0,
  liquidity: "taker",
  ts: 1_000,
});
const view = (side: "long" | "short", qty: number, entryPrice: number): PositionView => ({
  symbol: "BTC/USDT:USDT",
  side,
  qty,
  entryPrice,
  entryTs: 1_000,
  leverage: 3,
  liquidationPrice: NaN,
});

Deno.test("a flip's close is stored flat and its entry as the new side", () => {
  const rec = new BotRecorder("b", "1.0.0", 60_000, () => 0);
  const long = view("long", 2, 100);
  rec.onFill(fill("buy", 2, 100, "open"), long);
  rec.take();
  // one candle: the long closes, a short opens; the broker reports the short for both fills
  const short = view("short", 1, 110);
  rec.onFill(fill("sell", 2, 110, "close"), short);
  rec.onFill(fill("sell", 1, 110, "flip"), short);
  const { rows } = rec.take();
  assert.deepEqual(
    rows.positions.map((p) => [p.seq, p.side, p.qty, p.entry_price]),
    [[1, null, 0, null], [2, "short", 1, 110]],
  );
});

Deno.test("the candle's last fill takes the broker's position (a fee paid in the coin)", () => {
  const rec = new BotRecorder("b", "1.0.0", 60_000, () => 0);
  rec.onFill(fill("buy", 1, 100, "a"), view("long", 0.999, 100));
  rec.onFill(fill("buy", 1, 102, "b"), view("long", 1.998, 101));
  const { rows } = rec.take();
  assert.deepEqual(
    rows.positions.map((p) => [p.side, p.qty, p.entry_price]),
    [["long", 1, 100], ["long", 1.998, 101]],
  );
  // the next candle nets from the broker's figure, not from the raw fills
  rec.onFill(fill("sell", 0.998, 105, "c"), view("long", 1, 101));
  rec.onFill(fill("sell", 0.5, 105, "d"), view("long", 0.5, 101));
  const next = rec.take().rows.positions;
  assert.deepEqual(next.map((p) => [p.side, p.qty]), [["long", 1], ["long", 0.5]]);
});
