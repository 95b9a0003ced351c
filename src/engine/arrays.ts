// Array helpers for the simulation's hot paths.

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
