// Trading vocabulary shared by engine, broker, risk and results: signals, orders, fills, trades.

/** Direction of a position. */
export type PositionSide = "long" | "short";

/** What a strategy may ask for on a closed candle. */
export type SignalSide = "long" | "short" | "exit";

/**
 * A strategy's decision on a closed candle. Prices are absolute; `entry` set means a limit entry
 * at that price, unset means market (next bar's open). `confidence` is 0..1. The stop and target
 * are either absolute levels (`sl`, `tp`) or distances from the price the entry fills at
 * (`slPct`, `tpPct`, in percent: 1 = 1 %), placed by the broker when the entry fills.
 */
/**
 * An entry size the signal itself asks for, instead of the risk settings' (a TradingView alert's
 * `size`): a quantity, a fraction of equity, or an amount of the quote currency.
 */
export type SignalSize =
  | { kind: "qty"; qty: number }
  | { kind: "equity"; fraction: number }
  | { kind: "quote"; amount: number };

export interface Signal {
  side: SignalSide;
  entry?: number;
  sl?: number;
  tp?: number;
  /** Stop-loss this many percent from the entry's fill price (instead of `sl`). */
  slPct?: number;
  /** Take-profit this many percent from the entry's fill price (instead of `tp`). */
  tpPct?: number;
  confidence: number;
  reason: string;
  /** The entry's size, when the signal sets it (else the risk settings size it). */
  size?: SignalSize;
  /**
   * For a limit entry: candles it may wait for its fill; unfilled after that it is cancelled.
   * Default: it waits until filled, replaced by another entry, or cancelled by an exit signal.
   */
  validBars?: number;
}

/**
 * A signal from outside (a TradingView alert, a list in a notebook): `ts` is when it was given,
 * on the bots' clock. The `signals` strategy emits each once, on the first candle whose close is
 * at or after `ts`.
 */
export interface ExternalSignal {
  /** When the signal was given (UTC ms). */
  ts: number;
  side: SignalSide;
  sl?: number;
  tp?: number;
  /** Stop-loss this many percent from the entry's fill (instead of `sl`). */
  sl_pct?: number;
  /** Take-profit this many percent from the entry's fill (instead of `tp`). */
  tp_pct?: number;
  /** Limit entry price; unset for a market entry. */
  entry?: number;
  /** Candles a limit entry may wait for its fill. */
  valid_bars?: number;
  /** The sender's confidence, 0..1 [1]. */
  confidence?: number;
  /** The entry's size, when the sender sets it (else the bot's risk settings size it). */
  size?: SignalSize;
  reason?: string;
}

/** Which strategies may open longs, shorts or both (default long). */
export type Direction = "long" | "short" | "both";

/**
 * The price `pct` percent from `fill` on the losing ("sl") or winning ("tp") side of a position
 * of `side`: a long's stop `fill * (1 - pct / 100)`, its target `fill * (1 + pct / 100)`, a
 * short's the other way round. Brokers place `slPct` / `tpPct` brackets with it, and the risk
 * gate estimates them with it.
 */
export function levelFromFill(
  fill: number,
  pct: number,
  side: PositionSide,
  role: "sl" | "tp",
): number {
  const up = (side === "long") === (role === "tp");
  return fill * (up ? 1 + pct / 100 : 1 - pct / 100);
}

/** Why a position was closed. */
export type ExitReason =
  | "tp"
  | "sl"
  | "trailing"
  | "timeout"
  | "signal"
  | "liquidation"
  | "end_of_data"
  | "kill_switch"
  | "manual";

/** Every exit reason, in the order of the type above (metrics list them so). */
export const EXIT_REASONS: readonly ExitReason[] = [
  "tp",
  "sl",
  "trailing",
  "timeout",
  "signal",
  "liquidation",
  "end_of_data",
  "kill_switch",
  "manual",
];

/** Buy or sell. */
export type OrderSide = "buy" | "sell";

/** Order kinds the brokers understand. */
export type OrderType = "market" | "limit" | "stop_market" | "stop_limit" | "trailing_stop";

/** Time in force: good till cancelled, or immediate-or-cancel (fills on its first bar or never). */
export type TimeInForce = "GTC" | "IOC";

/**
 * How big an order is. Sizes that depend on price are resolved when the order fills, against
 * the fill price and the equity at that moment (so a backtest sizes like a live bot would).
 * - `qty`: a fixed quantity in base units.
 * - `equity`: `fraction * equity / (fillPrice * (1 + takerFee))`.
 * - `risk`: lose `fraction * equity` if the stop at `stop` is hit: `fraction * equity / |fill - stop|`.
 * - `risk_pct`: the same with the stop `stopPct` percent from the fill:
 *   `fraction * equity / (fill * stopPct / 100)`.
 * All are rounded down to the market's quantity step, then capped by `maxNotional` when given.
 */
export type OrderSize =
  | { kind: "qty"; qty: number }
  | { kind: "equity"; fraction: number }
  | { kind: "risk"; fraction: number; stop: number }
  | { kind: "risk_pct"; fraction: number; stopPct: number };

/** What the engine (through risk) asks a broker to do. Serialisable: it is stored before sending. */
export interface OrderRequest {
  /** Unique and derived from the decision, so a replay or restart never sends it twice. */
  clientId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  size: OrderSize;
  /** Limit price (limit, stop_limit). */
  price?: number;
  /** Trigger price (stop_market, stop_limit). */
  stopPrice?: number;
  /** Trailing distance as a fraction of price (trailing_stop), e.g. 0.01 for 1 %. */
  trailFraction?: number;
  reduceOnly?: boolean;
  tif?: TimeInForce;
  /**
   * Exits attached to an entry: live from the moment the entry fills (OCO: one cancels the
   * other). Levels absolute (`sl`, `tp`) or in percent of the entry's fill price (`slPct`,
   * `tpPct`: placed when it fills), one of each kind.
   */
  bracket?: { sl?: number; tp?: number; slPct?: number; tpPct?: number; trailFraction?: number };
  /** Work a large order in visible slices of this quantity (iceberg). */
  visibleQty?: number;
  /** Leverage for the position this order opens (futures; default the broker's). */
  leverage?: number;
  /** Reason recorded on the fill when this order closes a position. */
  exitReason?: ExitReason;
}

/** One execution. `fee` is in quote currency and always >= 0. */
export interface Fill {
  orderId: string;
  clientId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  price: number;
  fee: number;
  liquidity: "maker" | "taker";
  ts: number;
  /** Set when the fill reduced or closed a position. */
  exitReason?: ExitReason;
}

/** A closed round trip, as reported in results. Times are UTC ms; `pnl` is net of fees and funding. */
export interface Trade {
  symbol: string;
  side: PositionSide;
  entry_ts: number;
  exit_ts: number;
  qty: number;
  entry_price: number;
  exit_price: number;
  fees: number;
  funding: number;
  pnl: number;
  exit_reason: ExitReason;
}

/** An open position as the engine, strategies and risk see it. */
export interface PositionView {
  symbol: string;
  side: PositionSide;
  qty: number;
  entryPrice: number;
  entryTs: number;
  leverage: number;
  /** Price at which the position is liquidated (isolated margin), NaN for spot / 1x long. */
  liquidationPrice: number;
  sl?: number;
  tp?: number;
}

/** Exchange rules for one market; orders are rounded to them or refused with the reason. */
export interface MarketRules {
  tickSize: number;
  qtyStep: number;
  minQty: number;
  minNotional: number;
}

/** Fees as fractions of notional per fill. */
export interface FeeSchedule {
  maker: number;
  taker: number;
}

/** A refusal or rejection: a value with a reason, recorded like any decision. */
export interface Refusal {
  ok: false;
  /** Machine-readable rule or check name, e.g. "min_notional", "max_open_positions". */
  code: string;
  /** A sentence for people with the values involved. */
  reason: string;
}

/** Position side an order of `side` opens: buys open longs, sells open shorts. */
export function sideOpened(side: OrderSide): PositionSide {
  return side === "buy" ? "long" : "short";
}
