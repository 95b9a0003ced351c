// Array helpers for the simulation's hot paths.

/** Typed arrays the logs and tables grow. */
type Growable = Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;

/**
 * `buf` itself while index `n` fits in it, else a copy twice as long (at least 64): the buffer to
 * write index `n` into. Columns that grow one value at a time call it before every write.
 *
 * @example
 * ```ts
 * let xs = new Float64Array(0);
 * xs = room(xs, 0); // length 64
 * xs[0] = 1;
 * ```
 */
export function room<T extends Growable>(buf: T, n: number): T {
  if (n < buf.length) return buf;
  const next = new (buf.constructor as new (length: number) => T)(Math.max(64, buf.length * 2));
  next.set(buf);
  return next;
}

/**
 * Removes the first `item` from `list` in place, keeping the order; false when absent.
 *
 * Unlike `splice`, it allocates nothing: no array of removed items, and the list keeps its
 * storage when it becomes empty (V8 frees it then, and the next push allocates it again).
 * Order books and open positions are emptied and refilled on every trade.
 *
 * @example
 * ```ts
 * const xs = [1, 2, 3];
 * removeFrom(xs, 2); // xs is [1, 3]
 * ```
 */
export function removeFrom<T>(list: T[], item: T): boolean {
  const i = list.indexOf(item);
  if (i < 0) return false;
  for (let k = i + 1; k < list.length; k++) list[k - 1] = list[k];
  list.pop();
  return true;
}
