// Assembles Tidewatch: the service, the command core on it, and the HTTP app on the commands.

import type { Hono, MiddlewareHandler } from "hono";
import { ChatService, type ChatServiceOptions } from "./bots/chat_service.ts";
import { Commands } from "./commands/commands.ts";
import { createApp } from "./http/app.ts";
import type { LimitOptions } from "./http/limits.ts";
import type { Exposure } from "./http/exposure.ts";
import type { WebhookOptions } from "./http/webhook.ts";
import { Assets } from "./http/page/assets.ts";
import { Sessions } from "./http/session.ts";
import { type Service, type ServiceOptions, startService } from "./service/service.ts";

/** Options for {@link assemble}: the service's, and what the HTTP app needs. */
export interface AssembleOptions extends ServiceOptions {
  /** Guards the API's writes. */
  auth: MiddlewareHandler;
  /**
   * The API token `auth` checks: with it the status page is served at `/` and logs in with it
   * [absent: no page].
   */
  apiToken?: string;
  version: string;
  /** Bounds of the HTTP app (body size, JSON depth, rates, event streams); defaults otherwise. */
  limits?: LimitOptions;
  /** The bind and the names the API answers to. Default: loopback, reads open. */
  exposure?: Exposure;
  /** The TradingView webhook's secret and allowed senders [none: alerts are refused]. */
  webhook?: WebhookOptions;
  /** The chat surface's settings (Telegram, Discord); absent or without tokens: chat is off. */
  chat?: Omit<ChatServiceOptions, "commands">;
}

/** The started service with its command core and HTTP app. */
export interface Assembled extends Service {
  commands: Commands;
  /** The HTTP app (`app.fetch` to serve it, `app.request` in tests). */
  app: Hono;
  /** The chat surface, when a chat token is configured. */
  chat?: ChatService;
}

/**
 * Starts the service and builds its surfaces on one command core: the HTTP app and, when a
 * token is configured, the chat bots (the status page calls the same commands). `close()` stops
 * the chat, then the service (the bots and the feed); the caller closes the database.
 *
 * @example
 * ```ts
 * const tw = await assemble({ db, entries, auth, version: "0.2.0", replay: { speed: 60 } });
 * Deno.serve(tw.app.fetch);
 * ```
 */
export async function assemble(o: AssembleOptions): Promise<Assembled> {
  // The page's files are read before the service starts: a missing one fails here.
  const assets = o.apiToken ? await Assets.load() : undefined;
  const service = await startService(o);
  const commands = new Commands(service);
  const app = createApp({
    store: service.reads.candles,
    mode: service.mode,
    version: o.version,
    commands,
    auth: o.auth,
    limits: o.limits,
    exposure: o.exposure,
    webhook: o.webhook,
    sessions: o.apiToken ? new Sessions(o.apiToken) : undefined,
    assets,
  });
  const chat = o.chat ? await ChatService.start({ ...o.chat, commands }) : undefined;
  return {
    ...service,
    commands,
    app,
    chat,
    async close() {
      await chat?.stop();
      await service.close();
    },
  };
}
