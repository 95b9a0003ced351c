// A set of order client ids: the simulated broker checks every new order against all before it.

/** Slots of a new table (a power of two). */
const INITIAL_SLOTS = 1024;

/**
 * The client ids seen so far: a hash table with open addressing (linear probing) in a typed
 * array, over a list of the ids in the order they came.
 *
 * Every order checks its id here, and a backtest sends tens of thousands. With a `Set<string>`
 * that check was the costliest step of an order: V8 hashes a new string in a runtime call and
 * compares it with the strings in its bucket, which in a long run lie all over the heap (cache
 * misses). Here the hash is computed in JavaScript (FNV-1a over the UTF-16 code units), a slot
 * holds a hash and the id's position in the list, and strings are compared only when the hashes
 * match.
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
  /** Two numbers a slot: the hash of its id, then 1 + the id's position in `#ids` (0: free). */
  #table = new Int32Array(2 * INITIAL_SLOTS);
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
    if (this.#table[2 * slot + 1] !== 0) return true;
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
    if (t[2 * slot + 1] !== 0) return false;
    this.#ids.push(id);
    t[2 * slot] = h;
    t[2 * slot + 1] = this.#ids.length;
    if (this.#ids.length * 4 > t.length) this.#grow();
    return true;
  }

  /** The slot holding `id` (hash `h`), or the free slot where it would go. */
  #slot(id: string, h: number): number {
    const t = this.#table;
    const mask = t.length / 2 - 1;
    for (let slot = h & mask;; slot = (slot + 1) & mask) {
      const at = t[2 * slot + 1];
      if (at === 0 || (t[2 * slot] === h && this.#ids[at - 1] === id)) return slot;
    }
  }

  /** Doubles the table (kept at most half full, so that probes stay short). */
  #grow(): void {
    const old = this.#table;
    const t = new Int32Array(2 * old.length);
    const mask = t.length / 2 - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] === 0) continue;
      let slot = old[i] & mask;
      while (t[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      t[2 * slot] = old[i];
      t[2 * slot + 1] = old[i + 1];
    }
    this.#table = t;
  }
}
