// The status page's routes: the shell at `/`, log in and out, the web-app manifest and the
// static files. Data comes from the API (`/api/...`) and the event stream, as for any client.

import type { Context, Hono } from "hono";
import { z } from "zod";
import type { Exposure } from "../exposure.ts";
import {
  clearedSessionCookie,
  cookieValue,
  CSRF_HEADER,
  sameOrigin,
  sessionCookie,
  type Sessions,
} from "../session.ts";
import { tokensEqual } from "../auth.ts";
import { clientAddress } from "../client_address.ts";
import { log } from "../../service/log.ts";
import type { Assets } from "./assets.ts";
import { pickLang, texts } from "./client/i18n.js";
import { type Boot, LoginPage, Shell, type Theme } from "./shell.tsx";

/** What the page needs. */
export interface PageOptions {
  assets: Assets;
  sessions: Sessions;
  exposure: Exposure;
  mode: "paper" | "live";
  version: string;
}

/**
 * The modules app.js imports and the first view, by the addresses their imports resolve to
 * (relative imports carry no hash, and one module must have one address).
 */
const PRELOAD = [
  "i18n.js",
  "api.js",
  "dom.js",
  "live.js",
  "bot_list.js",
  "pending.js",
  "views/bots.js",
].map((n) => `/assets/${n}`);

/** Headers of every page: no framing, no inline script, no caching of the CSRF token. */
const PAGE_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'self'; script-src 'self'; " +
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; " +
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
    "frame-ancestors 'none'; manifest-src 'self'",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

const loginBody = z.object({ token: z.string().min(1).max(4096) });

function themeOf(c: Context): Theme {
  const v = cookieValue(c.req.header("cookie"), "tw_theme");
  return v === "dark" || v === "light" ? v : "system";
}

function langOf(c: Context) {
  return pickLang(cookieValue(c.req.header("cookie"), "tw_lang"), c.req.header("accept-language"));
}

function secure(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:";
}

/** The web-app manifest: installable, with the page's icons. */
function manifest(assets: Assets) {
  return {
    name: "Tidewatch",
    short_name: "Tidewatch",
    description: "Watch and steer your Tidewatch trading bots",
    start_url: "/",
    scope: "/",
    display: "standalone",
    background_color: "#0f172a",
    theme_color: "#0f172a",
    icons: [
      { src: assets.url("icon.svg"), sizes: "any", type: "image/svg+xml" },
      { src: assets.url("icon-192.png"), sizes: "192x192", type: "image/png" },
      { src: assets.url("icon-512.png"), sizes: "512x512", type: "image/png" },
      {
        src: assets.url("icon-512.png"),
        sizes: "512x512",
        type: "image/png",
        purpose: "maskable",
      },
    ],
  };
}

/**
 * Registers the page's routes on `app`. On a loopback bind the page shows everything without
 * login and asks for it before a control; on any other bind `/` sends a browser without a
 * session to the login page.
 */
export function pageRoutes(app: Hono, o: PageOptions): void {
  const { assets, sessions, exposure } = o;
  const css = assets.url("page.css");
  const icon = assets.url("icon.svg");
  const manifestText = JSON.stringify(manifest(assets));

  const page = (c: Context, body: string, status = 200) => {
    for (const [k, v] of Object.entries(PAGE_HEADERS)) c.header(k, v);
    return c.html(`<!DOCTYPE html>${body}`, status as 200);
  };

  const loginPage = (c: Context, status = 200, error?: string) =>
    page(
      c,
      (<LoginPage lang={langOf(c)} theme={themeOf(c)} css={css} icon={icon} error={error} />)
        .toString(),
      status,
    );

  app.get("/", (c) => {
    const session = sessions.of(c);
    if (!session && !exposure.loopback) return c.redirect("/login", 303);
    const boot: Boot = {
      csrf: session?.csrf ?? null,
      loggedIn: session !== undefined,
      openReads: exposure.loopback,
      mode: o.mode,
      version: o.version,
      lang: langOf(c),
    };
    return page(
      c,
      (
        <Shell
          boot={boot}
          theme={themeOf(c)}
          css={css}
          icon={icon}
          app={assets.url("app.js")}
          preload={PRELOAD}
        />
      ).toString(),
    );
  });

  app.get("/login", (c) => sessions.of(c) ? c.redirect("/", 303) : loginPage(c));

  app.post("/login", async (c) => {
    const json = (c.req.header("content-type") ?? "").includes("application/json");
    const t = texts(langOf(c));
    if (!sameOrigin(c)) {
      return json
        ? c.json({ error: "Log in from the page this service serves." }, 403)
        : loginPage(c, 403, "Log in from the page this service serves.");
    }
    const raw = json ? await c.req.json().catch(() => ({})) : await c.req.parseBody();
    const parsed = loginBody.safeParse(raw);
    if (!parsed.success) {
      const error = "Send the API token in the field token.";
      return json ? c.json({ error, fields: ["token"] }, 422) : loginPage(c, 422, error);
    }
    const session = await sessions.login(parsed.data.token);
    // Who logged in from where, or tried with a wrong token (never what was typed).
    const from = clientAddress(c) ?? "unknown";
    if (session) log("info", "status page login", { from });
    else log("warn", "status page login refused: not the API token", { from });
    if (!session) {
      return json ? c.json({ error: t("login.wrong") }, 401) : loginPage(c, 401, t("login.wrong"));
    }
    c.header("set-cookie", sessionCookie(session, sessions.ttlMs, secure(c)));
    c.header("cache-control", "no-store");
    return json ? c.json({ ok: true, csrf: session.csrf }) : c.redirect("/", 303);
  });

  app.post("/logout", async (c) => {
    const session = sessions.of(c);
    if (session) {
      const form = (c.req.header("content-type") ?? "").includes("form")
        ? await c.req.parseBody()
        : {};
      const sent = c.req.header(CSRF_HEADER) ?? String(form.csrf ?? "");
      if (!sameOrigin(c) || !(await tokensEqual(sent, session.csrf))) {
        return c.json({ error: "Missing or wrong CSRF token: reload the page." }, 403);
      }
      sessions.logout(session.id);
    }
    c.header("set-cookie", clearedSessionCookie());
    return c.redirect("/", 303);
  });

  app.get("/manifest.webmanifest", () =>
    new Response(manifestText, {
      headers: { "content-type": "application/manifest+json", "cache-control": "no-cache" },
    }));

  app.get("/assets/*", (c) => {
    const res = assets.serve(c.req.raw, c.req.path.slice("/assets/".length));
    return res ?? c.json({ error: `No page file ${c.req.path}.` }, 404);
  });
}
