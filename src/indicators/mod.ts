// Indicator kernels (batch + incremental) and technicalindicators adapters: the public surface.

export * from "./common.ts";
export * from "./moving_averages.ts";
export * from "./rolling.ts";
export * from "./volatility.ts";
export * from "./momentum.ts";
export * from "./volume.ts";
export * from "./directional.ts";
export * from "./stochastic.ts";
export * from "./ti_adapter.ts";
