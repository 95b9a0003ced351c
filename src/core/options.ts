// Fills option defaults field by field, so an explicit `undefined` means "the default".

/**
 * Returns `defaults` overlaid with every field of `options` that is not `undefined`. A plain
 * spread (`{ ...defaults, ...options }`) lets `{ retryMs: undefined }` erase a default, which
 * callers forwarding their own optional fields do all the time.
 *
 * @example
 * ```ts
 * withDefaults({ initialMs: 500, maxMs: 30_000 }, { maxMs: undefined }); // { initialMs: 500, maxMs: 30000 }
 * ```
 */
export function withDefaults<D extends object, O extends Partial<D>>(
  defaults: D,
  options: O | undefined,
): D & O {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(options ?? {})) if (v !== undefined) out[k] = v;
  return out as D & O;
}
