// The chat bots' settings from the environment (and .env): tokens, allow-lists, chats.

import { ConfigError } from "../core/errors.ts";
import type { AccessLists } from "./access.ts";

/** Telegram's settings. */
export interface TelegramConfig {
  token: string;
  /** A self-hosted Bot API server or a proxy (TELEGRAM_API_ROOT) [Telegram's]. */
  apiRoot?: string;
  /** Chats notifications go to (TELEGRAM_CHAT_IDS). */
  chats: string[];
  access: AccessLists;
}

/** Discord's settings. */
export interface DiscordConfig {
  token: string;
  /** The guild (server) the slash commands are registered in (DISCORD_GUILD_ID). */
  guildId: string;
  /** Channels notifications go to (DISCORD_CHANNEL_IDS). */
  channels: string[];
  /** Discord's REST root, for a proxy (DISCORD_API_ROOT) [Discord's]. */
  apiRoot?: string;
  access: AccessLists;
}

/** Both platforms' settings (a platform without its token is off) and what not to announce. */
export interface ChatConfig {
  telegram?: TelegramConfig;
  discord?: DiscordConfig;
  /** TIDEWATCH_NOTIFY_OFF: notification kinds switched off, as written. */
  notifyOff?: string;
  /** Lines for the start-up log: a platform on without users, chats or both. */
  warnings: string[];
}

type Env = Record<string, string | undefined>;

/** A comma- or space-separated list of numeric ids from `name` (empty when unset). */
function ids(env: Env, name: string): string[] {
  const text = env[name]?.trim() ?? "";
  if (text === "") return [];
  const out = text.split(/[\s,]+/).filter(Boolean);
  for (const [i, id] of out.entries()) {
    if (!/^-?\d{1,25}$/.test(id)) {
      throw new ConfigError(
        `${name}: item ${i + 1} "${id.slice(0, 30)}" is not a numeric id (ids, not names: ` +
          `names change, ids do not).`,
      );
    }
  }
  return out;
}

/** An http(s) URL from `name`, without a trailing slash, or undefined when unset. */
function url(env: Env, name: string): string | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ConfigError(
      `${name} "${text.slice(0, 80)}" is not a URL (e.g. http://127.0.0.1:8081).`,
    );
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new ConfigError(`${name} must be an http or https URL; got ${u.protocol}.`);
  }
  return text.replace(/\/+$/, "");
}

/**
 * Reads the chat settings from `env`. A platform is on when its token is set; its allow-lists
 * are user ids (`TELEGRAM_ALLOWED_USERS`, `DISCORD_ALLOWED_USERS`, Discord also role ids in
 * `DISCORD_ALLOWED_ROLES`), read-only ones in `*_READONLY_USERS` (and `DISCORD_READONLY_ROLES`).
 * Wrong values are ConfigErrors naming the variable (never a token's value).
 */
export function chatConfig(env: Env): ChatConfig {
  const warnings: string[] = [];
  const out: ChatConfig = { warnings, notifyOff: env.TIDEWATCH_NOTIFY_OFF };
  const tgToken = env.TELEGRAM_BOT_TOKEN?.trim();
  if (tgToken) {
    if (!/^\d+:[\w-]+$/.test(tgToken)) {
      throw new ConfigError(
        "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters; " +
          "BotFather gives it).",
      );
    }
    out.telegram = {
      token: tgToken,
      apiRoot: url(env, "TELEGRAM_API_ROOT"),
      chats: ids(env, "TELEGRAM_CHAT_IDS"),
      access: {
        users: ids(env, "TELEGRAM_ALLOWED_USERS"),
        readOnlyUsers: ids(env, "TELEGRAM_READONLY_USERS"),
      },
    };
    platformWarnings("Telegram", "TELEGRAM", out.telegram.chats, out.telegram.access, warnings);
  }
  const dcToken = env.DISCORD_BOT_TOKEN?.trim();
  if (dcToken) {
    const guildId = env.DISCORD_GUILD_ID?.trim();
    if (!guildId || !/^\d{5,25}$/.test(guildId)) {
      throw new ConfigError(
        "DISCORD_GUILD_ID must be the numeric id of the server the slash commands go to " +
          "(Discord: Server Settings > Widget, or Developer Mode > Copy Server ID).",
      );
    }
    out.discord = {
      token: dcToken,
      guildId,
      apiRoot: url(env, "DISCORD_API_ROOT"),
      channels: ids(env, "DISCORD_CHANNEL_IDS"),
      access: {
        users: ids(env, "DISCORD_ALLOWED_USERS"),
        roles: ids(env, "DISCORD_ALLOWED_ROLES"),
        readOnlyUsers: ids(env, "DISCORD_READONLY_USERS"),
        readOnlyRoles: ids(env, "DISCORD_READONLY_ROLES"),
      },
    };
    platformWarnings("Discord", "DISCORD", out.discord.channels, out.discord.access, warnings);
  }
  return out;
}

function platformWarnings(
  name: string,
  prefix: string,
  chats: readonly string[],
  access: AccessLists,
  warnings: string[],
): void {
  const anyone = access.users.length + (access.roles?.length ?? 0) +
    (access.readOnlyUsers?.length ?? 0) + (access.readOnlyRoles?.length ?? 0);
  if (anyone === 0) {
    warnings.push(
      `${name}: nobody may use its commands (set ${prefix}_ALLOWED_USERS to user ids); ` +
        `it only sends notifications.`,
    );
  }
  if (chats.length === 0) {
    warnings.push(
      `${name}: no ${prefix === "TELEGRAM" ? "TELEGRAM_CHAT_IDS" : "DISCORD_CHANNEL_IDS"} set, ` +
        `so it sends no notifications or confirmations; it answers commands only.`,
    );
  }
}
