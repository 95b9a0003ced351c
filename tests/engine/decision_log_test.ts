// The decision log: the decisions it builds when read equal those onDecision receives at once.

import assert from "node:assert/strict";
import type { Signal } from "../../src/core/trading.ts";
import { RunLog } from "../../src/sim/run_log.ts";
import { type Decision, Engine } from "../../src/engine/engine.ts";
import { SimBroker } from "../../src/sim/sim_broker.ts";
import { RiskGate } from "../../src/risk/gate.ts";
import { isSizingNote, noteText } from "../../src/risk/sizing_note.ts";
import { makeCandles } from "../support.ts";

const T0 = Date.UTC(2024, 0, 1);

/** Every kind of decision: entries, refusals, a flip, a close, an expired and a withdrawn limit. */
const SCRIPT: (Signal | null)[] = [
  { side: "long", confidence: 1, reason: "up" }, // order: open
  { side: "long", confidence: 1, reason: "up again" }, // refused: already in position
  null,
  { side: "short", confidence: 1, reason: "turn" }, // order: flip
  { side: "exit", confidence: 1, reason: "out" }, // order: close
  { side: "exit", confidence: 1, reason: "out again" }, // refused: no position
  { side: "long", confidence: 1, reason: "dip", entry: 1, validBars: 2 }, // resting limit
  null,
  null, // the limit expires: cancelled
  { side: "long", confidence: 1, reason: "dip 2", entry: 1 }, // resting limit
  { side: "exit", confidence: 1, reason: "never mind" }, // the resting entry is withdrawn
  { side: "short", confidence: 0.2, reason: "weak", sl: 1e6 }, // refused by min confidence
];

function run(direction: "both" | "long") {
  const broker = new SimBroker({ cash: 10_000 });
  const log = new RunLog("sim-");
  const heard: Decision[] = [];
  const engine = new Engine({
    strategyName: "script",
    timeframeMs: 60_000,
    broker,
    risk: new RiskGate({ minConfidence: 0.5, maxNotional: 5_000 }),
    direction,
    takerFee: 0.001,
    recorder: log,
    onDecision: (d) => heard.push(d),
  });
  const data = makeCandles(SCRIPT.length + 2, T0);
  const sym = { symbol: "X/USDT", data, strategy: { onCandle: (i: number) => SCRIPT[i] ?? null } };
  engine.track(sym.symbol);
  for (let i = 0; i < data.ts.length; i++) engine.step(sym, i);
  return { log, heard };
}

/** What the script comes to (decision code: number of orders). */
const CODES = {
  both: "open:1 already_in_position:0 flip:2 close:1 no_position:0 open:1 entry_expired:1 open:1 " +
    "entry_cancelled:1 min_confidence:0",
  long: "open:1 already_in_position:0 close:1 no_position:0 no_position:0 open:1 entry_expired:1 " +
    "open:1 entry_cancelled:1 direction:0",
};

for (const direction of ["both", "long"] as const) {
  Deno.test(`decision log (direction ${direction}): equal to onDecision's, reasons written when read`, () => {
    const { log, heard } = run(direction);
    assert.equal(log.decisions().length, heard.length);
    const outcomes = new Set(heard.map((d) => d.outcome));
    assert.deepEqual([...outcomes].sort(), ["cancelled", "order", "refused"]);
    assert.deepEqual(heard.map((d) => `${d.code}:${d.orders.length}`), CODES[direction].split(" "));
    assert.deepEqual(log.decisions(), heard);
    // read twice: the same objects, and later decisions are appended
    assert.equal(log.decisions()[0], log.decisions()[0]);
    const sizing = heard.find((d) => d.code === "open" || d.code === "flip");
    assert.match(
      sizing!.reason,
      /size: 100% of equity 10000 at [\d.]+ with taker fee 0\.1%: qty ≈/,
    );
  });
}

Deno.test("a sizing note is the numbers of the sizing; noteText writes its sentence, the same each time", () => {
  const gate = new RiskGate({});
  const plan = gate.evaluate({
    ts: T0,
    symbol: "X/USDT",
    price: 100,
    signal: { side: "long", confidence: 1, reason: "r" },
    equity: 1000,
    balance: 900,
    peakEquity: 1000,
    dayStartEquity: 1000,
    openPositions: [],
    tradesToday: 0,
    killSwitch: false,
    direction: "long",
    leverage: 1,
    takerFee: 0.001,
  });
  assert.ok(plan.ok && plan.action === "open");
  const note = plan.notes[0];
  assert.ok(isSizingNote(note));
  assert.deepEqual(
    { ...note, stopDistance: Number.isNaN(note.stopDistance) ? "none" : note.stopDistance },
    {
      kind: "sizing",
      mode: "equity",
      size: 1,
      takerFee: 0.001,
      equity: 1000,
      price: 100,
      stopDistance: "none",
      qty: 1000 / (100 * 1.001),
      balance: 900,
    },
  );
  const text = noteText(note);
  assert.equal(
    text,
    "size: 100% of equity 1000 at 100 with taker fee 0.1%: qty ≈ 9.99000999 (notional 999.000999); balance 900",
  );
  assert.equal(noteText(note), text);
  assert.equal(noteText("a plain note"), "a plain note");
});
