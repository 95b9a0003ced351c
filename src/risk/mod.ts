// The risk module's public API: the gate, its config, the context and plan types, and helpers.

export { ENTRY_RULES, RiskGate, type RiskGateOptions, type RiskGateState } from "./gate.ts";
export {
  DEFAULT_SIZE,
  parseRiskConfig,
  type RiskConfig,
  type RiskConfigInput,
  riskConfigSchema,
} from "./config.ts";
export { estimateQty } from "./sizing.ts";
export { timedOut } from "./position_timeout.ts";
export type { Suspension } from "./max_drawdown.ts";
export type {
  ClosePlan,
  Decision,
  Estimate,
  OpenPlan,
  Plan,
  RiskCode,
  RiskContext,
} from "./types.ts";
