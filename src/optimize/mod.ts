// The optimiser's public entry for notebooks and the CLI: optimize(), studies, spaces, samplers.

export { optimize, type OptimizeOptions, type OptimizeResult, resumeOptions } from "./optimize.ts";
export { compareStudies, listStudies, showStudy, type StudyReport } from "./studies.ts";
export {
  type Dimension,
  type DimensionOverride,
  type SearchSpace,
  searchSpace,
  spaceSize,
} from "./space.ts";
export { createSampler, type Sampler, type SamplerKind } from "./samplers.ts";
export { type Constraints, type Objective, type ObjectiveName, OBJECTIVES } from "./objective.ts";
export type { PruneOptions } from "./pruner.ts";
export type { TpeOptions } from "./tpe.ts";
export type { TrialBacktest } from "./trial_run.ts";
export { shareCandles, sharedColumns } from "./shared_candles.ts";
export { StudyStore, type StudySummary } from "./study_store.ts";
export type { BestSoFar, Observation, OptimizeProgress, Trial, TrialState } from "./types.ts";
