// The fields of a bot definition file (snake_case, as written), each a zod schema with its default.

import { z } from "zod";

/** Bot ids: lowercase letters, digits, "_" and "-", 1 to 64 characters, not starting with _ or -. */
export const BOT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Settings that may also be written inside `parameters` (they belong to the bot, not the strategy). */
export const BOT_SETTINGS_IN_PARAMETERS = ["symbol", "timeframe", "exchange"] as const;

/** Defaults of the optional fields. */
export const BOT_DEFAULTS = {
  exchange: "okx",
  timeframe: "1m",
  virtual_balance: 10_000,
  fee: 0.001,
  slippage_bps: 2,
  leverage: 1,
  mode: "paper",
  require_confirmation: false,
  confirmation_ttl_s: 300,
  enabled: true,
} as const;

/** "Required" for a missing value, else zod's own message. */
const required = (what: string) => (iss: { input?: unknown; message?: string }) =>
  iss.input === undefined ? `Required: ${what}` : undefined;

const mapping = (what: string) =>
  z.record(z.string(), z.unknown(), {
    error: (iss) =>
      iss.code === "invalid_type"
        ? `Expected a mapping of names to values (${what}), got ${describe(iss.input)}`
        : undefined,
  });

/** A short description of a value's type for messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `the text ${JSON.stringify(value)}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

const fraction = (what: string, max: number, min = 0) =>
  z.number().min(min, { error: `${what} is a fraction (0.001 = 0.1 %) and cannot be below ${min}` })
    .max(max, {
      error: (iss) =>
        `${what} is a fraction (0.001 = 0.1 %); ${String(iss.input)} is above ${max}: ` +
        `write 0.1 % as 0.001`,
    });

/**
 * One schema per top-level field of a bot file. Fields are validated one by one (so every bad
 * field is reported, not just the first) and unknown fields are refused by the parser.
 */
export const BOT_FIELDS = {
  bot_id: z.string({ error: required('a bot id such as "ema_crossover_01"') }).regex(
    BOT_ID_PATTERN,
    {
      error: (iss) =>
        `Bot id ${JSON.stringify(iss.input)} is not valid: use 1 to 64 lowercase letters, ` +
        `digits, "_" or "-", starting with a letter or digit`,
    },
  ).describe("Unique id of the bot; names its records, API routes and chat commands"),
  strategy: z.string({ error: required("a strategy name such as ema_cross") }).min(1)
    .describe("Name of a strategy in strategies/"),
  parameters: mapping("the strategy's parameters").default({})
    .describe("The strategy's parameters; may also hold symbol, timeframe and exchange"),
  symbol: z.string().min(1).optional()
    .describe('Market to trade, ccxt ("BTC/USDT") or the exchange\'s own ("BTC-USDT") spelling'),
  timeframe: z.string().min(1).optional().describe(`Base candle timeframe, default "1m"`),
  exchange: z.string().min(1).optional().describe(`Exchange name, default "okx"`),
  virtual_balance: z.number().positive().max(1e12).default(BOT_DEFAULTS.virtual_balance)
    .describe("Paper account starting cash in the quote currency, default 10000"),
  fee: fraction("fee", 0.05).optional()
    .describe("Maker and taker fee as a fraction of the notional, default 0.001"),
  fees: z.strictObject({
    maker: fraction("fees.maker", 0.05, -0.01),
    taker: fraction("fees.taker", 0.05),
  }).optional().describe("Separate maker and taker fees (fractions); instead of fee"),
  slippage_bps: z.number().min(0).max(1000).default(BOT_DEFAULTS.slippage_bps)
    .describe("Simulated slippage on market fills in basis points, default 2"),
  leverage: z.number().min(1).max(125).default(BOT_DEFAULTS.leverage)
    .describe("Account leverage, default 1 (above 1 needs a contract symbol)"),
  risk: mapping("the risk settings").default({})
    .describe("Risk gate settings (src/risk/config.ts), snake_case or camelCase keys"),
  mode: z.enum(["paper", "live"]).default(BOT_DEFAULTS.mode)
    .describe('"paper" (default) or "live" (also needs the live-trading approval)'),
  require_confirmation: z.boolean().default(BOT_DEFAULTS.require_confirmation)
    .describe("Hold each order until a person confirms it, default false"),
  confirmation_ttl_s: z.number().positive().max(86_400).default(BOT_DEFAULTS.confirmation_ttl_s)
    .describe("Seconds a held order waits for its confirmation, default 300"),
  enabled: z.boolean().default(BOT_DEFAULTS.enabled)
    .describe("Whether the bot runs on the service's first start, default true"),
  description: z.string().optional().describe("One line saying what the bot is for"),
  source: z.enum(["tradingview"], {
    error: 'Expected "tradingview" (the bot takes TradingView alerts), or leave source out',
  }).optional().describe('"tradingview": the bot also takes TradingView alerts (the webhook)'),
  // The secret's value never appears in a message, whatever is wrong with it.
  webhook_secret: z.string({ error: "Expected the secret as a text of 16 characters or more" })
    .min(16, { error: "The secret is shorter than 16 characters: use a longer, random one" })
    .optional().describe("Secret TradingView alerts for this bot must carry (16+ characters)"),
  webhook_secret_env: z.string({ error: "Expected the name of an environment variable" })
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, {
      // not echoed: a secret pasted here by mistake must not reach the message
      error: 'Expected the name of an environment variable (letters, digits and "_"), such as ' +
        '"TV_SECRET_BTC", not the secret itself',
    }).optional().describe("Environment variable holding the webhook secret (instead of it)"),
  alert_template: z.string().min(1).max(500).optional()
    .describe('How to read plain-text alerts, such as "{action} {ticker} sl={sl}"'),
} as const;

/** The names of the top-level fields, in file order. */
export const BOT_FIELD_NAMES = Object.keys(BOT_FIELDS) as (keyof typeof BOT_FIELDS)[];

/** A bot file as written, the defaults of the fields filled in. */
export type BotFileFields = {
  [K in keyof typeof BOT_FIELDS]: z.output<(typeof BOT_FIELDS)[K]>;
};
