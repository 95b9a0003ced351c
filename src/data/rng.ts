// Seeded pseudo-random numbers (sfc32 with a murmur-style seed hash), identical on every machine.

/** A seed: any number or string; the same seed always gives the same stream. */
export type Seed = number | string;

/** A seeded random stream. Its state is four 32-bit integers, advanced with integer math only. */
export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** Uniform unsigned 32-bit integer in [0, 2^32). */
  uint32(): number;
  /** Standard normal draw (mean 0, standard deviation 1), Marsaglia's polar method. */
  normal(): number;
  /** Uniform integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number;
}

const TWO_POW_32 = 4294967296;

/**
 * Hashes a seed into four well-mixed 32-bit words (cyrb128: murmur-style multiply-xorshift).
 * Numbers are hashed through their decimal spelling and strings with an "s:" prefix, so `42`
 * and `"42"` are different seeds.
 */
export function hashSeed(seed: Seed): [number, number, number, number] {
  const text = typeof seed === "number" ? String(seed) : `s:${seed}`;
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/**
 * Creates a seeded random stream (sfc32). Strings are hashed as `"s:" + seed`, numbers by
 * their decimal spelling; either way the stream is the same on every machine and runtime.
 *
 * @example
 * ```ts
 * const rng = createRng(42);
 * rng.next(); // a float in [0, 1), the same one every run
 * rng.int(1, 6); // a die roll
 * rng.normal(); // a standard normal draw
 * ```
 */
export function createRng(seed: Seed): Rng {
  if (typeof seed === "number" && !Number.isFinite(seed)) {
    throw new RangeError(`Seed ${seed} is not a finite number.`);
  }
  let [a, b, c, d] = hashSeed(seed);
  let spare = 0;
  let hasSpare = false;

  const uint32 = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up so that similar seeds diverge fully before the first output.
  for (let i = 0; i < 15; i++) uint32();

  const next = (): number => uint32() / TWO_POW_32;

  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u = 0, v = 0, s = 0;
    do {
      u = 2 * next() - 1;
      v = 2 * next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * f;
    hasSpare = true;
    return u * f;
  };

  const int = (lo: number, hi: number): number => {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new RangeError(`int(${lo}, ${hi}) needs integers with lo <= hi.`);
    }
    return lo + Math.floor(next() * (hi - lo + 1));
  };

  return { next, uint32, normal, int };
}
