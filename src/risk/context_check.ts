// Rule invalid_context: an entry is refused when a number it would be judged on is unusable.

import type { Refusal } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";
import { refuse, type RiskContext } from "./types.ts";

/**
 * Refuses an entry when the context holds a number no rule could judge soundly (NaN, infinite,
 * or out of range): a NaN slips through every `>` comparison, so it must stop here instead.
 */
export function contextCheck(ctx: RiskContext, _config: RiskConfig): Refusal | undefined {
  const s = ctx.signal;
  if (usable(ctx)) return undefined;
  const problems: string[] = [];
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) problems.push(`${name} ${v}`);
  };
  if (!Number.isFinite(ctx.ts)) problems.push(`ts ${ctx.ts}`);
  positive("price", ctx.price);
  positive("equity", ctx.equity);
  if (!Number.isFinite(ctx.balance)) problems.push(`balance ${ctx.balance}`);
  positive("peakEquity", ctx.peakEquity);
  positive("dayStartEquity", ctx.dayStartEquity);
  if (!(Number.isInteger(ctx.tradesToday) && ctx.tradesToday >= 0)) {
    problems.push(`tradesToday ${ctx.tradesToday}`);
  }
  if (ctx.lastLoss && !Number.isFinite(ctx.lastLoss.ts)) {
    problems.push(`lastLoss.ts ${ctx.lastLoss.ts}`);
  }
  positive("leverage", ctx.leverage);
  if (!(Number.isFinite(ctx.takerFee) && ctx.takerFee >= 0 && ctx.takerFee < 1)) {
    problems.push(`takerFee ${ctx.takerFee}`);
  }
  if (!(Number.isFinite(s.confidence) && s.confidence >= 0 && s.confidence <= 1)) {
    problems.push(`signal confidence ${s.confidence}`);
  }
  positive("signal entry", s.entry);
  positive("signal sl", s.sl);
  positive("signal tp", s.tp);
  if (!percent(s.slPct)) problems.push(`signal slPct ${s.slPct}`);
  if (!percent(s.tpPct)) problems.push(`signal tpPct ${s.tpPct}`);
  if (s.sl !== undefined && s.slPct !== undefined) problems.push("both signal sl and slPct");
  if (s.tp !== undefined && s.tpPct !== undefined) problems.push("both signal tp and tpPct");
  if (problems.length === 0) return undefined;
  return refuse(
    "invalid_context",
    `cannot judge an entry on ${problems.join(", ")} (expected finite numbers, prices and ` +
      `equity above 0, confidence 0..1, takerFee 0..1${
        problems.some((p) => p.includes("Pct")) ? PCT_RULE : ""
      })`,
  );
}

/** What a stop and target in percent must be, said when one is wrong. */
const PCT_RULE = ", slPct and tpPct above 0 and below 100, each instead of sl or tp, not with it";

/** `v` is absent, or a percentage above 0 and below 100. */
const percent = (v: number | undefined) =>
  v === undefined || (Number.isFinite(v) && v > 0 && v < 100);

/** `v` is absent, or a finite number above 0. */
const positiveOrAbsent = (v: number | undefined) =>
  v === undefined || (Number.isFinite(v) && v > 0);

/**
 * True when {@link contextCheck} finds nothing wrong: the same conditions, checked without
 * building the list of problems (every entry passes here; only a refusal needs the list).
 */
function usable(ctx: RiskContext): boolean {
  const s = ctx.signal;
  return Number.isFinite(ctx.ts) && positiveOrAbsent(ctx.price) &&
    positiveOrAbsent(ctx.equity) && Number.isFinite(ctx.balance) &&
    positiveOrAbsent(ctx.peakEquity) && positiveOrAbsent(ctx.dayStartEquity) &&
    Number.isInteger(ctx.tradesToday) && ctx.tradesToday >= 0 &&
    !(ctx.lastLoss && !Number.isFinite(ctx.lastLoss.ts)) && positiveOrAbsent(ctx.leverage) &&
    Number.isFinite(ctx.takerFee) && ctx.takerFee >= 0 && ctx.takerFee < 1 &&
    Number.isFinite(s.confidence) && s.confidence >= 0 && s.confidence <= 1 &&
    positiveOrAbsent(s.entry) && positiveOrAbsent(s.sl) && positiveOrAbsent(s.tp) &&
    percent(s.slPct) && percent(s.tpPct) && (s.sl === undefined || s.slPct === undefined) &&
    (s.tp === undefined || s.tpPct === undefined);
}
