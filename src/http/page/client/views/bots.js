// The bots view: a card per bot (state, mode, strategy, market, equity, P&L, position, why it is
// not trading) with its controls, totals above, and the kill switch behind a confirmation.

import { amount, h, money, percent, price, replace, tone } from "../dom.js";
import { addTexts } from "../i18n.js";

addTexts({
  en: {
    "bots.title": "Bots",
    "bots.none":
      "No bots are configured. Put bot files in the configs folder and restart the service.",
    "bots.equity": "Equity",
    "bots.pnlToday": "P&L today",
    "bots.pnlTotal": "P&L total",
    "bots.trades": "Trades",
    "bots.position": "Position",
    "bots.flat": "flat",
    "bots.unrealised": "unrealised",
    "bots.why": "Why",
    "bots.start": "Start",
    "bots.stop": "Stop",
    "bots.pause": "Pause",
    "bots.resume": "Resume",
    "bots.open": "Open",
    "bots.kill": "Kill switch",
    "bots.kill.title": "Stop every bot?",
    "bots.kill.explain": "Every bot stops and its waiting entries are cancelled.",
    "bots.kill.flatten": "Also close every open position at market (flatten)",
    "bots.kill.confirm": "Stop everything",
    "bots.done": "{bot}: {action} done",
    "bots.killed": "Kill switch: every bot stopped",
    "bots.total": "All bots",
    "bots.confirmation": "entries need confirmation",
    "state.running": "running",
    "state.paused": "paused",
    "state.stopped": "stopped",
    "state.failed": "halted",
    "state.starting": "starting",
    "state.warming": "warming up",
  },
  uk: {
    "bots.title": "Боти",
    "bots.none":
      "Жодного бота не налаштовано. Покладіть файли ботів у теку configs і перезапустіть сервіс.",
    "bots.equity": "Капітал",
    "bots.pnlToday": "P&L сьогодні",
    "bots.pnlTotal": "P&L загалом",
    "bots.trades": "Угоди",
    "bots.position": "Позиція",
    "bots.flat": "немає",
    "bots.unrealised": "нереалізований",
    "bots.why": "Чому",
    "bots.start": "Запустити",
    "bots.stop": "Зупинити",
    "bots.pause": "Пауза",
    "bots.resume": "Продовжити",
    "bots.open": "Відкрити",
    "bots.kill": "Аварійна зупинка",
    "bots.kill.title": "Зупинити всіх ботів?",
    "bots.kill.explain": "Кожен бот зупиняється, його очікувані входи скасовуються.",
    "bots.kill.flatten": "Також закрити всі відкриті позиції за ринком",
    "bots.kill.confirm": "Зупинити все",
    "bots.done": "{bot}: {action} виконано",
    "bots.killed": "Аварійна зупинка: всі боти зупинені",
    "bots.total": "Усі боти",
    "bots.confirmation": "входи потребують підтвердження",
    "state.running": "працює",
    "state.paused": "на паузі",
    "state.stopped": "зупинено",
    "state.failed": "аварійно зупинено",
    "state.starting": "запуск",
    "state.warming": "розігрів",
  },
});

/** @typedef {import("../app.js").Ctx} Ctx */
/** @typedef {import("../bot_list.js").BotRow} BotRow */

/**
 * The state a person reads: warming up and paused shown over running.
 * @param {BotRow} b
 */
export function shownState(b) {
  if (b.state === "running" && b.warming_up) return "warming";
  if (b.state === "running" && b.paused) return "paused";
  return String(b.state);
}

/**
 * The controls a bot's state allows.
 * @param {BotRow} b
 * @returns {("start" | "stop" | "pause" | "resume")[]}
 */
export function actionsFor(b) {
  if (b.state === "stopped" || b.state === "failed") return ["start"];
  if (b.state === "starting") return ["stop"];
  return b.paused ? ["resume", "stop"] : ["pause", "stop"];
}

/**
 * @param {Ctx} ctx
 * @param {BotRow} b
 */
function card(ctx, b) {
  const { t } = ctx;
  const state = shownState(b);
  const pos = b.position;
  const unreal = b.unrealised_pnl ??
    (b.equity !== null && b.balance !== null ? b.equity - b.balance : null);
  return h(
    "article",
    {
      class: `bot card state-${state}`,
      "data-bot": b.bot_id,
      "aria-labelledby": `bot-${b.bot_id}`,
    },
    h(
      "header",
      null,
      h(
        "h3",
        { id: `bot-${b.bot_id}` },
        h("a", { href: `#/bot/${encodeURIComponent(b.bot_id)}` }, b.bot_id),
      ),
      h("span", { class: `badge state ${state}`, "data-testid": "state" }, t(`state.${state}`)),
      h(
        "span",
        { class: `badge mode ${b.mode}` },
        b.mode === "live" ? t("mode.live") : t("mode.paper"),
      ),
    ),
    h(
      "p",
      { class: "meta" },
      `${b.strategy} ${b.strategy_version ?? ""} · ${b.exchange} ${b.symbol} · ${b.timeframe}`,
      b.requires_confirmation ? h("span", { class: "hint" }, ` · ${t("bots.confirmation")}`) : null,
    ),
    h(
      "dl",
      { class: "figures" },
      h("div", null, h("dt", null, t("bots.equity")), h("dd", null, money(b.equity))),
      h(
        "div",
        null,
        h("dt", null, t("bots.pnlToday")),
        h("dd", { class: tone(b.pnl_today) }, money(b.pnl_today, true)),
      ),
      h(
        "div",
        null,
        h("dt", null, t("bots.pnlTotal")),
        h("dd", { class: tone(b.pnl_total) }, money(b.pnl_total, true)),
      ),
      h("div", null, h("dt", null, t("bots.trades")), h("dd", null, String(b.trades ?? 0))),
    ),
    h(
      "p",
      { class: "position" },
      h("span", { class: "label" }, `${t("bots.position")}: `),
      pos && pos.qty
        ? [
          h(
            "strong",
            { class: pos.side === "short" ? "down" : "up" },
            `${pos.side === "short" ? "SHORT" : "LONG"} ${amount(Math.abs(pos.qty))}`,
          ),
          ` @ ${price(pos.entryPrice)}`,
          pos.sl ? ` · SL ${price(pos.sl)}` : null,
          pos.tp ? ` · TP ${price(pos.tp)}` : null,
          unreal !== null
            ? h(
              "span",
              { class: tone(unreal) },
              ` · ${t("bots.unrealised")} ${money(unreal, true)}`,
            )
            : null,
        ]
        : t("bots.flat"),
    ),
    b.why
      ? h("p", { class: "why" }, h("span", { class: "label" }, `${t("bots.why")}: `), b.why)
      : null,
    b.error && state === "failed" ? h("p", { class: "error" }, b.error) : null,
    h(
      "footer",
      { class: "controls" },
      actionsFor(b).map((a) =>
        h("button", {
          type: "button",
          class: a === "stop" ? "danger" : "",
          "aria-label": `${t(`bots.${a}`)} ${b.bot_id}`,
          onclick: () =>
            ctx.act(
              () => ctx.api.post(`/api/bots/${encodeURIComponent(b.bot_id)}/${a}`),
              t("bots.done", { bot: b.bot_id, action: t(`bots.${a}`) }),
            )
              .then(() => ctx.bots.refresh()),
        }, t(`bots.${a}`))
      ),
      h("a", { class: "button", href: `#/bot/${encodeURIComponent(b.bot_id)}` }, t("bots.open")),
    ),
  );
}

/**
 * Totals of every bot, as the command core sums them (the `total` of GET /api/bots).
 * @param {Ctx} ctx
 * @param {Record<string, any> | undefined} total
 */
function totals(ctx, total) {
  const { t } = ctx;
  return h(
    "dl",
    { class: "totals", "aria-label": t("bots.total") },
    h("div", null, h("dt", null, t("bots.equity")), h("dd", null, money(total?.equity))),
    h(
      "div",
      null,
      h("dt", null, t("bots.pnlToday")),
      h(
        "dd",
        { class: tone(total?.pnl_today) },
        `${money(total?.pnl_today, true)} (${percent(total?.return_today, true)})`,
      ),
    ),
    h(
      "div",
      null,
      h("dt", null, t("bots.pnlTotal")),
      h(
        "dd",
        { class: tone(total?.pnl_total) },
        `${money(total?.pnl_total, true)} (${percent(total?.return_total, true)})`,
      ),
    ),
    h("div", null, h("dt", null, t("bots.trades")), h("dd", null, String(total?.trades ?? "—"))),
  );
}

/**
 * The kill switch's dialog: stop everything, optionally flatten.
 * @param {Ctx} ctx
 */
function killDialog(ctx) {
  const { t } = ctx;
  const flatten =
    /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", name: "flatten" }));
  const dialog = /** @type {HTMLDialogElement} */ (h(
    "dialog",
    { class: "kill", "aria-labelledby": "kill-title" },
    h("h2", { id: "kill-title" }, t("bots.kill.title")),
    h("p", null, t("bots.kill.explain")),
    h("label", { class: "check" }, flatten, t("bots.kill.flatten")),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", onclick: () => dialog.close() }, t("cancel")),
      h("button", {
        type: "button",
        class: "danger",
        onclick: async () => {
          dialog.close();
          await ctx.act(
            () => ctx.api.post("/api/kill", { flatten: flatten.checked }),
            t("bots.killed"),
          );
          ctx.bots.refresh();
        },
      }, t("bots.kill.confirm")),
    ),
  ));
  return dialog;
}

/** @type {import("../app.js").View} */
export default {
  mount(ctx, root) {
    const { t } = ctx;
    const list = h("div", { class: "cards", "aria-live": "polite" });
    const sums = h("div");
    const dialog = killDialog(ctx);
    replace(
      root,
      h(
        "div",
        { class: "view-head" },
        h("h1", null, t("bots.title")),
        h("button", {
          type: "button",
          class: "danger",
          onclick: async () => {
            if (await ctx.requireLogin()) dialog.showModal();
          },
        }, t("bots.kill")),
      ),
      sums,
      list,
      dialog,
    );
    /** @type {Map<string, { key: string, el: HTMLElement }>} */
    const drawn = new Map();
    return ctx.bots.watch((rows) => {
      replace(sums, totals(ctx, ctx.bots.total));
      if (!rows.length) {
        drawn.clear();
        replace(list, h("p", { class: "empty" }, t("bots.none")));
        return;
      }
      // A card is drawn again only when its bot changed, and keeps the keyboard focus.
      const cards = rows.map((b) => {
        const key = JSON.stringify(b);
        const old = drawn.get(b.bot_id);
        if (old && old.key === key) return old.el;
        const el = card(ctx, b);
        const focused = old?.el.contains(document.activeElement) ? document.activeElement : null;
        drawn.set(b.bot_id, { key, el });
        if (focused) {
          queueMicrotask(() => {
            const label = focused.getAttribute("aria-label");
            /** @type {HTMLElement | null} */ (el.querySelector(
              label ? `[aria-label="${CSS.escape(label)}"]` : "a",
            ))
              ?.focus();
          });
        }
        return el;
      });
      for (const id of [...drawn.keys()]) if (!rows.some((b) => b.bot_id === id)) drawn.delete(id);
      if (cards.length !== list.children.length || cards.some((c, i) => list.children[i] !== c)) {
        list.replaceChildren(...cards);
      }
      // When the cards first showed, for the page's benchmark.
      if (!performance.getEntriesByName("tw:cards").length) performance.mark("tw:cards");
    });
  },
};
