// A loopback fake of Discord (REST API v10 and the gateway websocket) for real discord.js 14.28.
//
// One `Deno.serve` on 127.0.0.1: REST under `/api/v10` (fake_discord_rest.ts), the gateway at
// `/gateway` and resumes at `/gateway-resume` (fake_discord_gateway.ts). Point discord.js at it:
//
// ```ts
// const fake = await startFakeDiscord();
// const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.rest } });
// await client.login(fake.token);
// ```
//
// The guild has one text channel (`fake.channelId`); `fake.interaction()` sends an
// INTERACTION_CREATE (slash command or button) from a given user; `nextMessage()` and
// `nextCallback()` give what the client sent; `fault()` makes REST answer 429 or 502.
import {
  type DiscordCallback,
  type DiscordFault,
  DiscordState,
  type Json,
  user,
} from "./fake_discord_state.ts";
import { handleRest } from "./fake_discord_rest.ts";
import { FakeGateway } from "./fake_discord_gateway.ts";

export type { DiscordCallback, DiscordFault, DiscordFile, Json } from "./fake_discord_state.ts";

/** Options of `startFakeDiscord`. */
export interface FakeDiscordOptions {
  /** The bot token the fake accepts (default "fake-bot-token"). */
  token?: string;
  /** The bot's username (default "tidewatch"). */
  botName?: string;
  /** The gateway's HELLO heartbeat_interval in ms (default 45000, Discord's usual 41250 rounded). */
  heartbeatIntervalMs?: number;
}

/** Who triggers an interaction: a user id and name, and role ids in the guild. */
export interface FakeDiscordUser {
  id: string;
  username?: string;
  roles?: string[];
}

/** An interaction to send: a slash command (with options) or a button press on a message. */
export type FakeInteraction =
  | {
    kind: "command";
    name: string;
    /** Option values by name; strings become type 3, integers 4, booleans 5, other numbers 10. */
    options?: Record<string, string | number | boolean>;
    user: FakeDiscordUser;
  }
  | { kind: "button"; customId: string; messageId: string; user: FakeDiscordUser };

/** A running fake Discord. */
export interface FakeDiscord {
  /** REST root for discord.js's `rest.api` option (`http://127.0.0.1:<port>/api`). */
  rest: string;
  /** The gateway URL `GET /gateway/bot` names. */
  gateway: string;
  token: string;
  applicationId: string;
  guildId: string;
  channelId: string;
  botUser: Json;
  /** Shared state: messages, commands, REST requests seen, gateway frames received. */
  state: DiscordState;
  gatewayServer: FakeGateway;
  /** Sends INTERACTION_CREATE; resolves to the interaction's id and token. */
  interaction(what: FakeInteraction): { id: string; token: string };
  /** The next channel message created or edited through REST. */
  nextMessage(): Promise<{ kind: "create" | "edit"; message: Json }>;
  /** The next interaction callback, `@original` edit or follow-up. */
  nextCallback(): Promise<DiscordCallback>;
  /** Makes REST answer the next matching request(s) with a fault. */
  fault(fault: DiscordFault): void;
  /** Drops the gateway socket (close 4000); resolves with the client's RESUME payload. */
  dropGateway(): Promise<Json>;
  /** The next IDENTIFY payload (already received ones first). */
  nextIdentify(): Promise<Json>;
  /** The next heartbeat's `d` (the client's last sequence number). */
  nextHeartbeat(): Promise<number | null>;
  close(): Promise<void>;
}

const OPTION_TYPES = { string: 3, integer: 4, boolean: 5, number: 10 } as const;

/** Starts the fake on 127.0.0.1 (a free port). */
export function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const state = new DiscordState({
    token: options.token ?? "fake-bot-token",
    botName: options.botName ?? "tidewatch",
  });
  const gateway = new FakeGateway(state, {
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 45_000,
  });
  let gatewayUrl = "";
  const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: (addr) => resolve(addr as Deno.NetAddr),
  }, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/gateway" || path === "/gateway-resume") return gateway.upgrade(request);
    if (path.startsWith("/api/v10/")) return handleRest(state, request, gatewayUrl);
    return new Response("Not Found", { status: 404 });
  });

  return listening.then((addr) => {
    const origin = `127.0.0.1:${addr.port}`;
    gatewayUrl = `ws://${origin}/gateway`;
    gateway.resumeUrl = `ws://${origin}/gateway-resume`;
    return {
      rest: `http://${origin}/api`,
      gateway: gatewayUrl,
      token: state.token,
      applicationId: state.applicationId,
      guildId: state.guildId,
      channelId: state.channelId,
      botUser: state.botUser,
      state,
      gatewayServer: gateway,
      interaction: (what) => sendInteraction(state, gateway, what),
      nextMessage: () => state.messageEvents.next(),
      nextCallback: () => state.callbackEvents.next(),
      fault: (fault) => void state.faults.push({ ...fault }),
      dropGateway: () => {
        const resumed = gateway.resumed.next();
        gateway.drop();
        return resumed;
      },
      nextIdentify: () => gateway.identified.next(),
      nextHeartbeat: () => gateway.heartbeats.next(),
      close: async () => {
        gateway.closeAll();
        await gateway.allClosed();
        await server.shutdown();
      },
    };
  });
}

function sendInteraction(
  state: DiscordState,
  gateway: FakeGateway,
  what: FakeInteraction,
): { id: string; token: string } {
  const id = state.snowflake();
  const token = `aW50ZXJhY3Rpb246${id}${crypto.randomUUID().replaceAll("-", "")}`;
  const from = user(what.user.id, what.user.username ?? `user${what.user.id.slice(-4)}`);
  const base: Json = {
    id,
    application_id: state.applicationId,
    guild_id: state.guildId,
    channel_id: state.channelId,
    channel: state.channel(),
    member: { ...state.member(from, what.user.roles ?? []), permissions: "2248473465835073" },
    token,
    version: 1,
    app_permissions: "2248473465835073",
    locale: "en-US",
    guild_locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: { "0": state.guildId },
    context: 0,
    attachment_size_limit: 10_485_760,
  };
  if (what.kind === "command") {
    const command = (state.commands.get(state.guildId) ?? []).find((c) => c.name === what.name);
    const options = Object.entries(what.options ?? {}).map(([name, value]) => ({
      name,
      type: typeof value === "string"
        ? OPTION_TYPES.string
        : typeof value === "boolean"
        ? OPTION_TYPES.boolean
        : Number.isInteger(value)
        ? OPTION_TYPES.integer
        : OPTION_TYPES.number,
      value,
    }));
    Object.assign(base, {
      type: 2,
      data: {
        id: command?.id ?? state.snowflake(),
        name: what.name,
        type: 1,
        guild_id: state.guildId,
        options,
      },
    });
    state.interactions.set(id, { token, channelId: state.channelId });
  } else {
    const message = state.messages.get(what.messageId);
    if (!message) throw new Error(`No message "${what.messageId}" in the fake: send it first`);
    Object.assign(base, {
      type: 3,
      data: { custom_id: what.customId, component_type: 2 },
      message,
    });
    state.interactions.set(id, {
      token,
      channelId: message.channel_id as string,
      messageId: what.messageId,
    });
  }
  gateway.dispatch("INTERACTION_CREATE", base);
  return { id, token };
}
