// Tests for TradingView's List of trades export and alert files (JSON, CSV) read as signals.

import assert from "node:assert/strict";
import { InputError } from "../../src/core/errors.ts";
import {
  parseDateTime,
  readCsvRows,
  readTradingViewTrades,
} from "../../src/data/tradingview_trades.ts";
import { readAlertsFile } from "../../src/service/alert_files.ts";
import { externalSignal } from "../../strategies/signals.ts";

const FIXTURES = new URL("../fixtures/tradingview/", import.meta.url);
const fixture = (name: string) => Deno.readTextFileSync(new URL(name, FIXTURES));
const at = (iso: string) => Date.parse(iso);

Deno.test("tradingview trades: the classic export as signals, exits before entries", () => {
  const signals = readTradingViewTrades(fixture("list_of_trades.csv"), "list_of_trades.csv");
  assert.deepEqual(signals, [
    {
      ts: at("2024-01-02T13:00Z"),
      side: "long",
      price: 42000,
      trade: 1,
      reason: "TradingView trade 1: Long",
    },
    {
      ts: at("2024-01-02T15:00Z"),
      side: "exit",
      price: 42850.5,
      trade: 1,
      reason: "TradingView trade 1: Close entry(s) order Long",
    },
    {
      ts: at("2024-01-02T15:00Z"),
      side: "short",
      price: 42850.5,
      trade: 2,
      reason: "TradingView trade 2: Short, RSI > 70",
    },
    {
      ts: at("2024-01-03T09:00Z"),
      side: "exit",
      price: 43100,
      trade: 2,
      reason: "TradingView trade 2: Long",
    },
    {
      ts: at("2024-01-03T09:00Z"),
      side: "long",
      price: 43100,
      trade: 3,
      reason: "TradingView trade 3: Long",
    },
    // trade 3 is still open: its "Open" exit row is not a signal
  ]);
  // The signals strategy takes them as they are.
  for (const s of signals) assert.ok(externalSignal.safeParse(s).success, JSON.stringify(s));
});

Deno.test("tradingview trades: newer headers (Date and time, Price USD) and a chart time zone", () => {
  const signals = readTradingViewTrades(fixture("list_of_trades_2025.csv"), "t.csv", {
    utcOffsetMinutes: 60,
  });
  assert.deepEqual(signals.map((s) => [s.side, s.ts, s.price, s.reason]), [
    ["short", at("2024-03-01T07:00Z"), 3400.25, "TradingView trade 1: Sell"],
    ["exit", at("2024-03-01T19:00Z"), 3366.05, "TradingView trade 1: TP"],
  ]);
});

Deno.test("tradingview trades: errors name the line and the column", () => {
  const head = "Trade #,Type,Signal,Date/Time,Price USDT,Contracts\n";
  const err = (text: string) => {
    try {
      readTradingViewTrades(text, "t.csv");
    } catch (e) {
      assert.ok(e instanceof InputError, String(e));
      return e.message;
    }
    throw new Error("expected an error");
  };
  assert.equal(
    err(head + "1,Entry long,L,2024-01-02 13:00,42000,1\n1,Buy,L,2024-01-02 13:00,42000,1\n"),
    't.csv: line 3, column "Type": "Buy" is not a trade type: expected "Entry long", "Exit long", "Entry short" or "Exit short"',
  );
  assert.equal(
    err(head + "1,Entry long,L,02/01/2024,42000,1\n"),
    't.csv: line 2, column "Date/Time": "02/01/2024" is not a date such as "2024-01-02 13:00"',
  );
  assert.equal(
    err(head + "1,Entry long,L,2024-01-02 13:00,n/a,1\n"),
    't.csv: line 2, column "Price USDT": "n/a" is not a positive price',
  );
  assert.match(err("a,b\n1,2\n"), /^t\.csv: line 1: no "Type", "Date\/Time", "Price" column/);
  assert.match(err(""), /t\.csv is empty/);
});

Deno.test("csv rows: quotes, doubled quotes, CRLF, blank lines and a byte-order mark", () => {
  const { rows, lines } = readCsvRows('\ufeffa,"b, c"\r\n\r\n"say ""hi""",\n"multi\nline",x');
  assert.deepEqual(rows, [["a", "b, c"], ['say "hi"', ""], ["multi\nline", "x"]]);
  assert.deepEqual(lines, [1, 3, 4]);
  assert.equal(parseDateTime("2024-01-02 13:00"), at("2024-01-02T13:00Z"));
  assert.equal(parseDateTime("2024-01-02T13:00:30+02:00"), at("2024-01-02T11:00:30Z"));
  assert.equal(parseDateTime("1704200400000"), at("2024-01-02T13:00Z"));
  assert.equal(parseDateTime("1704200400"), at("2024-01-02T13:00Z"));
  assert.equal(parseDateTime("2024-13-02"), undefined);
});

Deno.test("alert files: JSON and CSV alerts as signals, percent levels from the price", () => {
  const want = [
    {
      ts: at("2024-01-02T13:00Z"),
      side: "long",
      sl: 41580,
      tp: 43000,
      price: 42000,
      reason: "TradingView long OKX:BTCUSDT: breakout",
    },
  ];
  const json = readAlertsFile(fixture("alerts.json"), "alerts.json");
  assert.deepEqual(json.slice(0, 1), want);
  assert.deepEqual(json.slice(1).map((s) => [s.side, s.ts, s.sl]), [
    ["exit", at("2024-01-02T15:00Z"), undefined],
    ["short", at("2024-01-02T15:00Z"), 43500],
  ]);
  const csv = readAlertsFile(fixture("alerts.csv"), "alerts.csv", {
    bot: { bot_id: "b", exchange: "okx", symbol: "BTC/USDT" },
  });
  assert.deepEqual(csv.slice(0, 1), want);
  assert.deepEqual(csv.slice(1).map((s) => [s.side, s.reason]), [
    ["exit", "TradingView exit OKX:BTCUSDT: take profit, by hand"],
    ["short", "TradingView short BTCUSDT"],
  ]);
  for (const s of [...json, ...csv]) assert.ok(externalSignal.safeParse(s).success);
});

Deno.test("alert files: errors name the alert or line and the field or column", () => {
  const err = (
    text: string,
    name: string,
    bot?: { bot_id: string; exchange: string; symbol: string },
  ) => {
    try {
      readAlertsFile(text, name, { bot });
    } catch (e) {
      assert.ok(e instanceof InputError, String(e));
      return e.message;
    }
    throw new Error("expected an error");
  };
  assert.equal(
    err("time,action,symbol,sl\n2024-01-02 13:00,buy,BTCUSDT,1%\n", "a.csv"),
    'a.csv: line 2, column "sl": 1% needs the alert\'s price to become a level: add a price',
  );
  assert.match(
    err("time,action,symbol\n2024-01-02 13:00,hold,BTCUSDT\n", "a.csv"),
    /^a\.csv: line 2, column "action": "hold" is not an action/,
  );
  assert.match(
    err('[{"action": "buy", "symbol": "BTCUSDT"}]', "a.json"),
    /^a\.json: alert 1: no time/,
  );
  assert.match(
    err('[{"time": 1, "action": "buy", "symbol": "ETHUSDT"}]', "a.json", {
      bot_id: "b",
      exchange: "okx",
      symbol: "BTC/USDT",
    }),
    /^a\.json: alert 1, symbol: "ETHUSDT" is ETH\/USDT, but bot "b" trades BTC\/USDT/,
  );
  assert.match(err("{}", "a.json"), /expected a list of alert messages/);
  assert.match(err("action\nbuy\n", "a.csv"), /no "time" column/);
  assert.match(err("x", "a.txt"), /\.json or \.csv/);
});
