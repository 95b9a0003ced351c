// The status page's client: starts from the boot data, keeps one live event stream, draws the
// view the address names (#/bots, #/bot/ID, #/backtests, #/backtests/ID, #/scanner, #/settings)
// and owns what every view shares: the login, the theme, the language and the messages.

import { Api, ApiError } from "./api.js";
import { h, replace } from "./dom.js";
import { texts } from "./i18n.js";
import { Live } from "./live.js";
import { BotList } from "./bot_list.js";

/**
 * @typedef {object} Boot
 * @property {string | null} csrf
 * @property {boolean} loggedIn
 * @property {boolean} openReads
 * @property {"paper" | "live"} mode
 * @property {string} version
 * @property {"en" | "uk"} lang
 */

/**
 * What every view gets.
 * @typedef {object} Ctx
 * @property {Boot} boot
 * @property {(key: string, vars?: Record<string, string | number>) => string} t
 * @property {Api} api
 * @property {Live} live
 * @property {BotList} bots
 * @property {(hash: string) => void} navigate
 * @property {(message: string, kind?: "ok" | "error") => void} toast
 * @property {() => Promise<boolean>} requireLogin resolves true once logged in
 * @property {(fn: () => Promise<unknown>, done?: string) => Promise<unknown>} act runs a write
 *   (after the login when needed), shows its error or `done`
 */

/**
 * A view module's default export.
 * @typedef {object} View
 * @property {(ctx: Ctx, root: HTMLElement, params: string[]) => (void | (() => void))} mount
 *   draws the view into `root`; returns its cleanup (unsubscribe, timers)
 */

const bootEl = /** @type {HTMLElement} */ (document.getElementById("boot"));
/** @type {Boot} */
const boot = JSON.parse(bootEl.textContent ?? "{}");
const t = texts(boot.lang);
const api = new Api(boot.csrf);
const root = /** @type {HTMLElement} */ (document.getElementById("view"));
const liveState = /** @type {HTMLElement} */ (document.getElementById("live-state"));
const toasts = /** @type {HTMLElement} */ (document.getElementById("toasts"));

/** @type {Record<string, () => Promise<{ default: View }>>} */
const VIEWS = {
  bots: () => import("./views/bots.js"),
  bot: () => import("./views/bot.js"),
  backtests: () => import("./views/backtests.js"),
  scanner: () => import("./views/scanner.js"),
  settings: () => import("./views/settings.js"),
};

const live = new Live((connected) => {
  liveState.textContent = connected ? "" : t("live.reconnecting");
  liveState.className = connected ? "live-state" : "live-state warn";
  if (connected) bots.refresh();
});
const bots = new BotList(api, live);

/** @type {Ctx["toast"]} */
function toast(message, kind = "ok") {
  const el = h(
    "div",
    { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" },
    message,
  );
  toasts.append(el);
  setTimeout(() => el.remove(), kind === "error" ? 8000 : 4000);
}

/** @type {((ok: boolean) => void)[]} */
let loginWaiters = [];

/** Opens the login dialog; resolves true once logged in, false when cancelled. */
function requireLogin() {
  if (boot.loggedIn) return Promise.resolve(true);
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById("login-dialog"));
  if (!dialog.open) dialog.showModal();
  return new Promise((resolve) => loginWaiters.push(resolve));
}

function settleLogin(/** @type {boolean} */ ok) {
  const waiters = loginWaiters;
  loginWaiters = [];
  for (const w of waiters) w(ok);
}

function wireLogin() {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById("login-dialog"));
  const form = /** @type {HTMLFormElement} */ (dialog.querySelector("form"));
  const cancel = h("button", { type: "button", onclick: () => dialog.close() }, t("cancel"));
  form.querySelector(".actions")?.prepend(cancel);
  dialog.addEventListener("close", () => settleLogin(boot.loggedIn));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = /** @type {HTMLInputElement} */ (form.querySelector("input[name=token]"));
    form.querySelector(".error")?.remove();
    try {
      const res = await fetch("/login", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ token: input.value }),
        credentials: "same-origin",
      });
      const body = await res.json();
      input.value = "";
      if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
      boot.loggedIn = true;
      boot.csrf = body.csrf;
      api.csrf = body.csrf;
      loggedIn();
      dialog.close();
    } catch (err) {
      input.value = "";
      form.querySelector("h2")?.after(
        h("p", { class: "error", role: "alert" }, err instanceof Error ? err.message : String(err)),
      );
    }
  });
  document.getElementById("login-button")?.addEventListener("click", () => requireLogin());
}

/** Shows the logged-in controls (logout with the new CSRF token). */
function loggedIn() {
  const button = document.getElementById("login-button");
  const logout = /** @type {HTMLFormElement} */ (document.getElementById("logout-form"));
  if (button) button.hidden = true;
  logout.hidden = false;
  const csrf = /** @type {HTMLInputElement} */ (logout.querySelector("input[name=csrf]"));
  csrf.value = boot.csrf ?? "";
}

/** @type {Ctx["act"]} */
async function act(fn, done) {
  if (!(await requireLogin())) return undefined;
  try {
    const out = await fn();
    if (done) toast(done);
    return out;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      boot.loggedIn = false;
      toast(t("login.needed"), "error");
    } else {toast(
        t("error.generic", { message: err instanceof Error ? err.message : String(err) }),
        "error",
      );}
    return undefined;
  }
}

/** @type {Ctx} */
const ctx = {
  boot,
  t,
  api,
  live,
  bots,
  navigate: (hash) => {
    location.hash = hash;
  },
  toast,
  requireLogin,
  act,
};

/** @type {(() => void) | void} */
let cleanup;
let drawn = 0;

async function route() {
  const [name = "bots", ...params] = location.hash.replace(/^#\/?/, "").split("/").map(
    decodeURIComponent,
  );
  const key = name in VIEWS ? name : "bots";
  const n = ++drawn;
  for (const a of document.querySelectorAll("nav a")) {
    const on = /** @type {HTMLElement} */ (a).dataset.nav === (key === "bot" ? "bots" : key);
    if (on) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  try {
    const view = (await VIEWS[key]()).default;
    if (n !== drawn) return;
    if (typeof cleanup === "function") cleanup();
    replace(root);
    root.dataset.view = key;
    cleanup = view.mount(ctx, root, params);
  } catch (err) {
    replace(
      root,
      h("p", { class: "error", role: "alert" }, t("error.generic", { message: String(err) })),
    );
  }
}

function wireTheme() {
  const button = /** @type {HTMLElement} */ (document.getElementById("theme-toggle"));
  button.addEventListener("click", () => {
    const html = document.documentElement;
    const now = html.dataset.theme ??
      (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
    const next = now === "dark" ? "light" : "dark";
    html.dataset.theme = next;
    document.cookie = `tw_theme=${next}; Path=/; Max-Age=31536000; SameSite=Strict`;
  });
}

function wireLang() {
  const select = /** @type {HTMLSelectElement} */ (document.getElementById("lang-select"));
  select.addEventListener("change", () => {
    document.cookie = `tw_lang=${select.value}; Path=/; Max-Age=31536000; SameSite=Strict`;
    location.reload();
  });
}

wireLogin();
wireTheme();
wireLang();
addEventListener("hashchange", route);
import("./pending.js").then((m) => m.watchPending(ctx)).catch((err) => toast(String(err), "error"));
route();
