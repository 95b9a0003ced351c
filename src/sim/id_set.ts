// A set of order client ids: the simulated broker checks every new order against all before it.

import { room } from "../account/arrays.ts";

/** Slots of a new table (a power of two). */
const INITIAL_SLOTS = 1024;

/** The low 25 bits of a slot: 1 + a position. */
const POSITION = 0x1ffffff;

/** The top 7 bits of hash `h`, where a slot keeps them. */
function tag(h: number): number {
  return (h >>> 25) << 25;
}

/**
 * The client ids seen so far: a hash table with open addressing (linear probing) in a typed
 * array, over a list of the ids in the order they came.
 *
 * Every order checks its id here, and a backtest sends tens of thousands. With a `Set<string>`
 * that check was the costliest step of an order: V8 hashes a new string in a runtime call and
 * compares it with the strings in its bucket, which in a long run lie all over the heap (cache
 * misses). Here the hash is computed in JavaScript (FNV-1a over the UTF-16 code units), a slot
 * holds the id's position in the list, the hashes are kept by position, and strings are compared
 * only when the hashes match.
 *
 * @example
 * ```ts
 * const ids = new IdSet();
 * const id = "bt-BTC/USDT-1704067200000-open";
 * ids.add(id); // true: new
 * ids.add(id); // false: seen before
 * ids.has(id); // true
 * ```
 */
export class IdSet {
  /** The ids, in the order they were added. */
  readonly #ids: string[] = [];
  /** The hash of each id, by position in `#ids`. */
  #hashes = new Int32Array(INITIAL_SLOTS / 2);
  /**
   * One number a slot (0: free), at most half full: the top 7 bits of its id's hash, then in the
   * low 25 bits 1 + the id's position in `#ids`. Four bytes a slot: at two numbers a slot the
   * table of a long run no longer fitted in the processor's cache, and nearly every check waited
   * for memory; the 7 bits spare looking up the hash by position for 127 of 128 other ids.
   */
  #table = new Int32Array(INITIAL_SLOTS);
  /** The free slot where the last `has` that found nothing stopped (or -1), for which id and hash. */
  #free = -1;
  #freeId: string | undefined;
  #freeHash = 0;

  /** Number of ids. */
  get size(): number {
    return this.#ids.length;
  }

  /** The hash `has` and `add` take (pass it to both, and an id is hashed once). */
  static hash(id: string): number {
    let h = 0x811c9dc5; // FNV-1a
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    return h | 0;
  }

  /** True when `id` (hash `h`) is in the set. */
  has(id: string, h = IdSet.hash(id)): boolean {
    const slot = this.#slot(id, h);
    if (this.#table[slot] !== 0) return true;
    this.#free = slot; // `add(id)` next (the broker's way) need not search again
    this.#freeId = id;
    this.#freeHash = h;
    return false;
  }

  /** Adds `id` (hash `h`); false when it was there already. */
  add(id: string, h = IdSet.hash(id)): boolean {
    const known = this.#free >= 0 && this.#freeHash === h && this.#freeId === id;
    const slot = known ? this.#free : this.#slot(id, h);
    this.#free = -1;
    const t = this.#table;
    if (t[slot] !== 0) return false;
    const n = this.#ids.length;
    this.#ids.push(id);
    this.#hashes = room(this.#hashes, n);
    this.#hashes[n] = h;
    if (n + 1 > POSITION) throw new RangeError(`IdSet holds at most ${POSITION} ids`);
    t[slot] = tag(h) | (n + 1);
    if ((n + 1) * 2 > t.length) this.#grow();
    return true;
  }

  /** The slot holding `id` (hash `h`), or the free slot where it would go. */
  #slot(id: string, h: number): number {
    const t = this.#table;
    const mask = t.length - 1;
    for (let slot = h & mask;; slot = (slot + 1) & mask) {
      const e = t[slot];
      if (e === 0) return slot;
      if (((e ^ h) >>> 25) !== 0) continue; // another id: its tag differs
      const at = (e & POSITION) - 1;
      if (this.#hashes[at] === h && this.#ids[at] === id) return slot;
    }
  }

  /** Doubles the table (kept at most half full, so that probes stay short). */
  #grow(): void {
    const t = new Int32Array(2 * this.#table.length);
    const mask = t.length - 1;
    const hashes = this.#hashes;
    for (let k = 0; k < this.#ids.length; k++) {
      let slot = hashes[k] & mask;
      while (t[slot] !== 0) slot = (slot + 1) & mask;
      t[slot] = tag(hashes[k]) | (k + 1);
    }
    this.#table = t;
  }
}
