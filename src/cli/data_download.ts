// `data download`: fetch candles from an exchange into the store, with a progress bar.

import { isoUtc } from "../core/candles.ts";
import { exchangeInfo } from "../exchange/exchanges.ts";
import { optional, parseFlags, parseTime, required } from "./args.ts";
import type { DataCommand } from "./data_command.ts";
import { withStore } from "./open_store.ts";
import { createProgress, retryNotices } from "./progress.ts";

const SPEC = {
  exchange: { type: "string" },
  symbol: { type: "string" },
  timeframe: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  db: { type: "string" },
} as const;

/** The download command. */
export const downloadCommand: DataCommand = {
  summary: "Download candles from an exchange (resumes from the newest stored candle)",
  usage:
    "--exchange okx|binanceusdm|bybit|coinbase --symbol BTC/USDT --timeframe 1m --since 2024-01-01 [--until T] [--db PATH]",
  async run(argv) {
    const cmd = "deno task data download";
    const f = parseFlags(argv, SPEC, cmd);
    const exchange = required(f, "exchange", cmd);
    const info = exchangeInfo(exchange);
    const symbol = required(f, "symbol", cmd);
    const timeframe = required(f, "timeframe", cmd);
    const since = parseTime(required(f, "since", cmd), "since");
    const untilFlag = optional(f, "until");
    const until = untilFlag ? parseTime(untilFlag, "until") : undefined;
    // ccxt loads only here: its ~0.5 s start-up is not every data command's.
    const { createExchange } = await import("../exchange/ccxt_client.ts");
    const { describeGap, downloadCandles } = await import("../exchange/download.ts");
    const ex = createExchange(info.ccxtId);
    const controller = new AbortController();
    const onSigint = () => controller.abort(new Error("interrupted"));
    Deno.addSignalListener("SIGINT", onSigint);
    const progress = createProgress({ label: `${info.ccxtId} ${symbol} ${timeframe}`, total: 0 });
    try {
      return await withStore(optional(f, "db"), async (store) => {
        try {
          const res = await downloadCandles(ex, store, {
            exchange,
            symbol,
            timeframe,
            since,
            until,
            signal: controller.signal,
            retry: retryNotices(info.label),
            onProgress: (p) => {
              progress.setTotal(p.total);
              progress.update(p.covered, `at ${isoUtc(p.cursor)}`);
            },
          });
          const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
          progress.finish(
            res.startedAt === undefined
              ? "already up to date"
              : `${plural(res.fetched, "new candle")} in ${plural(res.requests, "request")}`,
          );
          if (res.first !== undefined) {
            console.log(
              `${res.exchange} ${res.symbol} ${res.timeframe}: stored ${isoUtc(res.first)} .. ${
                isoUtc(res.last!)
              }`,
            );
          }
          if (res.gaps.length) {
            console.log(`The exchange has no candles for ${res.gaps.length} stretch(es):`);
            for (const g of res.gaps.slice(0, 20)) console.log(`  ${describeGap(g)}`);
            if (res.gaps.length > 20) console.log(`  ... and ${res.gaps.length - 20} more`);
          }
          return 0;
        } catch (err) {
          if (controller.signal.aborted) {
            progress.finish("interrupted");
            console.error("Interrupted: what was downloaded is stored; run again to resume.");
            return 130;
          }
          throw err;
        }
      });
    } finally {
      Deno.removeSignalListener("SIGINT", onSigint);
    }
  },
};
