// What every `deno task data` subcommand shares: its shape and the series and range flags.

import type { SeriesKey } from "../core/candles.ts";
import { timeframeMs } from "../core/timeframe.ts";
import { type Flags, optional, parseTime, required } from "./args.ts";

/** A data subcommand: its one-line summary, usage, and body (returns the exit code). */
export interface DataCommand {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** Reads --exchange, --symbol and --timeframe (checked) into a series key. */
export function seriesFlags(f: Flags, cmd: string): SeriesKey {
  const timeframe = required(f, "timeframe", cmd);
  timeframeMs(timeframe);
  return {
    exchange: required(f, "exchange", cmd).toLowerCase(),
    symbol: required(f, "symbol", cmd),
    timeframe,
  };
}

/** Reads --from and --to into a time range. */
export function rangeFlags(f: Flags): { from?: number; to?: number } {
  const from = optional(f, "from");
  const to = optional(f, "to");
  return {
    from: from ? parseTime(from, "from") : undefined,
    to: to ? parseTime(to, "to") : undefined,
  };
}
