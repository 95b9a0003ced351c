// The settings view: confirmation settings, a test of the chat notifications, the service's
// health, the audit log and the incidents (both kept fresh from the event stream).

import { h, replace, utc } from "../dom.js";
import { addTexts } from "../i18n.js";

addTexts({
  en: {
    "settings.title": "Settings and records",
    "settings.confirm.title": "Confirmations",
    "settings.confirm.require": "New entries of every bot wait for a person to confirm them",
    "settings.confirm.ttl": "Seconds a pending entry waits before it is cancelled",
    "settings.confirm.ttlHint": "From 10 to 86,400; applies to entries held from now on.",
    "settings.save": "Save",
    "settings.saved": "Settings saved",
    "settings.notify.title": "Notifications",
    "settings.notify.explain": "Sends a test message to every configured chat (Telegram, Discord).",
    "settings.notify.test": "Send a test message",
    "settings.notify.sent": "Test message: {sent} sent, {failed} failed",
    "settings.notify.ok": "sent",
    "settings.notify.failed": "failed: {error}",
    "settings.health.title": "Health",
    "settings.health.ok": "All well",
    "settings.health.bad": "Needs attention",
    "settings.health.mode": "Mode",
    "settings.health.version": "Version",
    "settings.health.database": "Database",
    "settings.health.dbOk": "reachable, {n} candle series",
    "settings.health.dbBad": "unreachable: {error}",
    "settings.health.bots": "Bots",
    "settings.health.noBots": "no bots",
    "settings.health.exchange": "Exchange",
    "settings.health.reachable": "Reachable",
    "settings.health.series": "Series",
    "settings.health.lastMessage": "Last message (UTC)",
    "settings.health.reconnects": "Reconnects",
    "settings.state.running": "running",
    "settings.state.paused": "paused",
    "settings.state.stopped": "stopped",
    "settings.state.failed": "halted",
    "settings.state.starting": "starting",
    "settings.yes": "yes",
    "settings.no": "no",
    "settings.audit.title": "Audit log",
    "settings.audit.limit": "Lines",
    "settings.audit.none": "Nothing audited yet.",
    "settings.incidents.title": "Incidents",
    "settings.incidents.none": "No incidents.",
    "settings.col.time": "Time (UTC)",
    "settings.col.action": "Action",
    "settings.col.target": "Target",
    "settings.col.surface": "Surface",
    "settings.col.actor": "Who",
    "settings.col.outcome": "Outcome",
    "settings.col.bot": "Bot",
    "settings.col.kind": "Kind",
    "settings.col.message": "Message",
    "settings.col.restart": "Restart in",
  },
  uk: {
    "settings.title": "Налаштування та журнали",
    "settings.confirm.title": "Підтвердження",
    "settings.confirm.require": "Нові входи кожного бота чекають, поки людина їх підтвердить",
    "settings.confirm.ttl": "Скільки секунд вхід чекає підтвердження, перш ніж його скасовано",
    "settings.confirm.ttlHint": "Від 10 до 86 400; діє для входів, відкладених відтепер.",
    "settings.save": "Зберегти",
    "settings.saved": "Налаштування збережено",
    "settings.notify.title": "Сповіщення",
    "settings.notify.explain":
      "Надсилає тестове повідомлення в кожен налаштований чат (Telegram, Discord).",
    "settings.notify.test": "Надіслати тестове повідомлення",
    "settings.notify.sent": "Тестове повідомлення: надіслано {sent}, не вдалося {failed}",
    "settings.notify.ok": "надіслано",
    "settings.notify.failed": "не вдалося: {error}",
    "settings.health.title": "Стан",
    "settings.health.ok": "Усе гаразд",
    "settings.health.bad": "Потребує уваги",
    "settings.health.mode": "Режим",
    "settings.health.version": "Версія",
    "settings.health.database": "База даних",
    "settings.health.dbOk": "доступна, рядів свічок: {n}",
    "settings.health.dbBad": "недоступна: {error}",
    "settings.health.bots": "Боти",
    "settings.health.noBots": "немає ботів",
    "settings.health.exchange": "Біржа",
    "settings.health.reachable": "Доступна",
    "settings.health.series": "Ряди",
    "settings.health.lastMessage": "Останнє повідомлення (UTC)",
    "settings.health.reconnects": "Перепідключення",
    "settings.state.running": "працюють",
    "settings.state.paused": "на паузі",
    "settings.state.stopped": "зупинені",
    "settings.state.failed": "аварійно зупинені",
    "settings.state.starting": "запускаються",
    "settings.yes": "так",
    "settings.no": "ні",
    "settings.audit.title": "Журнал дій",
    "settings.audit.limit": "Рядків",
    "settings.audit.none": "Ще нічого не записано.",
    "settings.incidents.title": "Інциденти",
    "settings.incidents.none": "Інцидентів немає.",
    "settings.col.time": "Час (UTC)",
    "settings.col.action": "Дія",
    "settings.col.target": "Об'єкт",
    "settings.col.surface": "Звідки",
    "settings.col.actor": "Хто",
    "settings.col.outcome": "Результат",
    "settings.col.bot": "Бот",
    "settings.col.kind": "Вид",
    "settings.col.message": "Повідомлення",
    "settings.col.restart": "Перезапуск через",
  },
});

/** @typedef {import("../app.js").Ctx} Ctx */

/** How often at most the records are read again while events keep coming. */
const REFRESH_MS = 1000;

/**
 * A table with a header row, wrapped so a phone scrolls it and not the page.
 * @param {Ctx} ctx
 * @param {string[]} cols text keys of the columns
 * @param {(Node | string)[][]} rows
 * @param {string} empty text key when there are no rows
 */
function table(ctx, cols, rows, empty) {
  if (!rows.length) return h("p", { class: "empty" }, ctx.t(empty));
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      null,
      h("thead", null, h("tr", null, cols.map((c) => h("th", { scope: "col" }, ctx.t(c))))),
      h("tbody", null, rows.map((r) => h("tr", null, r.map((c) => h("td", null, c))))),
    ),
  );
}

/**
 * The confirmation settings' form.
 * @param {Ctx} ctx
 * @param {() => void} onSaved after a change was saved (the service announces no event for it)
 */
function confirmForm(ctx, onSaved) {
  const { t } = ctx;
  const needs = /** @type {HTMLInputElement} */ (h("input", {
    type: "checkbox",
    name: "require_confirmation",
    id: "set-require",
  }));
  const ttl = /** @type {HTMLInputElement} */ (h("input", {
    type: "number",
    name: "confirmation_ttl_s",
    id: "set-ttl",
    min: 10,
    max: 86400,
    step: 1,
    required: true,
    "aria-describedby": "set-ttl-hint",
  }));
  /** @param {any} s */
  const fill = (s) => {
    needs.checked = Boolean(s.require_confirmation);
    ttl.value = String(s.confirmation_ttl_s);
    form.removeAttribute("aria-busy");
  };
  const form = h(
    "form",
    {
      class: "settings-form",
      "aria-busy": "true",
      onsubmit: async (/** @type {SubmitEvent} */ ev) => {
        ev.preventDefault();
        if (!/** @type {HTMLFormElement} */ (form).reportValidity()) return;
        const out = await ctx.act(
          () =>
            ctx.api.post("/api/settings", {
              require_confirmation: needs.checked,
              confirmation_ttl_s: Number(ttl.value),
            }, "PATCH"),
          t("settings.saved"),
        );
        if (!out) return;
        fill(out);
        onSaved();
      },
    },
    h("label", { class: "check", for: "set-require" }, needs, t("settings.confirm.require")),
    h("label", { for: "set-ttl" }, t("settings.confirm.ttl")),
    ttl,
    h("p", { class: "hint", id: "set-ttl-hint" }, t("settings.confirm.ttlHint")),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "primary" }, t("settings.save")),
    ),
  );
  return { form, fill };
}

/**
 * The notifications test: a button and what each chat answered.
 * @param {Ctx} ctx
 */
function notifyPanel(ctx) {
  const { t } = ctx;
  const results = h("ul", { class: "notify-results", "aria-live": "polite" });
  const button = h("button", {
    type: "button",
    onclick: async () => {
      button.toggleAttribute("disabled", true);
      /** @type {any} */
      const out = await ctx.act(() => ctx.api.post("/api/notifications/test", {}));
      button.toggleAttribute("disabled", false);
      if (!out) return;
      ctx.toast(t("settings.notify.sent", { sent: out.sent, failed: out.failed }));
      replace(
        results,
        out.chats.map((/** @type {any} */ c) =>
          h(
            "li",
            { class: c.ok ? "up" : "down" },
            `${c.platform} ${c.chat}: `,
            c.ok ? t("settings.notify.ok") : t("settings.notify.failed", { error: c.error ?? "?" }),
          )
        ),
      );
    },
  }, t("settings.notify.test"));
  return [h("p", { class: "hint" }, t("settings.notify.explain")), button, results];
}

/**
 * The health answer as a list and the exchanges' table.
 * @param {Ctx} ctx
 * @param {any} health
 */
function healthPanel(ctx, health) {
  const { t } = ctx;
  const yes = (/** @type {boolean} */ ok) =>
    h("span", { class: ok ? "up" : "down" }, t(ok ? "settings.yes" : "settings.no"));
  const db = health.database ?? {};
  const bots = Object.entries(health.bots ?? {});
  return [
    h(
      "p",
      { class: `health-state ${health.ok ? "up" : "down"}`, "data-testid": "health" },
      t(health.ok ? "settings.health.ok" : "settings.health.bad"),
    ),
    h(
      "dl",
      { class: "health-facts" },
      h(
        "div",
        null,
        h("dt", null, t("settings.health.mode")),
        h("dd", null, health.mode === "live" ? t("mode.live") : t("mode.paper")),
      ),
      h("div", null, h("dt", null, t("settings.health.version")), h("dd", null, health.version)),
      h(
        "div",
        null,
        h("dt", null, t("settings.health.database")),
        h(
          "dd",
          { class: db.ok ? "" : "down" },
          db.ok
            ? t("settings.health.dbOk", { n: db.series ?? 0 })
            : t("settings.health.dbBad", { error: db.error ?? "?" }),
        ),
      ),
      h(
        "div",
        null,
        h("dt", null, t("settings.health.bots")),
        h(
          "dd",
          null,
          bots.length
            ? bots.map(([state, n]) => `${t(`settings.state.${state}`)}: ${n}`).join(" · ")
            : t("settings.health.noBots"),
        ),
      ),
    ),
    table(
      ctx,
      [
        "settings.health.exchange",
        "settings.health.reachable",
        "settings.health.series",
        "settings.health.lastMessage",
        "settings.health.reconnects",
      ],
      (health.exchanges ?? []).map((/** @type {any} */ e) => [
        String(e.exchange),
        yes(Boolean(e.reachable)),
        String(e.series ?? "—"),
        utc(e.lastMessageAt, true).slice(11),
        String(e.reconnects ?? 0),
      ]),
      "settings.health.noBots",
    ),
  ];
}

/** @type {import("../app.js").View} */
export default {
  mount(ctx, root) {
    const { t } = ctx;
    const { form, fill } = confirmForm(ctx, () => loadAudit());
    const health = h("div", { class: "loading" }, t("loading"));
    const audit = h("div", { class: "loading" }, t("loading"));
    const incidents = h("div", { class: "loading" }, t("loading"));
    const limit = /** @type {HTMLSelectElement} */ (h(
      "select",
      { id: "audit-limit", onchange: () => loadAudit() },
      [50, 100, 500].map((n) => h("option", { value: n, selected: n === 100 }, String(n))),
    ));
    /** @param {string} id @param {string} title @param {...unknown} body */
    const section = (id, title, ...body) =>
      h(
        "section",
        { class: `card settings-${id}`, "aria-labelledby": `settings-${id}` },
        h("h2", { id: `settings-${id}` }, t(title)),
        ...(/** @type {Node[]} */ (body)),
      );
    replace(
      root,
      h("div", { class: "view-head" }, h("h1", null, t("settings.title"))),
      h(
        "div",
        { class: "settings-grid" },
        section("confirm", "settings.confirm.title", form),
        section("health", "settings.health.title", health),
        section("notify", "settings.notify.title", ...notifyPanel(ctx)),
      ),
      section(
        "audit",
        "settings.audit.title",
        h(
          "p",
          { class: "audit-limit" },
          h("label", { for: "audit-limit" }, t("settings.audit.limit")),
          limit,
        ),
        audit,
      ),
      section("incidents", "settings.incidents.title", incidents),
    );

    /** @param {HTMLElement} el @param {unknown} err */
    const failed = (el, err) =>
      replace(
        el,
        h(
          "p",
          { class: "error", role: "alert" },
          t("error.generic", { message: err instanceof Error ? err.message : String(err) }),
        ),
      );

    let gone = false;
    async function loadSettings() {
      try {
        const s = await ctx.api.get("/api/settings");
        if (!gone) fill(s);
      } catch (err) {
        const box = h("div");
        form.before(box);
        failed(box, err);
      }
    }
    async function loadHealth() {
      try {
        const body = await ctx.api.get("/api/status/health");
        if (gone) return;
        replace(health, healthPanel(ctx, body));
        health.className = "";
      } catch (err) {
        // 503 answers the same body: the database is down.
        const body = /** @type {any} */ (err)?.body;
        if (gone) return;
        if (body && typeof body === "object" && "database" in body) {
          replace(health, healthPanel(ctx, body));
          health.className = "";
        } else failed(health, err);
      }
    }
    async function loadAudit() {
      try {
        const body = await ctx.api.get("/api/audit", { limit: limit.value });
        if (gone) return;
        audit.className = "";
        replace(
          audit,
          table(
            ctx,
            [
              "settings.col.time",
              "settings.col.action",
              "settings.col.target",
              "settings.col.surface",
              "settings.col.actor",
              "settings.col.outcome",
            ],
            body.audit.map((/** @type {any} */ a) => [
              utc(a.occurred_at, true),
              String(a.action),
              a.target ?? "—",
              String(a.surface),
              String(a.actor),
              h("span", { class: a.outcome === "ok" ? "" : "down" }, String(a.outcome)),
            ]),
            "settings.audit.none",
          ),
        );
      } catch (err) {
        failed(audit, err);
      }
    }
    async function loadIncidents() {
      try {
        const body = await ctx.api.get("/api/incidents");
        if (gone) return;
        incidents.className = "";
        replace(
          incidents,
          table(
            ctx,
            [
              "settings.col.time",
              "settings.col.bot",
              "settings.col.kind",
              "settings.col.message",
              "settings.col.restart",
            ],
            body.incidents.map((/** @type {any} */ i) => [
              utc(i.occurred_at, true),
              i.bot_id ?? "—",
              String(i.kind),
              h("span", { class: "wrap" }, String(i.message)),
              i.restart_in_ms == null ? "—" : `${Math.round(i.restart_in_ms / 1000)} s`,
            ]),
            "settings.incidents.none",
          ),
        );
      } catch (err) {
        failed(incidents, err);
      }
    }

    // Events come in bursts: each kind of record is read again at most once a second.
    /** @type {Map<() => Promise<void>, ReturnType<typeof setTimeout>>} */
    const timers = new Map();
    /** @param {() => Promise<void>} load */
    const later = (load) => {
      if (timers.has(load)) return;
      timers.set(
        load,
        setTimeout(() => {
          timers.delete(load);
          load();
        }, REFRESH_MS),
      );
    };
    const off = ctx.live.on(["audit", "incident", "bot.status"], (e) => {
      if (e.type === "audit") {
        later(loadAudit);
        if (e.data?.action === "settings") later(loadSettings);
      } else if (e.type === "incident") {
        later(loadIncidents);
        later(loadHealth);
      } else later(loadHealth);
    });

    loadSettings();
    loadHealth();
    loadAudit();
    loadIncidents();
    return () => {
      gone = true;
      off();
      for (const id of timers.values()) clearTimeout(id);
    };
  },
};
