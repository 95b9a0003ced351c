// Tests for TradingView alert messages: every field form, templates, symbol mapping, signals, fuzz.

import assert from "node:assert/strict";
import {
  type AlertBot,
  alertEnvelope,
  type AlertParse,
  parseAlert,
  type ParseAlertOptions,
  templateProblem,
} from "../../src/service/alert_message.ts";
import { toSignal } from "../../src/service/alert_signal.ts";
import { createRng } from "../../src/data/rng.ts";

const SPOT: AlertBot = { bot_id: "btc_tv", exchange: "okx", symbol: "BTC/USDT" };
const PERP: AlertBot = { bot_id: "btc_perp", exchange: "binanceusdm", symbol: "BTC/USDT:USDT" };

function ok(body: string | Record<string, unknown>, o: ParseAlertOptions = {}) {
  const r = parseAlert(typeof body === "string" ? body : JSON.stringify(body), o);
  assert.ok(r.ok, `expected ok, got ${JSON.stringify(r)}`);
  return r;
}

function problems(body: string | Record<string, unknown>, o: ParseAlertOptions = {}): string[] {
  const r = parseAlert(typeof body === "string" ? body : JSON.stringify(body), o);
  assert.ok(!r.ok, `expected problems, got ${JSON.stringify(r)}`);
  return r.problems.map((p) => `${p.field}: ${p.message}`);
}

Deno.test("alert: every action in any case", () => {
  const want = {
    buy: "long",
    BUY: "long",
    Long: "long",
    sell: "short",
    short: "short",
    exit: "exit",
    Close: "exit",
    flat: "exit",
  } as const;
  for (const [action, side] of Object.entries(want)) {
    assert.equal(ok({ action, symbol: "BTCUSDT" }).alert.action, side, action);
  }
  const [p] = problems({ action: "hold", symbol: "BTCUSDT" });
  assert.match(p, /^action: "hold" is not an action: use buy, sell/);
  assert.match(problems({ symbol: "BTCUSDT" })[0], /^action: Required/);
});

Deno.test("alert: strategy placeholders decide the action and the quantity", () => {
  const a = ok({
    "strategy.order.action": "buy",
    "strategy.order.contracts": "0.5",
    "strategy.position_size": "0.5",
    ticker: "BTCUSDT",
  }).alert;
  assert.equal(a.action, "long");
  assert.deepEqual(a.size, { kind: "qty", qty: 0.5 });
  // position size 0 means flat: an exit, whatever the order's side
  const flat = ok({
    action: "sell",
    symbol: "BTCUSDT",
    "strategy.position_size": "0",
    "strategy.order.contracts": "0.5",
  }).alert;
  assert.equal(flat.action, "exit");
  // nested objects work like dotted keys; a negative position is short
  const nested =
    ok({ symbol: "ETHUSDT", strategy: { position_size: -2, order: { action: "sell" } } })
      .alert;
  assert.equal(nested.action, "short");
  assert.equal(ok({ symbol: "X/USDT", "strategy.market_position": "flat" }).alert.action, "exit");
  // an explicit size wins over the contracts
  assert.deepEqual(
    ok({ action: "buy", symbol: "BTCUSDT", size: "5%", "strategy.order.contracts": 3 }).alert.size,
    { kind: "equity", fraction: 0.05 },
  );
});

Deno.test("alert: numbers as strings, times ISO or ms, every field form", () => {
  const r = ok({
    passphrase: "s3cret-s3cret-s3cret",
    bot: "btc_tv",
    action: "buy",
    symbol: "OKX:BTCUSDT",
    exchange: "OKX",
    price: "65000.5",
    size: "0.01",
    sl: "64000",
    tp: 67000,
    confidence: "0.8",
    comment: "breakout",
    alert_id: "abc-1",
    time: "2024-01-02T13:00:00Z",
    timenow: 1704200460000,
    interval: "60",
  }, { bot: SPOT });
  assert.equal(r.passphrase, "s3cret-s3cret-s3cret");
  assert.deepEqual(r.alert, {
    action: "long",
    symbol: "OKX:BTCUSDT",
    market: "BTC/USDT",
    exchange: "OKX",
    price: 65000.5,
    size: { kind: "qty", qty: 0.01 },
    sl: { price: 64000 },
    tp: { price: 67000 },
    confidence: 0.8,
    comment: "breakout",
    alert_id: "abc-1",
    sent_at: 1704200460000,
    bar_ts: Date.UTC(2024, 0, 2, 13),
    interval: "60",
    bot: "btc_tv",
  });
  assert.equal(r.redacted.includes("s3cret"), false);
  assert.equal(JSON.parse(r.redacted).price, "65000.5");
  // TradingView's {{time}} without a zone is UTC; "80%" confidence
  const b = ok({ action: "buy", symbol: "BTCUSDT", time: "2024-01-02 13:00", confidence: "80%" })
    .alert;
  assert.equal(b.sent_at, Date.UTC(2024, 0, 2, 13));
  assert.equal(b.confidence, 0.8);
});

Deno.test("alert: sizes as quantity, percent of equity and quote amounts", () => {
  const size = (s: unknown, bot?: AlertBot) =>
    ok({ action: "buy", symbol: "BTCUSDT", size: s }, { bot }).alert.size;
  assert.deepEqual(size(2), { kind: "qty", qty: 2 });
  assert.deepEqual(size("0.25"), { kind: "qty", qty: 0.25 });
  assert.deepEqual(size("5%"), { kind: "equity", fraction: 0.05 });
  assert.deepEqual(size("100 USDT"), { kind: "quote", amount: 100, currency: "USDT" });
  assert.deepEqual(size("100USDT", SPOT), { kind: "quote", amount: 100, currency: "USDT" });
  assert.deepEqual(size("$100"), { kind: "quote", amount: 100 });
  assert.match(problems({ action: "buy", symbol: "BTCUSDT", size: "150%" })[0], /^size: 150%/);
  assert.match(
    problems({ action: "buy", symbol: "BTCUSDT", size: "100 USDC" }, { bot: SPOT })[0],
    /^size: 100 USDC is in USDC, but bot "btc_tv" trades in USDT/,
  );
  assert.match(problems({ action: "buy", symbol: "BTCUSDT", size: -1 })[0], /^size: -1 is not/);
  assert.match(problems({ action: "buy", symbol: "BTCUSDT", size: "lots" })[0], /^size: Expected/);
});

Deno.test("alert: sl and tp absolute or percent from the fill; exits take none", () => {
  const a = ok({ action: "short", symbol: "BTCUSDT", sl: "1%", tp: "2.5 %" }).alert;
  assert.deepEqual([a.sl, a.tp], [{ pct: 1 }, { pct: 2.5 }]);
  assert.match(problems({ action: "buy", symbol: "BTCUSDT", sl: "100%" })[0], /^sl: 100%/);
  assert.match(problems({ action: "exit", symbol: "BTCUSDT", sl: 5 })[0], /^sl: An exit/);
  assert.match(
    problems({ action: "buy", symbol: "BTCUSDT", tp: "x" })[0],
    /^tp: Expected a number/,
  );
  assert.match(
    problems({ action: "buy", symbol: "BTCUSDT", confidence: 2 })[0],
    /^confidence: 2 is not between 0 and 1/,
  );
});

Deno.test("alert: symbol spellings map to the market and to the bot's", () => {
  const market = (symbol: string) => ok({ action: "buy", symbol }).alert.market;
  assert.equal(market("BINANCE:BTCUSDT.P"), "BTC/USDT:USDT");
  assert.equal(market("OKX:BTCUSDT"), "BTC/USDT");
  assert.equal(market("BTCUSDT"), "BTC/USDT");
  assert.equal(market("btc/usdt"), "BTC/USDT");
  assert.equal(market("BTC-USDT-SWAP"), "BTC/USDT:USDT");
  assert.equal(market("BTC/USDT:USDT"), "BTC/USDT:USDT");
  assert.equal(market("BYBIT:BTCUSD.P"), "BTC/USD:BTC");
  assert.equal(market("ETHBTC"), "ETH/BTC");
  assert.equal(ok({ action: "buy", ticker: "BTCUSDT" }).alert.symbol, "BTCUSDT");
  assert.match(problems({ action: "buy", symbol: "?!" })[0], /^symbol: "\?!" is not a symbol/);
  assert.match(problems({ action: "buy" })[0], /^symbol: Required/);

  assert.equal(
    ok({ action: "buy", symbol: "BINANCE:BTCUSDT.P" }, { bot: PERP }).alert.market,
    PERP.symbol,
  );
  assert.equal(ok({ action: "buy", symbol: "BTCUSDT" }, { bot: PERP }).alert.market, PERP.symbol);
  assert.equal(ok({ action: "buy", symbol: "BTC/USDT" }, { bot: SPOT }).alert.market, "BTC/USDT");
  assert.match(
    problems({ action: "buy", symbol: "OKX:BTCUSDT.P" }, { bot: SPOT })[0],
    /^symbol: "OKX:BTCUSDT.P" is a perpetual, but bot "btc_tv" trades spot BTC\/USDT/,
  );
  assert.match(
    problems({ action: "buy", symbol: "BINANCE:BTCUSDT" }, { bot: PERP })[0],
    /^symbol: "BINANCE:BTCUSDT" is spot, but bot "btc_perp" trades the perpetual/,
  );
  assert.match(
    problems({ action: "buy", symbol: "BINANCE:BTCUSDT" }, { bot: SPOT })[0],
    /^symbol: "BINANCE:BTCUSDT" is on BINANCE, but bot "btc_tv" trades on OKX/,
  );
  assert.match(
    problems({ action: "buy", symbol: "BTCUSDT", exchange: "BYBIT" }, { bot: SPOT })[0],
    /^exchange: "BTCUSDT" is on BYBIT/,
  );
  assert.match(
    problems({ action: "buy", symbol: "ETHUSDT" }, { bot: SPOT })[0],
    /^symbol: "ETHUSDT" is ETH\/USDT, but bot "btc_tv" trades BTC\/USDT/,
  );
  assert.match(
    problems({ action: "buy", symbol: "BTCUSDT", bot: "other" }, { bot: SPOT })[0],
    /^bot: The message is for bot "other", not "btc_tv"/,
  );
});

Deno.test("alert: placeholders TradingView left unexpanded are named", () => {
  const ps = problems({
    action: "{{strategy.order.action}}",
    symbol: "{{ticker}}",
    price: "{{close}}",
    comment: "fine",
  });
  assert.equal(ps.length, 3);
  assert.match(
    ps[0],
    /^action: TradingView did not fill in \{\{strategy.order.action\}\}: strategy/,
  );
  assert.match(ps[1], /^symbol: TradingView did not fill in \{\{ticker\}\}/);
  assert.match(ps[2], /^price: TradingView did not fill in \{\{close\}\}: check its spelling/);
});

Deno.test("alert: unknown fields are ignored, secrets redacted from the journal text", () => {
  const r = ok({
    action: "buy",
    symbol: "BTCUSDT",
    volume: "{{volume}}",
    extra: { nested: [1, 2] },
    passphrase: "p4ss-p4ss-p4ss-p4ss",
    api_key: "k",
  });
  assert.deepEqual(JSON.parse(r.redacted), {
    action: "buy",
    symbol: "BTCUSDT",
    volume: "{{volume}}",
    extra: { nested: [1, 2] },
  });
  // not JSON at all: secret-like keys are still masked
  const bad = parseAlert('{"passphrase": "p4ss-p4ss-p4ss-p4ss", "action": ');
  assert.equal(bad.ok, false);
  assert.equal(bad.redacted.includes("p4ss"), false);
  assert.match((bad as { problems: { message: string }[] }).problems[0].message, /not valid JSON/);
  const list = problems("[1, 2]");
  assert.match(list[0], /^body: Expected one JSON object/);
  assert.match(problems("buy BTCUSDT")[0], /^body: The message is plain text, but the bot has no/);
});

Deno.test("alert: plain text with the bot's template", () => {
  const o = { template: "{action} {ticker} sl={sl}", bot: SPOT };
  const a = ok("BUY OKX:BTCUSDT sl=1%", o).alert;
  assert.deepEqual([a.action, a.market, a.sl], ["long", "BTC/USDT", { pct: 1 }]);
  assert.match(
    problems("buy BTCUSDT stop=5", o)[0],
    /^body: Expected "sl=" after \{ticker\}, got "stop=5"/,
  );
  assert.match(problems("buy", o)[0], /^body: Expected " " after \{action\}|^ticker: Expected/);
  const withSecret = ok("sell BTCUSDT key=abcdefgh12345678 because {rsi}", {
    template: "{action} {symbol} key={passphrase} because {comment}",
  });
  assert.equal(withSecret.passphrase, "abcdefgh12345678");
  assert.equal(withSecret.alert.comment, "{rsi}");
  assert.equal(withSecret.redacted.includes("abcdefgh12345678"), false);
  // a template starting with a placeholder is not mistaken for JSON
  assert.equal(ok("exit BTCUSDT", { template: "{action} {ticker}" }).alert.action, "exit");
  assert.equal(templateProblem("{action} {ticker} sl={sl}"), undefined);
  assert.match(templateProblem("{action} {rsi}")!, /^Unknown placeholder \{rsi\}/);
  assert.match(templateProblem("{ticker}")!, /no \{action\}/);
  assert.match(templateProblem("{action}{ticker}")!, /touch/);
  assert.match(templateProblem("{action} {action}")!, /used twice/);
});

Deno.test("alert: the envelope names the bot and passphrase before anything is checked", () => {
  assert.deepEqual(
    alertEnvelope('{"Bot": "btc_tv", "passphrase": "p4ss-p4ss-p4ss-p4ss", "price": "{{close}}"}'),
    { bot: "btc_tv", passphrase: "p4ss-p4ss-p4ss-p4ss" },
  );
  assert.deepEqual(alertEnvelope('{"bot_id": "x"}'), { bot: "x" });
  assert.deepEqual(alertEnvelope("buy BTCUSDT"), {});
  assert.deepEqual(alertEnvelope('{"bot": '), {});
  assert.deepEqual(alertEnvelope("[1]"), {});
  // a broken JSON message with a template is reported as broken JSON
  assert.match(
    problems('{"action": "buy",', { template: "{action} {ticker}" })[0],
    /^body: The message looks like JSON but is not valid JSON: /,
  );
});

Deno.test("alert: the engine's signal", () => {
  const a =
    ok({ action: "buy", symbol: "BTCUSDT", sl: "1%", tp: 70000, comment: "x", alert_id: "7" })
      .alert;
  assert.deepEqual(toSignal(a), {
    side: "long",
    tp: 70000,
    sl_pct: 1,
    confidence: 1,
    reason: "TradingView long BTCUSDT: x: alert 7",
  });
  const abs = toSignal(a, { refPrice: 100 });
  assert.equal(abs.sl, 99);
  assert.equal(abs.sl_pct, undefined);
  const exit = ok({ action: "close", symbol: "BTCUSDT", confidence: 0.5 }).alert;
  assert.deepEqual(toSignal(exit), {
    side: "exit",
    confidence: 0.5,
    reason: "TradingView exit BTCUSDT",
  });
});

Deno.test("alert: 20,000 mutated bodies never throw and always answer ok or problems", () => {
  const rng = createRng("alert fuzz");
  const rnd = () => rng.next();
  const seeds = [
    JSON.stringify({
      passphrase: "p4ss-p4ss-p4ss-p4ss",
      action: "buy",
      symbol: "BINANCE:BTCUSDT.P",
      price: "65000",
      size: "5%",
      sl: "1%",
      tp: 70000,
      time: "2024-01-02T13:00:00Z",
    }),
    JSON.stringify({
      "strategy.order.action": "sell",
      "strategy.position_size": 0,
      ticker: "BTCUSDT",
    }),
    "buy BTCUSDT sl=1%",
    "",
  ];
  const junk = [
    '"',
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "%",
    "{{close}}",
    "\u0000",
    "é",
    "1e999",
    "-",
    "$",
    " ",
    "null",
  ];
  const values = [
    null,
    true,
    0,
    -1,
    1e308,
    "",
    "5%",
    "100 USDT",
    [],
    {},
    "{{x}}",
    "NaN",
    "Infinity",
  ];
  const keys = [
    "action",
    "symbol",
    "ticker",
    "size",
    "sl",
    "tp",
    "price",
    "time",
    "confidence",
    "bot",
  ];
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  let oks = 0;
  for (let i = 0; i < 20_000; i++) {
    let body = pick(seeds);
    const kind = rnd();
    if (kind < 0.4 && body.startsWith("{")) {
      const obj = JSON.parse(body);
      obj[pick(keys)] = pick(values);
      if (rnd() < 0.3) delete obj[pick(keys)];
      body = JSON.stringify(obj);
    } else {
      const n = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < n; k++) {
        const at = Math.floor(rnd() * (body.length + 1));
        const op = rnd();
        if (op < 0.4) body = body.slice(0, at) + pick(junk) + body.slice(at);
        else if (op < 0.7) body = body.slice(0, at) + body.slice(at + 1 + Math.floor(rnd() * 5));
        else {body = body.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 0x3000)) +
            body.slice(at + 1);}
      }
    }
    // now and then an oversized body (the route refuses above 16 KB; the parser must cope anyway)
    if (i % 500 === 0) body = body.slice(0, 10) + pick(junk).repeat(16_384 / 2) + body.slice(10);
    const o: ParseAlertOptions = {
      bot: rnd() < 0.5 ? PERP : undefined,
      template: rnd() < 0.5 ? "{action} {ticker} sl={sl}" : undefined,
      secrets: ["p4ss-p4ss-p4ss-p4ss"],
    };
    let r: AlertParse;
    try {
      r = parseAlert(body, o);
    } catch (err) {
      throw new Error(`parseAlert threw on ${JSON.stringify(body)}: ${err}`);
    }
    if (r.ok) {
      oks++;
      assert.ok(["long", "short", "exit"].includes(r.alert.action));
    } else {
      assert.ok(r.problems.length > 0, body);
      for (const p of r.problems) assert.ok(p.field && p.message, JSON.stringify(p));
    }
    assert.equal(r.redacted.includes("p4ss-p4ss-p4ss-p4ss"), false, `secret leaked for ${body}`);
  }
  assert.ok(oks > 100, `some mutated bodies still parse (${oks})`);
});
