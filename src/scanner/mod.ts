// The volatility scanner's public surface: estimators, metrics, ranking, scan() and formatting.

export * from "./estimators.ts";
export * from "./metrics.ts";
export * from "./universe.ts";
export * from "./rank.ts";
export * from "./scan.ts";
export * from "./store_windows.ts";
export * from "./format.ts";
