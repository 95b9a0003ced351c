// The Tidewatch service entry point: loads the bots, assembles service, commands and API, serves.

import type { Hono } from "hono";
import { assemble } from "./assemble.ts";
import { chatConfig } from "./bots/chat_config.ts";
import { ConfigError } from "./core/errors.ts";
import { optional, parseFlags, runMain } from "./cli/args.ts";
import { requireBearer } from "./http/auth.ts";
import { ALLOWED_HOSTS_ENV, Exposure, parseAllowedHosts } from "./http/exposure.ts";
import { WEBHOOK_OPEN_PATHS, webhookOptionsFromEnv } from "./http/webhook.ts";
import { checkPortFree } from "./http/port_check.ts";
import { resolveApiToken } from "./service/api_token.ts";
import { configsFolderProblem } from "./service/bot_config.ts";
import { botEntries } from "./service/bot_entries.ts";
import { marketFeedFor } from "./service/feed_factory.ts";
import { LiveAccounts } from "./service/live_accounts.ts";
import { Db } from "./store/db.ts";
import { dataDir, dbPath } from "./store/paths.ts";
import { configureLog, defaultLogFormat, log, type LogFormat } from "./service/log.ts";
import { FeedNotices } from "./service/feed_notices.ts";
import { exchangeInfo } from "./exchange/exchanges.ts";

/** Tidewatch's version. */
export const VERSION = "0.2.0";

const USAGE = `deno task start [--port N] [--host H] [--db FILE] [--configs DIR] ` +
  `[--replay [--speed 60]] [--log-format text|json] [--trust-proxy]`;

async function main(): Promise<number> {
  const f = parseFlags(Deno.args, {
    port: { type: "string" },
    host: { type: "string" },
    db: { type: "string" },
    configs: { type: "string" },
    replay: { type: "boolean" },
    speed: { type: "string" },
    "log-format": { type: "string" },
    "trust-proxy": { type: "boolean" },
    help: { type: "boolean" },
  }, "deno task start");
  if (f.help) {
    console.log(`${USAGE}

Runs the bots defined in configs/bots/ (paper mode unless TRADING_MODE=live and
TRADING_APPROVED=true with keys) and serves the API on 127.0.0.1:8080 (TIDEWATCH_PORT).
--replay feeds stored or synthetic candles at --speed times real time (offline demo).
--log-format: short readable lines (text, the default on a terminal) or JSON lines (json, the
default when the output is a pipe or a file).
--trust-proxy: client addresses (rate limits, allow-lists) come from X-Forwarded-For, its
right-most non-loopback entry; only behind a proxy that sets it (README, "Behind a proxy").`);
    return 0;
  }
  const formatText = optional(f, "log-format");
  if (formatText !== undefined && formatText !== "text" && formatText !== "json") {
    throw new ConfigError(`--log-format "${formatText}" is unknown: use text or json.`);
  }
  configureLog({ format: (formatText as LogFormat | undefined) ?? defaultLogFormat() });
  const portText = optional(f, "port") ?? Deno.env.get("TIDEWATCH_PORT") ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(
      `Port "${portText}" (--port or TIDEWATCH_PORT) must be a whole number 0..65535.`,
    );
  }
  const speedText = optional(f, "speed");
  if (speedText !== undefined && !f.replay) {
    throw new ConfigError("--speed only applies with --replay.");
  }
  const speed = Number(speedText ?? "60");
  if (!(speed > 0 && speed <= 1_000_000)) {
    throw new ConfigError(
      `--speed "${speedText}" must be a number above 0 (60: a minute a second).`,
    );
  }
  const hostname = optional(f, "host") ?? "127.0.0.1";
  // Before anything is created (the database, the token file): a taken port fails here.
  await checkPortFree(hostname, port);
  const webhook = webhookOptionsFromEnv(Deno.env.toObject());
  const configsDir = optional(f, "configs") ?? "configs/bots";
  const noBots = await configsFolderProblem(configsDir);
  if (noBots && optional(f, "configs") !== undefined) {
    throw new ConfigError(`${noBots}: give --configs a folder of bot files.`);
  }
  if (noBots) {
    log("warn", `${noBots}: the service starts with no bots.`, { configs: configsDir });
  }
  const entries = await botEntries(configsDir, Deno.env.toObject());
  const exposure = new Exposure({
    bind: hostname,
    allowedHosts: parseAllowedHosts(Deno.env.get(ALLOWED_HOSTS_ENV)),
    // The webhook checks a secret of its own: open off loopback only once one is configured
    // (TIDEWATCH_WEBHOOK_SECRET, or a bot's webhook_secret).
    openPaths: webhook.secretFor?.(undefined) || entries.some((e) => e.spec.alerts?.secret)
      ? WEBHOOK_OPEN_PATHS
      : [],
  });
  const token = await resolveApiToken({ env: Deno.env.toObject(), dataDir: dataDir() });
  if (token.warning) log("warn", token.warning);
  const tokenWhere = token.source === "env"
    ? "the TIDEWATCH_API_TOKEN environment variable"
    : `the file ${token.path}`;
  const liveIds = entries.filter((e) => e.spec.mode === "live").map((e) => e.spec.botId);
  if (f.replay && liveIds.length) {
    throw new ConfigError(
      `--replay feeds stored or synthetic candles, and real orders must never follow them: ` +
        `bot${liveIds.length > 1 ? "s" : ""} ${liveIds.map((id) => `"${id}"`).join(", ")} ` +
        `${liveIds.length > 1 ? "are" : "is"} live. Replay with paper bots only.`,
    );
  }
  // Chat settings are checked before the database is touched: a wrong one fails here.
  const chat = chatConfig(Deno.env.toObject());
  const db = await Db.open(dbPath(optional(f, "db")));
  const liveBots = liveIds;
  const live = liveBots.length ? await LiveAccounts.open(db) : undefined;
  // The chat exists once the service is assembled; the feed's notices reach it from then on.
  const later: { chat?: { exchangeChanged(exchange: string, reachable: boolean): void } } = {};
  const notices = new FeedNotices({
    botsOn: (exchange) =>
      entries.filter((e) => exchangeInfo(e.spec.exchange).ccxtId === exchange).length,
    onChange: (exchange, reachable) => later.chat?.exchangeChanged(exchange, reachable),
  });
  const service = await assemble({
    db,
    entries,
    auth: requireBearer(token.token),
    apiToken: token.token,
    version: VERSION,
    limits: { trustProxy: f["trust-proxy"] === true },
    exposure,
    webhook,
    replay: f.replay ? { speed } : undefined,
    liveFeed: (candles) => marketFeedFor(candles, notices),
    live,
    chat: { config: chat },
  });
  later.chat = service.chat;
  const platforms = [chat.telegram && "Telegram", chat.discord && "Discord"].filter(Boolean);
  const chatState = platforms.length
    ? platforms.join(" and ")
    : "off (set TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN)";
  const stopWatching = f.replay ? () => {} : notices.watch(service.feed);
  const ac = new AbortController();
  // Listening before the server says it listens: a stop right after that line is a clean stop.
  const stop = () => ac.abort();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const server = Deno.serve({
    port,
    hostname,
    signal: ac.signal,
    onListen: ({ hostname, port }) => {
      const url = `http://${hostname}:${port}`;
      const mode = liveBots.length ? "live" : "paper";
      const n = entries.length;
      log("info", "tidewatch listening", {
        url,
        mode,
        ...(liveBots.length ? { live_bots: liveBots } : {}),
        replay: f.replay ? { speed } : false,
        db: db.path,
        bots: entries.map((e) => e.spec.botId),
        chat: chatState,
        api_token: token.created
          ? `created in ${tokenWhere} (send it as Authorization: Bearer <token>)`
          : `from ${tokenWhere}`,
      }, {
        text: `Tidewatch ${VERSION} on ${url}: ${n} ${mode} bot${n === 1 ? "" : "s"}` +
          `${f.replay ? `, replaying at ${speed}x` : ""}; database ${db.path}; API token ` +
          `${token.created ? "created in" : "from"} ${tokenWhere}; chat ${chatState}`,
      });
      logExposure(exposure, service.app);
      const login = exposure.loopback
        ? "shows every bot without login; its controls ask for the API token once"
        : "asks for the API token before showing anything (not bound to loopback)";
      log("info", "status page", { page: `${url}/`, login }, {
        text: `Status page on ${url}/: it ${login}`,
      });
    },
  }, service.app.fetch);
  await server.finished;
  stopWatching();
  await service.close();
  await live?.close();
  await db.close();
  log("info", "tidewatch stopped", {}, { text: "Tidewatch stopped" });
  return 0;
}

/**
 * Says at start which routes anyone reaching the port can use without the token: a warning
 * listing them (every read on loopback; the exempt paths on any bind), or that every route
 * needs the token.
 */
function logExposure(exposure: Exposure, app: Hono): void {
  const open = exposure.openRoutes(app);
  const where = exposure.loopback
    ? `on loopback (${exposure.bind}) reads need no token`
    : `bound to ${exposure.bind}, not loopback: every route needs the API token`;
  if (open.length === 0) {
    log("info", `${where}; no route is reachable without it`, {
      bind: exposure.bind,
      open_routes: [],
    });
    return;
  }
  log(
    "warn",
    `${where}; ${open.length} route${open.length === 1 ? " is" : "s are"} reachable without ` +
      "a token (open_routes)",
    { bind: exposure.bind, open_routes: open },
    {
      text: `${where}; reachable without a token by anyone who reaches the port: ` +
        `${open.length} route${open.length === 1 ? "" : "s"} (${open.join(", ")})`,
    },
  );
}

if (import.meta.main) runMain(main);
