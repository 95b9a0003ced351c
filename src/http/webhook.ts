// POST /webhooks/tradingview[/:bot[/:secret]]: TradingView alerts, authenticated by a secret,
// bounded, journaled durably before the answer; and GET /api/alerts, what became of them.

import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { Commands } from "../commands/commands.ts";
import { NotFoundError } from "../commands/errors.ts";
import { alertEnvelope, parseAlert, type ParsedAlert } from "../service/alert_message.ts";
import { ALERT_STATES } from "../store/alert_store.ts";
import { bodySizeLimit, jsonDepth } from "./body_limits.ts";
import { clientAddress } from "./client_address.ts";
import type { RouteTable } from "./route_table.ts";

/** Environment variable holding the webhook secret every bot's alerts must carry (for now). */
export const WEBHOOK_SECRET_ENV = "TIDEWATCH_WEBHOOK_SECRET";
/** Environment variable listing the sender addresses allowed ("tradingview" or a comma list). */
export const WEBHOOK_ALLOW_ENV = "TIDEWATCH_WEBHOOK_ALLOW";
/** The addresses TradingView sends webhooks from (its documentation lists these four). */
export const TRADINGVIEW_ADDRESSES: readonly string[] = [
  "52.89.214.238",
  "34.212.75.30",
  "54.218.53.128",
  "52.32.178.7",
];
/** The paths that check a secret of their own: open without the API token on any bind. */
export const WEBHOOK_OPEN_PATHS: readonly string[] = [
  "/webhooks/tradingview",
  "/webhooks/tradingview/*",
];
/** Largest alert body in bytes (TradingView's messages are far smaller). */
export const MAX_ALERT_BYTES = 16 * 1024;

/** How the webhook authenticates and whom it hears. */
export interface WebhookOptions {
  /**
   * The secret a bot's alerts must carry, or undefined when none is configured (then the
   * webhook refuses them). The hook for per-bot secrets; `botId` is undefined when the alert
   * names no bot. Default: none.
   */
  secretFor?: (botId: string | undefined) => string | undefined;
  /** Sender addresses allowed [any]. */
  allow?: readonly string[];
}

/**
 * The webhook's options from the environment: `TIDEWATCH_WEBHOOK_SECRET` for every bot, and
 * `TIDEWATCH_WEBHOOK_ALLOW` ("tradingview" for its four addresses, or a comma list, or both).
 */
export function webhookOptionsFromEnv(env: Record<string, string | undefined>): WebhookOptions {
  const secret = env[WEBHOOK_SECRET_ENV]?.trim() || undefined;
  const allowText = env[WEBHOOK_ALLOW_ENV]?.trim();
  const allow = allowText
    ? allowText.split(",").map((s) => s.trim()).filter(Boolean).flatMap((s) =>
      s.toLowerCase() === "tradingview" ? TRADINGVIEW_ADDRESSES : [s]
    )
    : undefined;
  return { secretFor: () => secret, allow };
}

const BOT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** SHA-256 of `text`, hex. */
function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** SHA-256 of `text`, raw. */
function digest(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}

/**
 * Compares a secret with the SHA-256 digest of the expected one in constant time (digests, so
 * lengths do not show).
 */
function sameSecret(given: string, expected: Uint8Array): boolean {
  return timingSafeEqual(digest(given), expected);
}

/** True when a text field of `value` (nested objects included) holds `secret`. */
function holds(value: unknown, secret: string): boolean {
  if (typeof value === "string") return value.includes(secret);
  if (typeof value !== "object" || value === null) return false;
  return Object.values(value).some((v) => holds(v, secret));
}

/**
 * The parsed alert when processing may take it as it is, instead of reading the journaled body
 * again (it would read the same): only for a JSON message (no template: plain text is read
 * from a body masked in more ways), not when a field holds a secret (masked in the journaled
 * body) nor when the body is not well-formed text (repaired in the journaled body).
 */
function handOn(
  text: string,
  alert: ParsedAlert,
  o: { template: string | undefined; secrets: readonly (string | undefined)[] },
): ParsedAlert | undefined {
  if (o.template !== undefined || !text.isWellFormed()) return undefined;
  for (const s of o.secrets) {
    if (s !== undefined && s.length >= 4 && holds(alert, s)) return undefined;
  }
  return alert;
}

const alertQuery = z.object({
  bot: z.string().min(1).max(64).optional(),
  state: z.enum(ALERT_STATES as [string, ...string[]]).optional(),
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/**
 * Registers the TradingView webhook (three paths) and GET /api/alerts. The webhook takes no API
 * token (its paths are open: {@link WEBHOOK_OPEN_PATHS}); it answers 200 `{ ok, seq, duplicate }`
 * once the alert is journaled, else 401 (no secret), 403 (wrong secret, sender not allowed), 404
 * (unknown bot), 413, 422 (the field and what is wrong), 429 (the edge's rate limit) or 503 (no
 * secret configured; the journal cannot be written).
 */
export function webhookRoutes(
  app: Hono,
  routes: RouteTable,
  commands: Commands,
  options: WebhookOptions = {},
): void {
  app.use("/webhooks/*", bodySizeLimit(MAX_ALERT_BYTES));
  const secretFor = options.secretFor ?? (() => undefined);
  const allow = options.allow ? new Set(options.allow) : undefined;
  // The expected secrets' digests, each computed once (not once an alert).
  const digests = new Map<string, Uint8Array>();
  const expectedDigest = (secret: string) => {
    let d = digests.get(secret);
    if (d === undefined) digests.set(secret, d = digest(secret));
    return d;
  };

  const refuse = (c: Context, status: 401 | 403 | 404 | 422 | 503, error: string, field?: string) =>
    c.json({ ok: false, error, ...(field ? { field } : {}) }, status);

  const receive = async (c: Context) => {
    const started = performance.now();
    if (allow) {
      const from = clientAddress(c);
      if (from === undefined || !allow.has(from)) {
        return refuse(
          c,
          403,
          `Sender address ${from ?? "(unknown)"} is not allowed to send alerts ` +
            `(${WEBHOOK_ALLOW_ENV}).`,
        );
      }
    }
    const text = await c.req.text();
    const envelope = alertEnvelope(text);
    const pathBot = c.req.param("bot");
    const given = c.req.param("secret") ?? envelope.passphrase;
    if (!given) {
      return refuse(
        c,
        401,
        'No secret: put it in the message\'s "passphrase" field, or as the last segment of ' +
          "the URL (/webhooks/tradingview/<bot>/<secret>).",
      );
    }
    const botId = pathBot ?? envelope.bot;
    const target = botId !== undefined && BOT_ID.test(botId)
      ? commands.alertTarget(botId)
      : undefined;
    const global = secretFor(botId);
    const own = target?.secret;
    if (!own && !global) {
      if (botId !== undefined && !target) {
        return refuse(c, 404, "No bot named so; see GET /api/bots for the bots.");
      }
      return refuse(
        c,
        503,
        `Webhook alerts are off: no secret is configured; set ${WEBHOOK_SECRET_ENV} where the ` +
          "service runs, or webhook_secret in the bot's file.",
      );
    }
    const matched = (own?.matches(given) ?? false) ||
      (global !== undefined && sameSecret(given, expectedDigest(global)));
    if (!matched) return refuse(c, 403, "Wrong secret.");
    if (pathBot !== undefined && envelope.bot !== undefined && envelope.bot !== pathBot) {
      return refuse(
        c,
        422,
        `Alert field "bot": "${envelope.bot.slice(0, 64)}" differs from the URL's bot ` +
          `"${pathBot}".`,
        "bot",
      );
    }
    if (botId === undefined) {
      return refuse(
        c,
        422,
        'Alert field "bot": missing; name the bot in the message\'s "bot" field or the URL ' +
          "(/webhooks/tradingview/<bot>).",
        "bot",
      );
    }
    if (!target) {
      // Never echoed when it is not an id, or is the secret put in the wrong segment.
      const shown = BOT_ID.test(botId) && !sameSecret(botId, digest(given))
        ? `"${botId}"`
        : "named so";
      return refuse(c, 404, `No bot ${shown}; see GET /api/bots for the bots.`);
    }
    if (!target.takes_alerts) {
      return refuse(
        c,
        422,
        `Alert field "bot": bot "${botId}" takes no alerts; its file needs source: tradingview.`,
        "bot",
      );
    }
    if (jsonDepth(text, 32) > 32) {
      return refuse(
        c,
        422,
        "Alert body: the JSON message is nested deeper than 32 levels.",
        "body",
      );
    }
    const parsed = parseAlert(text, {
      contentType: c.req.header("content-type"),
      bot: { bot_id: botId, exchange: target.exchange, symbol: target.symbol },
      template: target.template,
      secrets: [given],
    });
    if (!parsed.ok) {
      const fields = parsed.problems.map((p) => p.field);
      return c.json({
        ok: false,
        error: `Alert ${parsed.problems.map((p) => `field "${p.field}": ${p.message}`).join("; ")}`,
        field: fields[0],
        fields,
        problems: parsed.problems,
      }, 422);
    }
    let body = parsed.redacted;
    if (given.length >= 4) body = body.replaceAll(given, "<secret>");
    const source = "tradingview";
    const alertId = parsed.alert.alert_id;
    const key = alertId !== undefined
      ? `id:${botId}:${alertId.slice(0, 128)}`
      : `body:${botId}:${source}:${sha256(body)}`;
    try {
      const r = await commands.receiveAlert({
        source,
        bot_id: botId,
        key,
        body,
        parsed: handOn(text, parsed.alert, {
          template: target.template,
          secrets: [given, parsed.passphrase],
        }),
      });
      // How long the service took, the journal's sync included (the bench reads it).
      c.header("Server-Timing", `alert;dur=${(performance.now() - started).toFixed(2)}`);
      return c.json({ ok: true, seq: r.seq, duplicate: r.duplicate });
    } catch (err) {
      if (err instanceof NotFoundError) return refuse(c, 404, err.message);
      console.error(JSON.stringify({
        level: "error",
        msg: "alert could not be journaled",
        bot: botId,
        error: String(err),
      }));
      return refuse(c, 503, "The alert could not be stored; retry it.");
    }
  };

  for (const path of WEBHOOK_PATHS) {
    routes.add({
      method: "post",
      path,
      write: false,
      summary: "A TradingView alert (JSON or plain text; secret in `passphrase` or the URL)",
      handler: receive,
    });
  }

  routes.add({
    method: "get",
    path: "/api/alerts",
    summary: "Received webhook alerts and their fate, newest first (filter: bot, state, from, to)",
    query: alertQuery,
    handler: async (_c, { query }) =>
      await commands.alerts({
        ...query,
        state: query.state as (typeof ALERT_STATES)[number] | undefined,
      }),
  });
}

const WEBHOOK_PATHS = [
  "/webhooks/tradingview",
  "/webhooks/tradingview/:bot",
  "/webhooks/tradingview/:bot/:secret",
];
