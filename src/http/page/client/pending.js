// The pending-confirmation dialog, on every view: it opens when an entry waits for a person
// (its bot, side, size, levels, reward:risk, confidence, reason and a countdown), decides it
// with Confirm / Reject, and closes when it is decided here or elsewhere, or expires.

import { amount, h, percent, price, replace, utc } from "./dom.js";
import { addTexts } from "./i18n.js";

addTexts({
  en: {
    "pending.title": "Confirm this entry?",
    "pending.bot": "Bot",
    "pending.side": "Side",
    "pending.symbol": "Symbol",
    "pending.size": "Size",
    "pending.entry": "Entry",
    "pending.sl": "Stop-loss",
    "pending.tp": "Take-profit",
    "pending.rr": "Reward : risk",
    "pending.confidence": "Confidence",
    "pending.reason": "Reason",
    "pending.market": "market",
    "pending.marketAt": "market ≈ {price}",
    "pending.none": "none",
    "pending.left": "Expires in {time}",
    "pending.expiring": "Expiring…",
    "pending.until": "until {time} UTC",
    "pending.more": "{n} more waiting after this one",
    "pending.confirm": "Confirm",
    "pending.reject": "Reject",
    "pending.later": "Later",
    "pending.waiting": "{n} waiting for confirmation",
    "pending.sizeQty": "{qty} {base}",
    "pending.sizeEquity": "{fraction} of equity",
    "pending.sizeRisk": "risk {fraction} of equity to {stop}",
    "pending.sizeRiskPct": "risk {fraction} of equity (stop {pct} %)",
    "pending.confirmed": "{bot}: entry {side} {symbol} confirmed by {who}; the order was sent.",
    "pending.rejected": "{bot}: entry {side} {symbol} rejected by {who}; nothing was sent.",
    "pending.expired": "{bot}: entry {side} {symbol} expired unanswered; nothing was sent.",
    "pending.superseded":
      "{bot}: entry {side} {symbol} was replaced by a newer signal; nothing was sent.",
    "pending.gone": "{bot}: entry {side} {symbol} no longer waits ({status}).",
    "pending.you": "you",
  },
  uk: {
    "pending.title": "Підтвердити цей вхід?",
    "pending.bot": "Бот",
    "pending.side": "Напрям",
    "pending.symbol": "Інструмент",
    "pending.size": "Розмір",
    "pending.entry": "Вхід",
    "pending.sl": "Стоп-лос",
    "pending.tp": "Тейк-профіт",
    "pending.rr": "Прибуток : ризик",
    "pending.confidence": "Впевненість",
    "pending.reason": "Причина",
    "pending.market": "за ринком",
    "pending.marketAt": "за ринком ≈ {price}",
    "pending.none": "немає",
    "pending.left": "Спливає через {time}",
    "pending.expiring": "Спливає…",
    "pending.until": "до {time} UTC",
    "pending.more": "Ще {n} очікують після цього",
    "pending.confirm": "Підтвердити",
    "pending.reject": "Відхилити",
    "pending.later": "Пізніше",
    "pending.waiting": "Очікують підтвердження: {n}",
    "pending.sizeQty": "{qty} {base}",
    "pending.sizeEquity": "{fraction} капіталу",
    "pending.sizeRisk": "ризик {fraction} капіталу до {stop}",
    "pending.sizeRiskPct": "ризик {fraction} капіталу (стоп {pct} %)",
    "pending.confirmed": "{bot}: вхід {side} {symbol} підтверджено ({who}); ордер надіслано.",
    "pending.rejected": "{bot}: вхід {side} {symbol} відхилено ({who}); нічого не надіслано.",
    "pending.expired": "{bot}: вхід {side} {symbol} сплив без відповіді; нічого не надіслано.",
    "pending.superseded":
      "{bot}: вхід {side} {symbol} замінено новішим сигналом; нічого не надіслано.",
    "pending.gone": "{bot}: вхід {side} {symbol} більше не очікує ({status}).",
    "pending.you": "вами, на цій сторінці",
  },
});

/** @typedef {import("./app.js").Ctx} Ctx */
/** @typedef {Record<string, any> & { id: string, bot_id: string }} PendingRow */

/**
 * What the dialog shows of one entry: the stored order and the decision that asked for it.
 * @typedef {object} Shown
 * @property {PendingRow} row
 * @property {"long" | "short"} side
 * @property {string} symbol
 * @property {string} size
 * @property {number | undefined} entry a limit price (or the signal's entry)
 * @property {number | undefined} close the decision candle's close (a market entry's estimate)
 * @property {number | undefined} sl
 * @property {number | undefined} tp
 * @property {number | undefined} confidence
 * @property {string | undefined} reason
 */

/**
 * Reward over risk of an entry with both levels (entry from the limit price, else the close the
 * decision saw), else undefined.
 * @param {Pick<Shown, "entry" | "close" | "sl" | "tp">} v
 */
export function rewardRisk(v) {
  const entry = v.entry ?? v.close;
  if (entry === undefined || v.sl === undefined || v.tp === undefined) return undefined;
  const risk = Math.abs(entry - v.sl);
  return risk > 0 ? Math.abs(v.tp - entry) / risk : undefined;
}

/**
 * Time left as "m:ss" (or "h:mm:ss").
 * @param {number} ms
 */
export function clock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const two = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return hh ? `${hh}:${two(mm)}:${two(ss)}` : `${mm}:${two(ss)}`;
}

/**
 * The order size as people say it.
 * @param {(key: string, vars?: Record<string, string | number>) => string} t
 * @param {any} size the order request's size
 * @param {string} symbol
 */
function sizeText(t, size, symbol) {
  if (!size) return "—";
  const base = symbol.split("/")[0];
  switch (size.kind) {
    case "qty":
      return t("pending.sizeQty", { qty: amount(size.qty), base });
    case "equity":
      return t("pending.sizeEquity", { fraction: percent(size.fraction) });
    case "risk":
      return t("pending.sizeRisk", { fraction: percent(size.fraction), stop: price(size.stop) });
    case "risk_pct":
      return t("pending.sizeRiskPct", {
        fraction: percent(size.fraction),
        pct: price(size.stopPct),
      });
    default:
      return String(size.kind ?? "—");
  }
}

/** @param {unknown} v */
const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/**
 * Reads what the stored row lacks: the decision's signal (confidence, reason, levels) and the
 * close of its candle. A correlation id is "<bot>:<decision ts>:<n>".
 * @param {Ctx} ctx
 * @param {PendingRow} row
 * @returns {Promise<Shown>}
 */
async function describe(ctx, row) {
  const req = row.request ?? {};
  const bot = encodeURIComponent(row.bot_id);
  const ts = Number(String(row.correlation_id ?? "").split(":").at(-2));
  /** @type {any} */
  let signal;
  /** @type {number | undefined} */
  let close;
  if (Number.isFinite(ts)) {
    const [d, c] = await Promise.all([
      ctx.api.get(`/api/bots/${bot}/decisions`, { from: ts, to: ts, limit: 50 }).catch(() => null),
      ctx.api.get(`/api/bots/${bot}/candles`, { from: ts, to: ts, limit: 1 }).catch(() => null),
    ]);
    signal = d?.decisions?.find((/** @type {any} */ r) => r.correlation_id === row.correlation_id)
      ?.signal;
    close = num(c?.close?.at(-1));
  }
  const side = signal?.side === "short" || (!signal && req.side === "sell") ? "short" : "long";
  return {
    row,
    side,
    symbol: String(req.symbol ?? "?"),
    size: sizeText(ctx.t, req.size, String(req.symbol ?? "")),
    entry: num(req.price) ?? num(signal?.entry),
    close,
    sl: num(req.bracket?.sl) ?? num(signal?.sl),
    tp: num(req.bracket?.tp) ?? num(signal?.tp),
    confidence: num(signal?.confidence),
    reason: signal?.reason === undefined ? undefined : String(signal.reason),
  };
}

/**
 * "web:page-session" as a person reads it ("you" for this page's own decision).
 * @param {Ctx} ctx
 * @param {string | null | undefined} by
 * @param {boolean} mine
 */
function whoText(ctx, by, mine) {
  if (mine) return ctx.t("pending.you");
  if (!by) return "?";
  const i = by.indexOf(":");
  return i < 0 ? by : `${by.slice(i + 1)} (${by.slice(0, i)})`;
}

/**
 * Follows the entries that wait for confirmation and shows them in a dialog, the oldest first,
 * on whatever view is open. Returns the stop function (the page never calls it; tests may).
 * @param {Ctx} ctx
 */
export function watchPending(ctx) {
  const { t } = ctx;
  /** @type {Map<string, Shown>} */
  const shown = new Map();
  /** Entries this page decided (their closing toast says "you"). */
  const mine = new Set();
  /** Ids of entries seen waiting, so their ending can be told. */
  const known = new Set();
  /** @type {Shown | undefined} */
  let current;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let ticker;
  let dismissed = false;
  /** The next "close" event is the page's own (nothing waits), not a person's "Later". */
  let closing = false;
  let busy = false;

  const body = h("div", { class: "pending-body" });
  const countdown = h("p", { class: "pending-countdown", role: "timer", "aria-live": "off" });
  const until = h("p", { class: "pending-until hint" });
  const more = h("p", { class: "pending-more hint" });
  const confirmBtn = h("button", {
    type: "button",
    class: "primary",
    onclick: () => decide("confirm"),
  }, t("pending.confirm"));
  const rejectBtn = h("button", {
    type: "button",
    class: "danger",
    onclick: () => decide("reject"),
  }, t("pending.reject"));
  const dialog = /** @type {HTMLDialogElement} */ (h(
    "dialog",
    { class: "pending", id: "pending-dialog", "aria-labelledby": "pending-title" },
    h("h2", { id: "pending-title" }, t("pending.title")),
    body,
    countdown,
    until,
    more,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", onclick: () => dialog.close() }, t("pending.later")),
      rejectBtn,
      confirmBtn,
    ),
  ));
  const badge = h("button", {
    type: "button",
    class: "pending-badge",
    hidden: true,
    onclick: () => {
      dismissed = false;
      draw();
    },
  });
  // Escape or "Later" hides it until a new entry comes (the badge brings it back).
  dialog.addEventListener("close", () => {
    stopTicker();
    if (closing) closing = false;
    else if (current) dismissed = true;
    drawBadge();
  });
  document.body.append(dialog, badge);

  function stopTicker() {
    if (ticker !== undefined) clearInterval(ticker);
    ticker = undefined;
  }

  function tick() {
    if (!current) return;
    const left = Number(current.row.expires_at) - Date.now();
    countdown.textContent = left > 0 ? t("pending.left", { time: clock(left) }) : t(
      "pending.expiring",
    );
    countdown.classList.toggle("urgent", left < 30_000);
  }

  function drawBadge() {
    const n = shown.size;
    badge.hidden = n === 0 || dialog.open;
    badge.textContent = t("pending.waiting", { n });
  }

  /** Shows the oldest waiting entry (or closes when none waits). */
  function draw() {
    const list = [...shown.values()].sort((a, b) =>
      Number(a.row.created_at) - Number(b.row.created_at) || a.row.id.localeCompare(b.row.id)
    );
    const next = list[0];
    if (!next) {
      current = undefined;
      stopTicker();
      if (dialog.open) {
        closing = true;
        dialog.close();
      }
      dismissed = false;
      drawBadge();
      return;
    }
    if (next !== current) {
      current = next;
      replace(body, details(next));
      confirmBtn.setAttribute("aria-label", `${t("pending.confirm")} ${next.row.bot_id}`);
      rejectBtn.setAttribute("aria-label", `${t("pending.reject")} ${next.row.bot_id}`);
    }
    dialog.dataset.pending = next.row.id;
    more.textContent = list.length > 1 ? t("pending.more", { n: list.length - 1 }) : "";
    until.textContent = t("pending.until", { time: utc(Number(next.row.expires_at), true) });
    tick();
    if (!dismissed && !dialog.open) dialog.showModal();
    if (dialog.open && ticker === undefined) ticker = setInterval(tick, 1000);
    drawBadge();
  }

  /** @param {Shown} v */
  function details(v) {
    const bot = ctx.bots.get(v.row.bot_id);
    const rr = rewardRisk(v);
    const entry = v.entry !== undefined
      ? price(v.entry)
      : v.close !== undefined
      ? t("pending.marketAt", { price: price(v.close) })
      : t("pending.market");
    /** @type {[string, Node | string][]} */
    const rows = [
      [
        "pending.bot",
        h(
          "span",
          null,
          v.row.bot_id,
          bot?.mode === "live" ? h("span", { class: "badge mode live" }, t("mode.live")) : null,
        ),
      ],
      [
        "pending.side",
        h("strong", { class: v.side === "short" ? "down" : "up" }, v.side.toUpperCase()),
      ],
      ["pending.symbol", v.symbol],
      ["pending.size", v.size],
      ["pending.entry", entry],
      ["pending.sl", v.sl === undefined ? t("pending.none") : price(v.sl)],
      ["pending.tp", v.tp === undefined ? t("pending.none") : price(v.tp)],
      ["pending.rr", rr === undefined ? "—" : `${rr.toFixed(2)} : 1`],
      ["pending.confidence", v.confidence === undefined ? "—" : percent(v.confidence)],
    ];
    return [
      h(
        "dl",
        { class: "pending-fields" },
        rows.map(([k, val]) =>
          h("div", { dataset: { field: k.slice(8) } }, h("dt", null, t(k)), h("dd", null, val))
        ),
      ),
      h(
        "p",
        { class: "pending-reason", dataset: { field: "reason" } },
        h("span", { class: "label" }, `${t("pending.reason")}: `),
        v.reason ?? "—",
      ),
    ];
  }

  /** @param {"confirm" | "reject"} verdict */
  async function decide(verdict) {
    const v = current;
    if (!v || busy) return;
    busy = true;
    confirmBtn.toggleAttribute("disabled", true);
    rejectBtn.toggleAttribute("disabled", true);
    try {
      mine.add(v.row.id);
      const out = await ctx.act(() =>
        ctx.api.post(`/api/pending/${encodeURIComponent(v.row.id)}/${verdict}`)
      );
      if (out === undefined) mine.delete(v.row.id);
    } finally {
      busy = false;
      confirmBtn.toggleAttribute("disabled", false);
      rejectBtn.toggleAttribute("disabled", false);
      soon();
    }
  }

  /**
   * Says how each entry that stopped waiting ended (read from the stored rows).
   * @param {Shown[]} gone
   */
  async function tellEnded(gone) {
    /** @type {any} */
    const all = await ctx.api.get("/api/pending").catch(() => null);
    for (const v of gone) {
      const row = all?.pending?.find((/** @type {PendingRow} */ r) => r.id === v.row.id);
      const status = String(row?.status ?? "gone");
      const vars = {
        bot: v.row.bot_id,
        side: v.side.toUpperCase(),
        symbol: v.symbol,
        who: whoText(ctx, row?.decided_by, mine.has(v.row.id)),
        status,
      };
      const key = ["confirmed", "rejected", "expired", "superseded"].includes(status)
        ? `pending.${status}`
        : "pending.gone";
      ctx.toast(t(key, vars), status === "expired" || status === "superseded" ? "error" : "ok");
      mine.delete(v.row.id);
    }
  }

  /** @type {Promise<void> | undefined} */
  let loading;
  let again = false;

  /** Reads the waiting entries again (one read at a time; asks made meanwhile run once after). */
  function soon() {
    if (loading) {
      again = true;
      return;
    }
    loading = load().catch(() => {}).finally(() => {
      loading = undefined;
      if (again) {
        again = false;
        soon();
      }
    });
  }

  async function load() {
    /** @type {{ pending: PendingRow[] }} */
    const res = await ctx.api.get("/api/pending", { status: "pending" });
    const ids = new Set(res.pending.map((r) => r.id));
    const gone = [...shown.values()].filter((v) => !ids.has(v.row.id));
    for (const v of gone) shown.delete(v.row.id);
    const fresh = res.pending.filter((r) => !shown.has(r.id));
    const described = await Promise.all(fresh.map((r) => describe(ctx, r)));
    let added = false;
    for (const v of described) {
      if (!ids.has(v.row.id)) continue;
      shown.set(v.row.id, v);
      if (!known.has(v.row.id)) added = true;
      known.add(v.row.id);
    }
    if (added) dismissed = false;
    draw();
    if (gone.length) await tellEnded(gone);
  }

  const off = ctx.live.on(["bot.pending", "pending.", "audit"], (e) => {
    if (e.type === "audit" && e.data?.action !== "confirm" && e.data?.action !== "reject") return;
    soon();
  });
  soon();
  return () => {
    off();
    stopTicker();
    dialog.remove();
    badge.remove();
  };
}
