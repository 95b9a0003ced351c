// Every bot as GET /api/bots gives it, kept fresh for the views: fetched again (at most every
// 300 ms) when the event stream says a bot changed.

/** @typedef {import("./live.js").Live} Live */
/** @typedef {import("./api.js").Api} Api */
/** @typedef {Record<string, any> & { bot_id: string }} BotRow */

/** The bot list every view reads. */
export class BotList {
  /**
   * @param {Api} api
   * @param {Live} live
   */
  constructor(api, live) {
    this.api = api;
    /** @type {BotRow[]} */
    this.rows = [];
    this.loaded = false;
    /** @type {Record<string, any> | undefined} the command core's totals of every bot */
    this.total = undefined;
    /** @type {Set<(rows: BotRow[]) => void>} */
    this.subs = new Set();
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    /** @type {Promise<void> | undefined} */
    this.loading = undefined;
    live.on(["bot.", "pending.", "incident"], () => this.#soon());
  }

  /**
   * Calls `fn` now (when loaded) and on every change; returns the unsubscribe.
   * @param {(rows: BotRow[]) => void} fn
   */
  watch(fn) {
    this.subs.add(fn);
    if (this.loaded) fn(this.rows);
    else this.refresh();
    return () => this.subs.delete(fn);
  }

  /**
   * The bot called `id`, if known.
   * @param {string} id
   */
  get(id) {
    return this.rows.find((b) => b.bot_id === id);
  }

  /** Fetches the list now (a call while one runs shares it). */
  refresh() {
    this.loading ??= this.api.get("/api/bots").then((body) => {
      this.rows = body.bots;
      this.total = body.total;
      this.loaded = true;
      for (const fn of [...this.subs]) fn(this.rows);
    }).catch(() => {}).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  #soon() {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, 300);
  }
}
