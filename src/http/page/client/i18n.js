// The page's words in English and Ukrainian: the shell's here, each view adds its own with
// addTexts. Used by the server (the shell) and the browser (every view).

/** @typedef {"en" | "uk"} Lang */

/** The languages the page speaks. */
export const LANGS = /** @type {const} */ (["en", "uk"]);

/** @type {Record<Lang, Record<string, string>>} */
const DICT = {
  en: {
    "skip": "Skip to content",
    "mode.paper": "PAPER",
    "mode.live": "LIVE — real money",
    "nav.label": "Views",
    "nav.bots": "Bots",
    "nav.backtests": "Backtests",
    "nav.scanner": "Scanner",
    "nav.settings": "Settings",
    "theme.toggle": "Switch between dark and light theme",
    "lang.label": "Language",
    "login": "Log in",
    "logout": "Log out",
    "login.title": "Log in to Tidewatch",
    "login.explain":
      "Paste the API token (the service's start-up log says where it is kept). The page then keeps a session cookie; the token is not stored in the browser.",
    "login.token": "API token",
    "login.wrong": "That token is not the API token.",
    "login.needed": "Log in to do this.",
    "loading": "Loading…",
    "noscript": "The status page needs JavaScript.",
    "live.connected": "Live",
    "live.reconnecting": "Reconnecting…",
    "error.generic": "Something went wrong: {message}",
    "cancel": "Cancel",
    "close": "Close",
  },
  uk: {
    "skip": "Перейти до вмісту",
    "mode.paper": "ПАПЕРОВА",
    "mode.live": "LIVE — реальні гроші",
    "nav.label": "Розділи",
    "nav.bots": "Боти",
    "nav.backtests": "Бектести",
    "nav.scanner": "Сканер",
    "nav.settings": "Налаштування",
    "theme.toggle": "Перемкнути темну або світлу тему",
    "lang.label": "Мова",
    "login": "Увійти",
    "logout": "Вийти",
    "login.title": "Вхід до Tidewatch",
    "login.explain":
      "Вставте API-токен (журнал запуску сервісу каже, де він зберігається). Сторінка тримає cookie сесії; токен у браузері не зберігається.",
    "login.token": "API-токен",
    "login.wrong": "Це не API-токен.",
    "login.needed": "Увійдіть, щоб зробити це.",
    "loading": "Завантаження…",
    "noscript": "Сторінці стану потрібен JavaScript.",
    "live.connected": "Наживо",
    "live.reconnecting": "Перепідключення…",
    "error.generic": "Щось пішло не так: {message}",
    "cancel": "Скасувати",
    "close": "Закрити",
  },
};

/**
 * Adds a view's words (keys it owns, prefixed with the view's name).
 * @param {Record<Lang, Record<string, string>>} more
 */
export function addTexts(more) {
  for (const lang of LANGS) Object.assign(DICT[lang], more[lang]);
}

/**
 * The language named by a cookie or an Accept-Language header: Ukrainian when asked, else English.
 * @param {string | undefined} chosen the `tw_lang` cookie
 * @param {string | undefined} accept the Accept-Language header
 * @returns {Lang}
 */
export function pickLang(chosen, accept) {
  if (chosen === "en" || chosen === "uk") return chosen;
  return /^\s*uk\b/i.test(accept ?? "") ? "uk" : "en";
}

/**
 * A translator for `lang`: `t("key", { n: 3 })` fills `{n}`; an unknown key shows itself (so a
 * missing word is visible, never blank), English when Ukrainian lacks it.
 * @param {Lang} lang
 * @returns {(key: string, vars?: Record<string, string | number>) => string}
 */
export function texts(lang) {
  return (key, vars) => {
    const s = DICT[lang][key] ?? DICT.en[key] ?? key;
    return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : s;
  };
}

/**
 * Keys present in one language and missing in another (tests keep both complete).
 * @returns {string[]}
 */
export function missingTexts() {
  const en = Object.keys(DICT.en), uk = Object.keys(DICT.uk);
  return [
    ...en.filter((k) => !(k in DICT.uk)).map((k) => `uk: ${k}`),
    ...uk.filter((k) => !(k in DICT.en)).map((k) => `en: ${k}`),
  ];
}
