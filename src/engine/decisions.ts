// Where the engine's decisions go: the run's recorder (texts written when read) and onDecision.

import type { Decision } from "../core/decision_summary.ts";
import { CloseReasons, joinReason } from "../sim/decision_log.ts";
import type { DecisionRecord, RunRecorder } from "../sim/run_recorder.ts";

export type { Decision } from "../core/decision_summary.ts";

/** The client ids of a decision's orders: the exit's, then the entry's (those given). */
export function orderIds(exitId: string | undefined, openId: string | undefined): string[] {
  if (exitId === undefined) return openId === undefined ? [] : [openId];
  return openId === undefined ? [exitId] : [exitId, openId];
}

/** Where an engine's decisions go: its recorder (reasons written when read) and `onDecision`. */
export class DecisionOutlet {
  readonly #closeReasons = new CloseReasons();

  constructor(
    readonly recorder: RunRecorder | undefined,
    readonly onDecision: ((d: Decision) => void) | undefined,
  ) {}

  /** Reports one decision: to the recorder as it is, and to `onDecision` with its reason written. */
  record(d: DecisionRecord): void {
    this.recorder?.decision(d);
    const on = this.onDecision;
    if (on === undefined) return;
    const notes = d.notes;
    const text = notes === undefined
      ? d.reason
      : d.code === "close"
      ? this.#closeReasons.of(d.reason, notes)
      : joinReason(d.reason, notes);
    on({
      ts: d.ts,
      symbol: d.symbol,
      signal: d.signal,
      outcome: d.outcome,
      code: d.code,
      reason: text,
      orders: d.orders,
    });
  }
}
