// One bot definition (parsed YAML/JSON) checked field by field into a normalized BotConfig.

import { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import type { StrategyDefinition } from "../core/strategy.ts";
import { timeframeMs } from "../core/timeframe.ts";
import type { FeeSchedule } from "../core/trading.ts";
import {
  checkParams,
  findStrategy,
  loadStrategies,
  paramNames,
  unknownStrategy,
} from "../engine/strategy_registry.ts";
import { exchangeInfo } from "../exchange/exchanges.ts";
import { normalizeSymbol } from "../exchange/symbol_spelling.ts";
import type { RiskConfigInput } from "../risk/config.ts";
import { closestName } from "../core/closest_name.ts";
import {
  BOT_DEFAULTS,
  BOT_FIELD_NAMES,
  BOT_FIELDS,
  BOT_SETTINGS_IN_PARAMETERS,
  type BotFileFields,
  describe,
} from "./bot_config_schema.ts";
import { riskInput } from "./bot_config_risk.ts";
import { templateProblem } from "./alert_message.ts";
import type { BotAlerts } from "./bot_types.ts";
import { WebhookSecret } from "./webhook_secret.ts";

/**
 * A bot, normalized from its file. Field names are camelCase (the file's are snake_case); it is
 * a superset of the supervisor's `BotSpec`, so it can be passed where one is wanted.
 */
export interface BotConfig {
  /** `bot_id`. */
  botId: string;
  /** `strategy`: a strategy name in strategies/. */
  strategy: string;
  /** `parameters` without the bot settings, parsed by the strategy's schema (defaults filled). */
  params: Record<string, unknown>;
  /** Unified ccxt symbol, e.g. "BTC/USDT" for "BTC-USDT" on OKX. */
  symbol: string;
  /** The symbol as written in the file. */
  symbolInput: string;
  /** Canonical exchange id (ccxt), e.g. "okx", "binanceusdm"; default "okx". */
  exchange: string;
  /** Base timeframe; default "1m". */
  timeframe: string;
  /** `virtual_balance`: paper starting cash in the quote currency; default 10000. */
  virtualBalance: number;
  /** From `fees`, or `fee` for both; default 0.001 each. */
  fees: FeeSchedule;
  /** `slippage_bps`; default 2. */
  slippageBps: number;
  /** Default 1. */
  leverage: number;
  /** Risk gate settings as given (camelCase keys), validated with `riskConfigSchema`. */
  risk: RiskConfigInput;
  /** Default "paper"; "live" still needs the live-trading approval to place real orders. */
  mode: "paper" | "live";
  /** `require_confirmation`; default false. */
  requireConfirmation: boolean;
  /** `confirmation_ttl_s` × 1000; default 300 s. */
  confirmationTtlMs: number;
  /** Whether it runs on the service's first start; default true. */
  enabled: boolean;
  /** One line about the bot, when given. */
  description?: string;
  /** How it takes TradingView alerts (`source: tradingview`); unset: it takes none. */
  alerts?: BotAlerts;
  /** The file it came from (as passed to the loader). */
  source: string;
}

/** One problem in a bot file: where (a dotted field path, or a line for syntax) and what. */
export interface BotConfigIssue {
  source: string;
  /** Dotted field path as written in the file, e.g. "parameters.fast_period"; "" for the file. */
  path: string;
  /** 1-based line, for syntax errors. */
  line?: number;
  column?: number;
  message: string;
}

/** Formats an issue as one line: `source: path: message` (or `source: line L, column C: ...`). */
export function formatIssue(i: BotConfigIssue): string {
  const where = i.line !== undefined ? `line ${i.line}, column ${i.column ?? 1}: ` : "";
  return `${i.source}: ${where}${i.path ? `${i.path}: ` : ""}${i.message}`;
}

/** Bot files that are invalid; `issues` lists every problem found, one per field. */
export class BotConfigError extends ConfigError {
  /** Every problem, in file then field order. */
  readonly issues: readonly BotConfigIssue[];
  constructor(issues: readonly BotConfigIssue[], intro?: string) {
    const files = new Set(issues.map((i) => i.source)).size;
    const head = intro ??
      (files === 1
        ? `Bot config ${issues[0]?.source} is invalid; fix it and load it again:`
        : `${files} bot configs are invalid; fix them and load them again:`);
    super([head, ...issues.map((i) => `  ${formatIssue(i)}`)].join("\n"));
    this.issues = issues;
  }
}

/** Options of {@link parseBotConfig}. */
export interface ParseBotConfigOptions {
  /** The strategies by name. Default: those in strategies/ (`loadStrategies()`). */
  strategies?: ReadonlyMap<string, StrategyDefinition>;
  /** Environment variables `webhook_secret_env` is read from. Default: the process's. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Checks one bot definition (the parsed YAML/JSON of a file) and normalizes it. Every bad field
 * is reported, each under its path as written; throws a {@link BotConfigError} listing them.
 *
 * @example
 * ```ts
 * const bot = await parseBotConfig({
 *   bot_id: "ema_crossover_01", strategy: "ema_cross",
 *   parameters: { fast_period: 12, slow_period: 26, symbol: "BTC-USDT" },
 * }, "configs/bots/ema_crossover_01.json");
 * bot.symbol; // "BTC/USDT"
 * ```
 */
export async function parseBotConfig(
  value: unknown,
  source: string,
  options: ParseBotConfigOptions = {},
): Promise<BotConfig> {
  const strategies = options.strategies ?? await loadStrategies();
  const issues: BotConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ source, path, message });
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    add("", `Expected the bot's settings as a mapping of fields to values, got ${describe(value)}`);
    throw new BotConfigError(issues);
  }
  const raw = value as Record<string, unknown>;
  const def = typeof raw.strategy === "string" ? findStrategy(strategies, raw.strategy) : undefined;

  // Top-level fields, one by one, so that every bad one is reported.
  const f: Partial<BotFileFields> = {};
  for (const key of Object.keys(raw)) {
    if (!(BOT_FIELD_NAMES as string[]).includes(key)) add(key, unknownField(key, def));
  }
  for (const name of BOT_FIELD_NAMES) {
    const res = (BOT_FIELDS[name] as z.ZodType).safeParse(raw[name]);
    if (res.success) (f as Record<string, unknown>)[name] = res.data;
    else for (const i of zodIssues(res.error, name)) add(i.path, i.message);
  }
  if (f.strategy !== undefined && !def) {
    add("strategy", unknownStrategy(strategies, f.strategy));
  }

  // Bot settings written inside parameters, and their top-level twins.
  const strategyParams: Record<string, unknown> = { ...(f.parameters ?? {}) };
  const settings: Partial<Record<"symbol" | "timeframe" | "exchange", [string, string]>> = {};
  for (const key of BOT_SETTINGS_IN_PARAMETERS) {
    const top = f[key];
    if (top !== undefined) settings[key] = [top, key];
    if (!(key in strategyParams)) continue;
    const inner = strategyParams[key];
    delete strategyParams[key];
    const path = `parameters.${key}`;
    if (typeof inner !== "string" || inner === "") {
      add(path, `Expected a non-empty text, got ${describe(inner)}`);
    } else if (top !== undefined && top !== inner) {
      add(path, `"${inner}" differs from ${key} "${top}" at the top level: give it once`);
    } else settings[key] = [inner, path];
  }

  // The strategy's own parameters.
  let params: Record<string, unknown> | undefined;
  if (def && f.parameters) {
    const res = checkParams(def, strategyParams);
    if (res.ok) params = res.params;
    for (const k of res.ok ? [] : res.unknown) {
      const hint = (BOT_FIELD_NAMES as string[]).includes(k)
        ? `"${k}" is a bot setting: move it to the top level`
        : `strategy "${def.name}" has no parameter "${k}"; its parameters are ` +
          `${paramNames(def)?.join(", ")} (besides symbol, timeframe and exchange)`;
      add(`parameters.${k}`, capitalize(hint));
    }
    for (const i of res.ok ? [] : res.issues) {
      add(i.path ? `parameters.${i.path}` : "parameters", i.message);
    }
  }

  // Exchange, symbol and timeframe.
  const [exchangeName, exchangePath] = settings.exchange ?? [BOT_DEFAULTS.exchange, "exchange"];
  const exchange = attempt(exchangePath, add, () => exchangeInfo(exchangeName).ccxtId);
  let symbol: string | undefined;
  const symbolSetting = settings.symbol;
  if (!symbolSetting) {
    if (!issues.some((i) => i.path === "parameters.symbol" || i.path === "symbol")) {
      add(
        "symbol",
        'Required: the market to trade, such as symbol: "BTC-USDT" (at the top level or in ' +
          "parameters)",
      );
    }
  } else if (exchange) {
    symbol = attempt(symbolSetting[1], add, () => normalizeSymbol(exchange, symbolSetting[0]));
  }
  const [timeframe, timeframePath] = settings.timeframe ?? [BOT_DEFAULTS.timeframe, "timeframe"];
  const baseMs = attempt(timeframePath, add, () => timeframeMs(timeframe));
  if (def && params && baseMs !== undefined) {
    const others = def.timeframes?.(params) ?? [];
    const bad = others.filter((tf) => timeframeMs(tf) <= baseMs || timeframeMs(tf) % baseMs);
    if (bad.length) {
      add(
        timeframePath,
        `Strategy "${def.name}" also reads ${others.join(" and ")} candles built from the base ` +
          `ones, so "${timeframe}" must be shorter and divide them evenly; it does not divide ` +
          `${bad.join(", ")}: use a timeframe such as 15m`,
      );
    }
  }

  // Fees, leverage and risk.
  if (f.fee !== undefined && f.fees !== undefined) {
    add("fee", "Give either fee (both sides) or fees {maker, taker}, not both");
  }
  const fee = f.fee ?? BOT_DEFAULTS.fee;
  const fees = f.fees ?? { maker: fee, taker: fee };
  const risk = f.risk ? riskInput(f.risk, add) : undefined;
  const leverage = f.leverage ?? BOT_DEFAULTS.leverage;
  if (leverage > 1 && symbol && !symbol.includes(":")) {
    add(
      "leverage",
      `Leverage ${leverage} needs a contract (perpetual or future) such as "BTC/USDT:USDT"; ` +
        `"${symbol}" is spot: use leverage 1 or a contract symbol`,
    );
  }
  if (risk?.maxLeverage !== undefined && leverage > risk.maxLeverage) {
    add(
      "leverage",
      `Leverage ${leverage} is above the risk limit max_leverage ${risk.maxLeverage}: lower ` +
        "leverage or raise risk.max_leverage",
    );
  }

  const alerts = alertSettings(f, add, options.env);

  if (issues.length) throw new BotConfigError(sortByField(issues, Object.keys(raw)));
  const ok = f as BotFileFields;
  return {
    botId: ok.bot_id,
    strategy: def!.name,
    params: params!,
    symbol: symbol!,
    symbolInput: symbolSetting![0],
    exchange: exchange!,
    timeframe,
    virtualBalance: ok.virtual_balance,
    fees,
    slippageBps: ok.slippage_bps,
    leverage,
    risk: risk!,
    mode: ok.mode,
    requireConfirmation: ok.require_confirmation,
    confirmationTtlMs: Math.round(ok.confirmation_ttl_s * 1000),
    enabled: ok.enabled,
    ...(ok.description !== undefined ? { description: ok.description } : {}),
    ...(alerts ? { alerts } : {}),
    source,
  };
}

/**
 * The TradingView settings: `source`, the secret (given, or read from the variable named) and
 * the template. Messages name fields and variables, never a secret's value.
 */
function alertSettings(
  f: Partial<BotFileFields>,
  add: (path: string, message: string) => void,
  env: Readonly<Record<string, string | undefined>> | undefined,
): BotAlerts | undefined {
  const given = (["webhook_secret", "webhook_secret_env", "alert_template"] as const)
    .filter((k) => f[k] !== undefined);
  if (f.source !== "tradingview") {
    for (const k of given) add(k, `${k} needs source: "tradingview": add it, or remove ${k}`);
    return undefined;
  }
  let secret: WebhookSecret | undefined;
  if (f.webhook_secret !== undefined && f.webhook_secret_env !== undefined) {
    add("webhook_secret", "Give either webhook_secret or webhook_secret_env, not both");
  } else if (f.webhook_secret !== undefined) secret = new WebhookSecret(f.webhook_secret);
  else if (f.webhook_secret_env !== undefined) {
    const name = f.webhook_secret_env;
    const value = env ? env[name] : Deno.env.get(name);
    if (value === undefined || value === "") {
      // A name that does not look like one may be the secret pasted by mistake: not echoed.
      const named = /^[A-Z][A-Z0-9_]*$/.test(name)
        ? `The environment variable ${name}`
        : "The environment variable webhook_secret_env names (its name, not the secret itself)";
      add(
        "webhook_secret_env",
        `${named} is not set: set it to the webhook secret (16 characters or more), or remove ` +
          "webhook_secret_env",
      );
    } else if (value.length < 16) {
      add(
        "webhook_secret_env",
        `The secret in ${name} is shorter than 16 characters: use a longer, random one`,
      );
    } else secret = new WebhookSecret(value);
  }
  if (f.alert_template !== undefined) {
    const problem = templateProblem(f.alert_template);
    if (problem) add("alert_template", problem);
  }
  return {
    source: "tradingview",
    ...(secret ? { secret } : {}),
    ...(f.alert_template !== undefined ? { template: f.alert_template } : {}),
  };
}

/** Issues in the order their top-level fields are written in the file, then missing ones. */
function sortByField(issues: BotConfigIssue[], written: string[]): BotConfigIssue[] {
  const rank = (i: BotConfigIssue) => {
    const top = i.path.split(".")[0];
    const at = written.indexOf(top);
    return at >= 0 ? at : written.length + (BOT_FIELD_NAMES as string[]).indexOf(top);
  };
  return issues.map((i, n) => ({ i, n, r: rank(i) })).sort((a, b) => a.r - b.r || a.n - b.n)
    .map((x) => x.i);
}

/** Runs `fn`, turning a ConfigError into an issue at `path`; undefined then. */
function attempt<T>(
  path: string,
  add: (path: string, message: string) => void,
  fn: () => T,
): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    add(path, err.message.replace(/\.$/, ""));
    return undefined;
  }
}

/** zod issues as path + message, with unknown keys each under its own path. */
function zodIssues(err: z.ZodError, prefix: string): { path: string; message: string }[] {
  return err.issues.flatMap((i) => {
    const base = [prefix, ...i.path.map(String)].filter(Boolean).join(".");
    if (i.code === "unrecognized_keys") {
      return i.keys.map((k) => ({ path: `${base}.${k}`, message: `Unknown field "${k}"` }));
    }
    return [{ path: base, message: i.message }];
  });
}

/** The message for an unknown top-level field, with the likely intended one. */
function unknownField(key: string, def: StrategyDefinition | undefined): string {
  if (def && paramNames(def)?.includes(key)) {
    return `Unknown field "${key}": it is a parameter of strategy "${def.name}", so move it ` +
      "under parameters";
  }
  const near = closestName(key, BOT_FIELD_NAMES);
  return `Unknown field "${key}": ` +
    (near ? `did you mean "${near}"?` : `the fields are ${BOT_FIELD_NAMES.join(", ")}`);
}

const capitalize = (s: string) => s[0].toUpperCase() + s.slice(1);
