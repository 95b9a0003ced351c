// Tests for bot definitions: the real configs/bots, defaults, and every kind of error with its path.

import assert from "node:assert/strict";
import {
  type BotConfig,
  BotConfigError,
  loadBotConfigs,
  parseBotConfig,
} from "../../src/service/bot_config.ts";
import type { BotSpec } from "../../src/service/bot.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { loadStrategies } from "../../src/engine/strategy_registry.ts";
import { tempDir } from "../support.ts";

const CONFIGS = new URL("../../configs/bots", import.meta.url).pathname;

/** The multi-bot spec's own example, exactly as written there (and shown in the README). */
const USER_EXAMPLE = `{ "bot_id": "ema_crossover_01", "strategy": "EMA_Crossover",
  "parameters": { "fast_period": 12, "slow_period": 26, "symbol": "BTC-USDT" }, "virtual_balance": 10000 }`;

/** The issues a value gets, as "path: message" lines (source left out). */
async function issuesOf(value: unknown): Promise<string[]> {
  try {
    await parseBotConfig(value, "x.yaml");
  } catch (err) {
    assert.ok(err instanceof BotConfigError, String(err));
    assert.ok(err instanceof ConfigError);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error("expected the config to be refused");
}

const MINIMAL = { bot_id: "b1", strategy: "sma_cross", symbol: "BTC-USDT" };

Deno.test("bot config: the user's example loads as written, defaults filled in", async () => {
  const bot = await parseBotConfig(JSON.parse(USER_EXAMPLE), "configs/bots/ema_crossover_01.json");
  assert.deepEqual(
    bot,
    {
      botId: "ema_crossover_01",
      strategy: "ema_cross",
      params: { fast_period: 12, slow_period: 26, direction: "long" },
      symbol: "BTC/USDT",
      symbolInput: "BTC-USDT",
      exchange: "okx",
      timeframe: "1m",
      virtualBalance: 10_000,
      fees: { maker: 0.001, taker: 0.001 },
      slippageBps: 2,
      leverage: 1,
      risk: {},
      mode: "paper",
      requireConfirmation: false,
      confirmationTtlMs: 300_000,
      enabled: true,
      source: "configs/bots/ema_crossover_01.json",
    } satisfies BotConfig,
  );
  // A BotConfig is what the supervisor's BotSpec asks for.
  const spec: BotSpec = bot;
  assert.equal(spec.botId, "ema_crossover_01");
});

Deno.test("bot config: the five example bots in configs/bots all load", async () => {
  const bots = await loadBotConfigs(CONFIGS);
  const summary = bots.map((b) => [b.botId, b.strategy, b.symbol, b.timeframe, b.exchange, b.mode]);
  assert.deepEqual(summary, [
    ["btc_rsi_macd_bb_15m", "rsi_macd_bb", "BTC/USDT", "15m", "okx", "paper"],
    ["ema_crossover_01", "ema_cross", "BTC/USDT", "1m", "okx", "paper"],
    ["eth_smc_1h", "smc", "ETH/USDT", "1h", "okx", "paper"],
    ["sol_ema_rsi_volume_5m", "ema_rsi_volume", "SOL/USDT", "5m", "okx", "paper"],
    ["xrp_dca_4h", "dca", "XRP/USDT", "4h", "okx", "paper"],
  ]);
  const user = await Deno.readTextFile(`${CONFIGS}/ema_crossover_01.json`);
  assert.deepEqual(JSON.parse(user), JSON.parse(USER_EXAMPLE));
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  assert.ok(readme.includes(USER_EXAMPLE), "the README shows the spec's example verbatim");
  for (const b of bots) {
    assert.equal(b.symbol.includes(":"), false, `${b.botId} trades spot`);
    assert.equal(b.leverage, 1);
    if (b.botId !== "ema_crossover_01") assert.ok(b.description, `${b.botId} has a description`);
  }
  // Risk-sized bots trade strategies that set a stop.
  const risked = bots.filter((b) => b.risk.sizeMode === "risk").map((b) => b.strategy).sort();
  assert.deepEqual(risked, ["ema_rsi_volume", "rsi_macd_bb", "smc"]);
});

Deno.test("bot config: every field given, snake_case risk keys become camelCase", async () => {
  const bot = await parseBotConfig({
    bot_id: "full-1",
    strategy: "ema_rsi_volume",
    parameters: { sl_pct: 1, tp_pct: 3, timeframe: "5m" },
    symbol: "btc-usdt-swap",
    exchange: "OKX",
    virtual_balance: 2500,
    fees: { maker: -0.0001, taker: 0.0005 },
    slippage_bps: 0,
    leverage: 3,
    risk: { size_mode: "risk", size: 0.02, maxLeverage: 5, min_reward_risk: 2 },
    mode: "live",
    require_confirmation: true,
    confirmation_ttl_s: 60,
    enabled: false,
    description: "everything",
  }, "full.yaml");
  assert.equal(bot.symbol, "BTC/USDT:USDT");
  assert.equal(bot.symbolInput, "btc-usdt-swap");
  assert.equal(bot.exchange, "okx");
  assert.equal(bot.timeframe, "5m");
  assert.equal(bot.params.sl_pct, 1);
  assert.equal("timeframe" in bot.params, false);
  assert.deepEqual(bot.fees, { maker: -0.0001, taker: 0.0005 });
  assert.deepEqual(bot.risk, { sizeMode: "risk", size: 0.02, maxLeverage: 5, minRewardRisk: 2 });
  assert.equal(bot.leverage, 3);
  assert.equal(bot.mode, "live");
  assert.equal(bot.requireConfirmation, true);
  assert.equal(bot.confirmationTtlMs, 60_000);
  assert.equal(bot.enabled, false);
  assert.equal(bot.description, "everything");
});

Deno.test("bot config: fee sets both sides; binance spells its perpetuals", async () => {
  const bot = await parseBotConfig(
    { ...MINIMAL, fee: 0.0004, exchange: "binance", symbol: "ETHUSDT" },
    "b.json",
  );
  assert.deepEqual(bot.fees, { maker: 0.0004, taker: 0.0004 });
  assert.equal(bot.exchange, "binanceusdm");
  assert.equal(bot.symbol, "ETH/USDT:USDT");
});

const INVALID: [name: string, value: unknown, expected: string[]][] = [
  [
    "the issue format of the brief",
    { ...MINIMAL, strategy: "ema_cross", parameters: { fast_period: 1 } },
    ["parameters.fast_period: Too small: expected number to be >=2"],
  ],
  ["not an object", ["a"], [
    ": Expected the bot's settings as a mapping of fields to values, got a list",
  ]],
  [
    "required fields missing",
    {},
    [
      'bot_id: Required: a bot id such as "ema_crossover_01"',
      "strategy: Required: a strategy name such as ema_cross",
      'symbol: Required: the market to trade, such as symbol: "BTC-USDT" (at the top level or in parameters)',
    ],
  ],
  [
    "bad bot id",
    { ...MINIMAL, bot_id: "Bad Id" },
    ['bot_id: Bot id "Bad Id" is not valid: use 1 to 64 lowercase letters, digits, "_" or "-", starting with a letter or digit'],
  ],
  [
    "unknown top-level keys, with suggestions",
    { ...MINIMAL, virtual_ballance: 5, botId: "x", whatever: 1 },
    [
      'virtual_ballance: Unknown field "virtual_ballance": did you mean "virtual_balance"?',
      'botId: Unknown field "botId": did you mean "bot_id"?',
      'whatever: Unknown field "whatever": the fields are bot_id, strategy, parameters, symbol, timeframe, exchange, virtual_balance, fee, fees, slippage_bps, leverage, risk, mode, require_confirmation, confirmation_ttl_s, enabled, description, source, webhook_secret, webhook_secret_env, alert_template',
    ],
  ],
  [
    "a strategy parameter at the top level",
    { ...MINIMAL, fast_period: 5 },
    ['fast_period: Unknown field "fast_period": it is a parameter of strategy "sma_cross", so move it under parameters'],
  ],
  [
    "unknown parameters",
    { ...MINIMAL, parameters: { fast: 3, virtual_balance: 5 } },
    [
      'parameters.fast: Strategy "sma_cross" has no parameter "fast"; its parameters are fast_period, slow_period, direction (besides symbol, timeframe and exchange)',
      'parameters.virtual_balance: "virtual_balance" is a bot setting: move it to the top level',
    ],
  ],
  [
    "a refinement across parameters",
    { ...MINIMAL, parameters: { fast_period: 30, slow_period: 20 } },
    ["parameters.fast_period: fast_period must be smaller than slow_period"],
  ],
  [
    "parameters not a mapping",
    { ...MINIMAL, parameters: [1] },
    ["parameters: Expected a mapping of names to values (the strategy's parameters), got a list"],
  ],
  [
    "symbol given twice, differently",
    { ...MINIMAL, parameters: { symbol: "ETH-USDT" } },
    ['parameters.symbol: "ETH-USDT" differs from symbol "BTC-USDT" at the top level: give it once'],
  ],
  [
    "garbage symbol in parameters",
    { bot_id: "b", strategy: "sma_cross", parameters: { symbol: "BTC" } },
    [
      'parameters.symbol: Symbol "BTC" is not a symbol spelling OKX knows: write ccxt\'s unified form such as "BTC/USDT" or "BTC/USDT:USDT", or OKX\'s own such as "BTC-USDT" (spot), "BTC-USDT-SWAP" (linear perpetual), "BTC-USD-SWAP" (inverse)',
    ],
  ],
  [
    "symbol not text in parameters",
    { bot_id: "b", strategy: "sma_cross", parameters: { symbol: 5 } },
    ["parameters.symbol: Expected a non-empty text, got number 5"],
  ],
  [
    "unknown exchange",
    { ...MINIMAL, exchange: "kraken" },
    ['exchange: Exchange "kraken" is not supported: use one of okx, binanceusdm, bybit, coinbase'],
  ],
  [
    "bad timeframe",
    { ...MINIMAL, timeframe: "15 minutes" },
    ['timeframe: Timeframe "15 minutes" is not valid: use a number and a unit s, m, h, d or w, such as "1m", "4h" or "1d"'],
  ],
  [
    "a base timeframe that does not divide the strategy's higher ones",
    { ...MINIMAL, strategy: "rsi_macd_bb", timeframe: "2h" },
    ['timeframe: Strategy "rsi_macd_bb" also reads 1h and 4h candles built from the base ones, so "2h" must be shorter and divide them evenly; it does not divide 1h: use a timeframe such as 15m'],
  ],
  [
    "numbers out of range and wrong types",
    {
      ...MINIMAL,
      virtual_balance: 0,
      slippage_bps: -1,
      leverage: 0.5,
      mode: "Paper",
      require_confirmation: "yes",
      confirmation_ttl_s: 0,
      enabled: 1,
      description: 5,
    },
    [
      "virtual_balance: Too small: expected number to be >0",
      "slippage_bps: Too small: expected number to be >=0",
      "leverage: Too small: expected number to be >=1",
      'mode: Invalid option: expected one of "paper"|"live"',
      "require_confirmation: Invalid input: expected boolean, received string",
      "confirmation_ttl_s: Too small: expected number to be >0",
      "enabled: Invalid input: expected boolean, received number",
      "description: Invalid input: expected string, received number",
    ],
  ],
  [
    "fee as a percentage by mistake, and fee with fees",
    { ...MINIMAL, fee: 0.1, fees: { maker: 0.001, taker: 0.001, rebate: 1 } },
    [
      "fee: fee is a fraction (0.001 = 0.1 %); 0.1 is above 0.05: write 0.1 % as 0.001",
      'fees.rebate: Unknown field "rebate"',
    ],
  ],
  [
    "fee with fees",
    { ...MINIMAL, fee: 0.001, fees: { maker: 0.001, taker: 0.001 } },
    ["fee: Give either fee (both sides) or fees {maker, taker}, not both"],
  ],
  [
    "risk settings, as written",
    { ...MINIMAL, risk: { size_mode: "risk", size: 2, max_draw_down: 0.2, daily_loss_limit: 0 } },
    [
      "risk.daily_loss_limit: Too small: expected number to be >0",
      'risk.max_draw_down: Unknown risk setting "max_draw_down": did you mean "max_drawdown"?',
      "risk.size: in risk mode size is the fraction of equity risked per trade; 2 is above 1",
    ],
  ],
  [
    "a risk refinement",
    { ...MINIMAL, risk: { size_mode: "risk", size: 2 } },
    ["risk.size: in risk mode size is the fraction of equity risked per trade; 2 is above 1"],
  ],
  [
    "a risk key in both spellings",
    { ...MINIMAL, risk: { max_drawdown: 0.2, maxDrawdown: 0.3 } },
    ['risk.maxDrawdown: Also given as "max_drawdown": give it once'],
  ],
  [
    "leverage on spot",
    { ...MINIMAL, leverage: 2 },
    ['leverage: Leverage 2 needs a contract (perpetual or future) such as "BTC/USDT:USDT"; "BTC/USDT" is spot: use leverage 1 or a contract symbol'],
  ],
  [
    "leverage above the risk limit",
    { ...MINIMAL, symbol: "BTC-USDT-SWAP", leverage: 5, risk: { max_leverage: 3 } },
    ["leverage: Leverage 5 is above the risk limit max_leverage 3: lower leverage or raise risk.max_leverage"],
  ],
];

for (const [name, value, expected] of INVALID) {
  Deno.test(`bot config refused: ${name}`, async () => {
    assert.deepEqual(await issuesOf(value), expected);
  });
}

Deno.test("bot config refused: unknown strategy, listing the ones there are", async () => {
  const names = [...(await loadStrategies()).keys()].join(", ");
  assert.deepEqual(await issuesOf({ ...MINIMAL, strategy: "nope" }), [
    `strategy: Strategy "nope" does not exist: use one of ${names}`,
  ]);
  assert.deepEqual(await issuesOf({ ...MINIMAL, strategy: "EMA_Crosover" }), [
    `strategy: Strategy "EMA_Crosover" does not exist: did you mean "ema_cross" (alias ` +
    `"ema_crossover")? use one of ${names}`,
  ]);
  assert.match(names, /ema_cross.*sma_cross/);
});

Deno.test("bot config: strategy names in any case and by alias give the strategy's name", async () => {
  for (const written of ["ema_cross", "EMA_CROSS", "ema_crossover", "EMA_Crossover"]) {
    const bot = await parseBotConfig({ ...MINIMAL, strategy: written }, "x.yaml");
    assert.equal(bot.strategy, "ema_cross", written);
  }
});

Deno.test("bot config: the error message names the file and each field path", async () => {
  const err = await parseBotConfig(
    { ...MINIMAL, strategy: "ema_cross", parameters: { fast_period: 1 }, leverage: 0 },
    "configs/bots/x.yaml",
  ).catch((e) => e);
  assert.ok(err instanceof BotConfigError);
  assert.equal(
    err.message,
    [
      "Bot config configs/bots/x.yaml is invalid; fix it and load it again:",
      "  configs/bots/x.yaml: parameters.fast_period: Too small: expected number to be >=2",
      "  configs/bots/x.yaml: leverage: Too small: expected number to be >=1",
    ].join("\n"),
  );
});

/** Writes files into a temp folder and loads it; returns the bots or the error. */
async function loadFiles(
  files: Record<string, string>,
): Promise<{ bots?: BotConfig[]; error?: BotConfigError; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "tidewatch_test_" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  try {
    return { bots: await loadBotConfigs(dir), dir };
  } catch (err) {
    if (!(err instanceof BotConfigError)) throw err;
    return { error: err, dir };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadBotConfigs: a missing folder means no bots", async () => {
  await using dir = await tempDir();
  assert.deepEqual(await loadBotConfigs(`${dir.path}/nope`), []);
});

Deno.test("loadBotConfigs: yaml, yml and json, other files skipped, sorted by id", async () => {
  const { bots } = await loadFiles({
    "z.yaml": "bot_id: a\nstrategy: sma_cross\nsymbol: BTC-USDT\n",
    "y.yml": "bot_id: c\nstrategy: dca\nsymbol: ETH/USDT\ntimeframe: 1h\n",
    "x.json": USER_EXAMPLE.replace("ema_crossover_01", "b"),
    "README.md": "not a bot",
    "_draft.yaml": "garbage: [",
    ".hidden.json": "{",
  });
  assert.deepEqual(bots!.map((b) => [b.botId, b.source.split("/").pop()]), [
    ["a", "z.yaml"],
    ["b", "x.json"],
    ["c", "y.yml"],
  ]);
});

Deno.test("loadBotConfigs: every bad file reported at once, syntax with its line", async () => {
  const { error, dir } = await loadFiles({
    "good.yaml": "bot_id: good\nstrategy: sma_cross\nsymbol: BTC-USDT\n",
    "bad_yaml.yaml": "bot_id: y\nstrategy: [sma_cross\nsymbol: BTC-USDT\n",
    "bad_json.json": '{\n  "bot_id": "j",\n  "strategy": "sma_cross",\n}\n',
    "bad_field.yml":
      "bot_id: f\nstrategy: ema_cross\nsymbol: ETH-USDT\nparameters:\n  fast_period: 1\n",
    "dup.json": '{"bot_id": "good", "strategy": "dca", "symbol": "SOL-USDT"}',
    "empty.yaml": "\n",
  });
  assert.ok(error);
  const lines = error.message.split("\n");
  assert.equal(lines[0], "5 bot configs are invalid; fix them and load them again:");
  assert.deepEqual(
    lines.slice(1).sort(),
    [
      `  ${dir}/bad_field.yml: parameters.fast_period: Too small: expected number to be >=2`,
      `  ${dir}/bad_json.json: line 4, column 1: Expected double-quoted property name in JSON; fix the JSON syntax`,
      `  ${dir}/bad_yaml.yaml: line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]; fix the YAML syntax`,
      `  ${dir}/empty.yaml: The file is empty: define a bot or delete it`,
      `  ${dir}/good.yaml: bot_id: Bot id "good" is also used by ${dir}/dup.json: give each bot its own id`,
    ].sort(),
  );
});

Deno.test("loadBotConfigs: duplicate YAML keys are a syntax error with the line", async () => {
  const { error, dir } = await loadFiles({
    "a.yaml": "bot_id: a\nstrategy: sma_cross\nsymbol: BTC-USDT\nsymbol: ETH-USDT\n",
  });
  assert.equal(
    error?.message.split("\n")[1],
    `  ${dir}/a.yaml: line 4, column 1: Map keys must be unique; fix the YAML syntax`,
  );
});

Deno.test("loadBotConfigs: a YAML alias bomb names the file and the line of its first alias", async () => {
  const bomb = ["bot_id: laughs", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (const [i, x] of ["a", "b", "c", "d"].entries()) {
    bomb.push(
      `${"bcde"[i]}: ${i < 3 ? `&${"bcde"[i]} ` : ""}[${Array(9).fill(`*${x}`).join(",")}]`,
    );
  }
  const { error, dir } = await loadFiles({ "laughs.yaml": bomb.join("\n") });
  assert.equal(
    error?.message.split("\n")[1],
    `  ${dir}/laughs.yaml: line 3, column 8: aliases expand too far (more than 100 nodes each; an alias bomb?); fix the YAML syntax`,
  );
});

const SECRET = "tv-secret-0123456789abcdef";
const TV = { ...MINIMAL, source: "tradingview" };

Deno.test("bot config: TradingView fields, the secret given or read from a variable", async () => {
  const plain = await parseBotConfig(MINIMAL, "x.yaml");
  assert.equal(plain.alerts, undefined);

  const bot = await parseBotConfig(
    { ...TV, webhook_secret: SECRET, alert_template: "{action} {ticker} sl={sl}" },
    "x.yaml",
  );
  assert.equal(bot.alerts?.source, "tradingview");
  assert.equal(bot.alerts?.template, "{action} {ticker} sl={sl}");
  assert.ok(bot.alerts?.secret?.matches(SECRET));
  assert.equal(bot.alerts?.secret?.matches(SECRET.slice(1)), false);
  assert.equal(bot.alerts?.secret?.matches(undefined), false);
  // The secret is never in clear in what is stored (the config as JSON) or printed.
  const spec: BotSpec = bot;
  for (
    const shown of [
      JSON.stringify(bot),
      JSON.stringify(spec),
      Deno.inspect(bot),
      String(bot.alerts?.secret),
    ]
  ) {
    assert.equal(shown.includes(SECRET), false, shown);
  }
  assert.match(JSON.stringify(bot), /"secret":"\[redacted\]"/);

  const fromEnv = await parseBotConfig({ ...TV, webhook_secret_env: "TV_SECRET_BTC" }, "x.yaml", {
    env: { TV_SECRET_BTC: SECRET },
  });
  assert.ok(fromEnv.alerts?.secret?.matches(SECRET));
  // Without a secret of its own the bot relies on the global one.
  assert.deepEqual(await parseBotConfig(TV, "x.yaml").then((b) => b.alerts), {
    source: "tradingview",
  });
});

Deno.test("bot config: TradingView field errors name the field, never the secret", async () => {
  const cases: [unknown, string[]][] = [
    [{ ...TV, webhook_secret: "short-secret" }, [
      "webhook_secret: The secret is shorter than 16 characters: use a longer, random one",
    ]],
    [{ ...TV, webhook_secret: 1234567890123456789 }, [
      "webhook_secret: Expected the secret as a text of 16 characters or more",
    ]],
    [{ ...MINIMAL, webhook_secret: SECRET }, [
      'webhook_secret: webhook_secret needs source: "tradingview": add it, or remove webhook_secret',
    ]],
    [{ ...TV, source: "tv" }, [
      'source: Expected "tradingview" (the bot takes TradingView alerts), or leave source out',
    ]],
    [{ ...TV, webhook_secret: SECRET, webhook_secret_env: "X" }, [
      "webhook_secret: Give either webhook_secret or webhook_secret_env, not both",
    ]],
    [{ ...TV, webhook_secret_env: SECRET }, [
      'webhook_secret_env: Expected the name of an environment variable (letters, digits and "_"), such as "TV_SECRET_BTC", not the secret itself',
    ]],
    [{ ...TV, alert_template: "{action} {rsi}" }, [
      "alert_template: Unknown placeholder {rsi}: use {action}, {ticker}, {symbol}, {price}, {size}, {sl}, {tp}, {alert_id}, {comment}, {passphrase}",
    ]],
  ];
  for (const [value, expected] of cases) assert.deepEqual(await issuesOf(value), expected);

  // A missing variable is a ConfigError naming the file, the field and the variable.
  const env = { SHORT: "abc" };
  const missing = await parseBotConfig(
    { ...TV, webhook_secret_env: "TV_SECRET_NOPE" },
    "configs/bots/tv.yaml",
    { env },
  )
    .then(() => undefined, (e) => e);
  assert.ok(missing instanceof ConfigError);
  assert.match(
    missing.message,
    /configs\/bots\/tv\.yaml: webhook_secret_env: The environment variable TV_SECRET_NOPE is not set/,
  );
  const short = await parseBotConfig({ ...TV, webhook_secret_env: "SHORT" }, "x.yaml", { env })
    .then(() => undefined, (e) => e);
  assert.match(short.message, /The secret in SHORT is shorter than 16 characters/);
  assert.equal(short.message.includes("abc"), false);

  // Through the loader, with the environment given to it.
  await using tmp = await tempDir();
  await Deno.writeTextFile(
    `${tmp.path}/tv.yaml`,
    `bot_id: tv\nstrategy: signals\nsymbol: BTC-USDT\nsource: tradingview\nwebhook_secret_env: TV_KEY\n`,
  );
  await assert.rejects(() => loadBotConfigs(tmp.path, { env: {} }), /TV_KEY is not set/);
  const [loaded] = await loadBotConfigs(tmp.path, { env: { TV_KEY: SECRET } });
  assert.ok(loaded.alerts?.secret?.matches(SECRET));
});
