// Tests for the gate's routing and state: exits, direction, flips, drawdown suspension, resume.

import assert from "node:assert/strict";
import { ConfigError } from "../../src/core/errors.ts";
import { RiskGate } from "../../src/risk/gate.ts";
import type { RiskContext } from "../../src/risk/types.ts";
import { ctx, ctxWith, decide, HOUR, pos, T0 } from "./support.ts";
import { noteText } from "../../src/risk/sizing_note.ts";

const EXIT = { side: "exit", reason: "exit rule" } as const;

Deno.test("exit: always approved with a position, even under kill switch, suspension, bad data", () => {
  const gate = new RiskGate({ maxDrawdown: 0.1, dailyLossLimit: 0.01, maxTradesPerDay: 1 });
  const c = ctxWith(pos(), {
    signal: EXIT,
    killSwitch: true,
    equity: 5000,
    tradesToday: 9,
    lastLoss: { ts: T0 },
  });
  const d = gate.evaluate(c);
  assert.ok(gate.suspended(), "the drawdown was seen");
  assert.deepEqual(d, {
    ok: true,
    action: "close",
    side: "long",
    qty: 2,
    exitReason: "signal",
    signalReason: "exit rule",
    notes: [],
  });
  assert.equal(gate.evaluate({ ...c, equity: NaN, price: NaN }).ok, true);
});

Deno.test("exit: without a position is a no_position refusal", () => {
  assert.deepEqual(decide({}, ctx({ signal: EXIT })), {
    ok: false,
    code: "no_position",
    reason: "no open position in BTC/USDT to exit",
  });
});

Deno.test("same side while in that position: already_in_position", () => {
  assert.deepEqual(decide({}, ctxWith(pos())), {
    ok: false,
    code: "already_in_position",
    reason: "already long BTC/USDT (qty 2 at 95)",
  });
});

Deno.test("direction long: a short signal closes the long, even under the kill switch", () => {
  const d = decide({}, ctxWith(pos(), { killSwitch: true, signal: { side: "short" } }));
  assert.deepEqual(d, {
    ok: true,
    action: "close",
    side: "long",
    qty: 2,
    exitReason: "signal",
    signalReason: "test signal",
    notes: ["short entries are disabled (direction is long): the short signal closes the long"],
  });
});

Deno.test("direction long: a short signal when flat is refused", () => {
  assert.deepEqual(decide({}, ctx({ signal: { side: "short" } })), {
    ok: false,
    code: "direction",
    reason: "short entries are disabled: direction is long",
  });
});

Deno.test("direction short: symmetric (long closes a short; long when flat refused)", () => {
  const short = pos({ side: "short" });
  const closed = decide({}, ctxWith(short, { direction: "short" }));
  assert.equal(closed.ok && closed.action, "close");
  assert.equal(closed.ok && closed.side, "short");
  assert.deepEqual(decide({}, ctx({ direction: "short" })), {
    ok: false,
    code: "direction",
    reason: "long entries are disabled: direction is short",
  });
  const opened = decide({}, ctx({ direction: "short", signal: { side: "short", sl: 104 } }));
  assert.equal(opened.ok && opened.action, "open");
  assert.equal(opened.ok && opened.side, "short");
});

Deno.test("direction both: an opposite signal flips (close, then open)", () => {
  const d = decide({}, ctxWith(pos(), { direction: "both", signal: { side: "short", sl: 104 } }));
  // notes are sentences for people: the sizing note is written when read (String)
  assert.deepEqual(d.ok ? { ...d, notes: d.notes.map(noteText) } : d, {
    ok: true,
    action: "flip",
    side: "short",
    size: { kind: "equity", fraction: 1 },
    entryType: "market",
    sl: 104,
    close: { side: "long", qty: 2 },
    estimate: { price: 100, qty: 100, notional: 10_000 },
    signalReason: "test signal",
    notes: [
      "flip: close the long (qty 2) first, then open the short",
      "size: 100% of equity 10000 at 100 with taker fee 0%: qty ≈ 100 (notional 10000); " +
      "balance 10000",
    ],
  });
});

Deno.test("direction both: a flip whose open side is refused still closes", () => {
  const d = decide(
    {},
    ctxWith(pos(), { direction: "both", killSwitch: true, signal: { side: "short" } }),
  );
  assert.deepEqual(d, {
    ok: true,
    action: "close",
    side: "long",
    qty: 2,
    exitReason: "signal",
    signalReason: "test signal",
    notes: ["the short side of the flip was refused (kill_switch): only the long is closed"],
    openRefused: {
      ok: false,
      code: "kill_switch",
      reason: "the kill switch is on: no new entries (exits are still allowed)",
    },
  });
});

Deno.test("flip: this symbol's own position counts toward neither positions nor leverage", () => {
  const d = decide(
    { maxOpenPositions: 1 },
    ctxWith(pos({ qty: 100, entryPrice: 100 }), { direction: "both", signal: { side: "short" } }),
  );
  assert.equal(d.ok && d.action, "flip");
  assert.equal(d.ok && d.action === "flip" && d.capped, undefined);
});

Deno.test("drawdown: suspension persists after equity recovers, until resume", () => {
  const gate = new RiskGate({ maxDrawdown: 0.1 });
  const hit = gate.evaluate(ctx({ equity: 8900 }));
  const reason = "drawdown 11% from the peak 10000 (equity 8900) reached the maximum 10%";
  assert.deepEqual(gate.suspended(), { since: T0, reason });
  assert.deepEqual(hit, {
    ok: false,
    code: "drawdown_suspended",
    reason: `new entries are suspended since 2024-01-02T12:00:00.000Z: ${reason}; ` +
      "resume trading to lift it",
  });
  // Equity recovers: still suspended, same since and reason.
  const later = gate.evaluate(ctx({ ts: T0 + 5 * HOUR, equity: 9950 }));
  assert.deepEqual(later, hit);
  assert.deepEqual(gate.suspended(), { since: T0, reason });
  // Exits still pass while suspended.
  assert.equal(gate.evaluate(ctxWith(pos(), { equity: 8000, signal: EXIT })).ok, true);
  gate.resume();
  assert.equal(gate.suspended(), undefined);
  assert.equal(gate.evaluate(ctx({ ts: T0 + 6 * HOUR, equity: 9950 })).ok, true);
});

Deno.test("drawdown: after resume it is measured from the high since resuming", () => {
  const gate = new RiskGate({ maxDrawdown: 0.1 });
  gate.evaluate(ctx({ equity: 9000 }));
  gate.resume();
  const at = (h: number, equity: number, peakEquity = 10_000): RiskContext =>
    ctx({ ts: T0 + h * HOUR, equity, peakEquity, dayStartEquity: equity });
  assert.equal(gate.evaluate(at(1, 9000)).ok, true, "still 10% under the old peak: allowed");
  assert.equal(gate.evaluate(at(2, 9500)).ok, true);
  assert.equal(gate.evaluate(at(3, 8600)).ok, true, "9.47% under the high since resuming");
  const d = gate.evaluate(at(4, 8550));
  assert.equal(!d.ok && d.code, "drawdown_suspended");
  assert.deepEqual(gate.suspended(), {
    since: T0 + 4 * HOUR,
    reason: "drawdown 10% from the peak 9500 since trading resumed (equity 8550) reached the " +
      "maximum 10%",
  });
});

Deno.test("drawdown: a new all-time peak after resume measures from it again", () => {
  const gate = new RiskGate({ maxDrawdown: 0.1 });
  gate.evaluate(ctx({ equity: 9000 }));
  gate.resume();
  gate.observe({ ts: T0 + HOUR, equity: 9000, peakEquity: 10_000 });
  assert.equal(gate.observe({ ts: T0 + 2 * HOUR, equity: 10_500, peakEquity: 10_500 }), undefined);
  assert.deepEqual(gate.observe({ ts: T0 + 3 * HOUR, equity: 9450, peakEquity: 10_500 }), {
    since: T0 + 3 * HOUR,
    reason: "drawdown 10% from the peak 10500 (equity 9450) reached the maximum 10%",
  });
});

Deno.test("drawdown: observe() between signals catches a dip the next signal would miss", () => {
  const gate = new RiskGate({ maxDrawdown: 0.1 });
  assert.equal(gate.observe({ ts: T0 - HOUR, equity: 9500, peakEquity: 10_000 }), undefined);
  assert.ok(gate.observe({ ts: T0 - HOUR / 2, equity: 8999, peakEquity: 10_000 }));
  const d = gate.evaluate(ctx({ equity: 9900 }));
  assert.equal(!d.ok && d.code, "drawdown_suspended");
  assert.match(!d.ok ? d.reason : "", /since 2024-01-02T11:30:00.000Z/);
});

Deno.test("drawdown: the state survives a restart through state()", () => {
  const gate = new RiskGate({ maxDrawdown: 0.1 });
  gate.evaluate(ctx({ equity: 8000 }));
  const restarted = new RiskGate({ maxDrawdown: 0.1 }, { state: gate.state() });
  assert.deepEqual(restarted.suspended(), gate.suspended());
  assert.equal(restarted.evaluate(ctx()).ok, false);
  restarted.resume();
  restarted.evaluate(ctx({ equity: 8000 }));
  const again = new RiskGate({ maxDrawdown: 0.1 }, { state: restarted.state() });
  assert.equal(again.evaluate(ctx({ equity: 8000 })).ok, true, "the resume baseline is kept");
});

Deno.test("gate: an invalid config is a ConfigError naming the field", () => {
  assert.throws(() => new RiskGate({ maxDrawdown: 2 }), (e) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /^Risk config is invalid: maxDrawdown: /);
    return true;
  });
});
