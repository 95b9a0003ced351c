// A backtest result's big arrays made when first read: the equity curve's numbers, the decisions.

/** An equity curve as a result shows it: candle open times and equity, plain number arrays. */
export interface EquityCurve {
  ts: number[];
  equity: number[];
}

/** The Float64Arrays behind each curve made by {@link equityCurve}. */
const COLUMNS = new WeakMap<EquityCurve, { ts: Float64Array; equity: Float64Array }>();

/**
 * An equity curve over `ts` and `equity` whose number arrays are made on their first read (a
 * chart, JSON, a test): a year of 1-minute candles is two arrays of 525,600 numbers, which a run
 * that is only stored, or whose metrics alone are looked at, never needs. The fields are
 * enumerable, so JSON, structured clones and deep equality see plain arrays.
 */
export function equityCurve(ts: Float64Array, equity: Float64Array): EquityCurve {
  const curve = {} as EquityCurve;
  defineLazy(curve, "ts", () => toNumbers(ts));
  defineLazy(curve, "equity", () => toNumbers(equity));
  COLUMNS.set(curve, { ts, equity });
  return curve;
}

/**
 * The curve as Float64Arrays: those it was made from while neither field has been read (made
 * by {@link equityCurve}), else copies of its numbers as they are now.
 */
export function curveColumns(curve: EquityCurve): { ts: Float64Array; equity: Float64Array } {
  const cols = COLUMNS.get(curve);
  const own = (k: keyof EquityCurve) => Object.getOwnPropertyDescriptor(curve, k)?.get;
  if (cols && own("ts") && own("equity")) return cols;
  return { ts: toFloats(curve.ts), equity: toFloats(curve.equity) };
}

/**
 * Defines `obj[key]` as an enumerable field computed by `make` on its first read, then kept as
 * a plain data field (assigning it first keeps the value assigned).
 */
export function defineLazy<T extends object, K extends keyof T>(
  obj: T,
  key: K,
  make: () => T[K],
): void {
  const settle = (value: T[K]) =>
    Object.defineProperty(obj, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = make();
      settle(value);
      return value;
    },
    set(value: T[K]) {
      settle(value);
    },
  });
}

/** `xs` as a number array: a loop into a sized array (Array.from is several times slower). */
function toNumbers(xs: Float64Array): number[] {
  const n = xs.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = xs[i];
  return out;
}

function toFloats(xs: readonly number[]): Float64Array {
  const n = xs.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = xs[i];
  return out;
}
