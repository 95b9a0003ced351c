// The status page's HTML: the shell every view lives in (header, navigation, dialogs, the boot
// data the client starts from) and the login page, rendered on the server with Hono JSX.

import type { Child } from "hono/jsx";
import { type Lang, texts } from "./client/i18n.js";

/** What the client starts from, embedded as JSON in the shell (never a secret but the CSRF). */
export interface Boot {
  /** The session's CSRF token; null when not logged in. */
  csrf: string | null;
  loggedIn: boolean;
  /** True when reads need no login (loopback bind). */
  openReads: boolean;
  mode: "paper" | "live";
  version: string;
  lang: Lang;
}

/** Theme chosen on the page ("system" follows the browser). */
export type Theme = "light" | "dark" | "system";

interface HeadProps {
  title: string;
  css: string;
  icon: string;
  theme: Theme;
  lang: Lang;
  children?: Child;
}

function Document(p: HeadProps) {
  return (
    <html lang={p.lang} data-theme={p.theme === "system" ? undefined : p.theme}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="theme-color" content="#0f172a" />
        <title>{p.title}</title>
        <link rel="icon" href={p.icon} type="image/svg+xml" />
        <link rel="manifest" href="/manifest.webmanifest" />
        <link rel="stylesheet" href={p.css} />
      </head>
      {p.children}
    </html>
  );
}

/** Props of {@link Shell}. */
export interface ShellProps {
  boot: Boot;
  theme: Theme;
  css: string;
  icon: string;
  app: string;
  /** Modules the first view needs, fetched beside app.js rather than after it. */
  preload: readonly string[];
}

/** The page every view is drawn into. */
export function Shell({ boot, theme, css, icon, app, preload }: ShellProps) {
  const t = texts(boot.lang);
  return (
    <Document title="Tidewatch" css={css} icon={icon} theme={theme} lang={boot.lang}>
      <body>
        <a class="skip" href="#view">{t("skip")}</a>
        <header class="top">
          <a class="brand" href="#/bots" aria-label="Tidewatch">
            <img src={icon} alt="" width="24" height="24" />
            <span>Tidewatch</span>
          </a>
          <span class={`mode mode-${boot.mode}`} data-testid="mode">
            {boot.mode === "live" ? t("mode.live") : t("mode.paper")}
          </span>
          <nav aria-label={t("nav.label")}>
            <a href="#/bots" data-nav="bots">{t("nav.bots")}</a>
            <a href="#/backtests" data-nav="backtests">{t("nav.backtests")}</a>
            <a href="#/scanner" data-nav="scanner">{t("nav.scanner")}</a>
            <a href="#/settings" data-nav="settings">{t("nav.settings")}</a>
          </nav>
          <div class="tools">
            <button type="button" id="theme-toggle" aria-label={t("theme.toggle")}>◐</button>
            <label class="lang">
              <span class="sr">{t("lang.label")}</span>
              <select id="lang-select">
                <option value="en" selected={boot.lang === "en"}>EN</option>
                <option value="uk" selected={boot.lang === "uk"}>UK</option>
              </select>
            </label>
            <button type="button" id="login-button" hidden={boot.loggedIn}>{t("login")}</button>
            <form method="post" action="/logout" id="logout-form" hidden={!boot.loggedIn}>
              <input type="hidden" name="csrf" value={boot.csrf ?? ""} />
              <button type="submit">{t("logout")}</button>
            </form>
          </div>
        </header>
        <div id="live-state" class="live-state" role="status" aria-live="polite"></div>
        <main id="view" tabindex={-1}>
          <p class="loading">{t("loading")}</p>
        </main>
        <div id="toasts" class="toasts" role="status" aria-live="polite"></div>
        <dialog id="login-dialog" aria-labelledby="login-title">
          <LoginForm lang={boot.lang} id="login-title" />
        </dialog>
        <script
          type="application/json"
          id="boot"
          dangerouslySetInnerHTML={{ __html: JSON.stringify(boot).replaceAll("<", "\\u003c") }}
        />
        {preload.map((href) => <link key={href} rel="modulepreload" href={href} />)}
        <script type="module" src={app}></script>
        <noscript>{t("noscript")}</noscript>
      </body>
    </Document>
  );
}

/** The log-in form: the API token, posted to /login. */
export function LoginForm({ lang, id, error }: { lang: Lang; id: string; error?: string }) {
  const t = texts(lang);
  return (
    <form method="post" action="/login" class="login">
      <h2 id={id}>{t("login.title")}</h2>
      <p>{t("login.explain")}</p>
      {error ? <p class="error" role="alert">{error}</p> : null}
      <label>
        {t("login.token")}
        <input
          type="password"
          name="token"
          autocomplete="off"
          required
          autofocus
        />
      </label>
      <div class="actions">
        <button type="submit" class="primary">{t("login")}</button>
      </div>
    </form>
  );
}

/** The stand-alone login page (off loopback, where nothing shows before login). */
export function LoginPage(
  p: { lang: Lang; theme: Theme; css: string; icon: string; error?: string; status?: string },
) {
  return (
    <Document title="Tidewatch — log in" css={p.css} icon={p.icon} theme={p.theme} lang={p.lang}>
      <body class="login-page">
        <main>
          <LoginForm lang={p.lang} id="login-title" error={p.error} />
        </main>
      </body>
    </Document>
  );
}
