// What the fake Discord remembers: ids, the bot, the guild, messages, commands, callbacks, faults, waiters.
//
// Shapes follow discord-api-types 0.38 (APIUser, APIGuild, APIMessage, APIInteraction) as read
// by discord.js 14.28: only the fields discord.js reads or a test asserts are filled in.

/** A plain JSON object as sent on the wire. */
export type Json = Record<string, unknown>;

/** Discord's epoch (2015-01-01T00:00:00Z), the base of snowflake ids. */
const DISCORD_EPOCH = 1420070400000n;

/** One REST fault to answer instead of the real route (first matching request, `times` times). */
export interface DiscordFault {
  /** 429 (rate limited, with Discord's body and headers) or any 5xx, e.g. 502. */
  status: number;
  /** Only requests with this method (default: any). */
  method?: string;
  /** Only paths (after `/api/v10`) matching this (default: any but `/gateway/bot`). */
  path?: RegExp;
  /** How many requests get the fault (default 1). */
  times?: number;
  /** Seconds to wait for a 429, as `retry_after` and `X-RateLimit-Reset-After` (default 0.05). */
  retryAfterS?: number;
  /** A 429 that is global (`global: true`, `X-RateLimit-Global`) (default false). */
  global?: boolean;
}

/** A REST request the fake answered (kept for assertions). */
export interface DiscordRequest {
  method: string;
  path: string;
  status: number;
  body: unknown;
  /** The files of a multipart request (a message with attachments). */
  files: DiscordFile[];
}

/** A file uploaded with a message (`files[n]` of a multipart request). */
export interface DiscordFile {
  /** The form field, e.g. "files[0]". */
  field: string;
  name: string;
  contentType: string;
  bytes: Uint8Array;
}

/** A simple promise queue: items pushed before `next()` wait for it, waiters before items wait. */
export class Waitable<T> {
  #items: T[] = [];
  #waiters: ((item: T) => void)[] = [];
  /** Hands `item` to the oldest waiter, or keeps it for the next `next()`. */
  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }
  /** The oldest unread item, or the next one to come. */
  next(): Promise<T> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** State shared by the REST routes and the gateway. */
export class DiscordState {
  #seq = 0n;
  readonly token: string;
  readonly botUser: Json;
  readonly applicationId: string;
  readonly guildId: string;
  readonly channelId: string;
  /** Guild commands by guild id, as last overwritten (PUT). */
  readonly commands = new Map<string, Json[]>();
  /** Every message by id (channel messages, interaction replies, follow-ups). */
  readonly messages = new Map<string, Json>();
  /** Interactions sent to the client, by id, with the message a button sits on. */
  readonly interactions = new Map<
    string,
    { token: string; channelId: string; messageId?: string }
  >();
  /** Channel messages created or edited, in order (`nextMessage()`). */
  readonly messageEvents = new Waitable<{ kind: "create" | "edit"; message: Json }>();
  /** Interaction callbacks and `@original` edits, in order (`nextCallback()`). */
  readonly callbackEvents = new Waitable<DiscordCallback>();
  readonly requests: DiscordRequest[] = [];
  faults: DiscordFault[] = [];

  constructor(options: { token: string; botName: string }) {
    this.token = options.token;
    this.applicationId = this.snowflake();
    this.botUser = user(this.applicationId, options.botName, true);
    this.guildId = this.snowflake();
    this.channelId = this.snowflake();
  }

  /** A new unique snowflake id (time-based, counted within the millisecond). */
  snowflake(): string {
    this.#seq += 1n;
    return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) + (this.#seq & 0xfffn)).toString();
  }

  /** The guild's one text channel as an APIChannel. */
  channel(): Json {
    return {
      id: this.channelId,
      type: 0,
      guild_id: this.guildId,
      name: "tidewatch",
      position: 0,
      permission_overwrites: [],
      nsfw: false,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
      parent_id: null,
    };
  }

  /** The guild as sent in GUILD_CREATE. */
  guild(): Json {
    return {
      id: this.guildId,
      name: "Tidewatch desk",
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: this.applicationId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [{
        id: this.guildId,
        name: "@everyone",
        color: 0,
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position: 0,
        permissions: "2248473465835073",
        managed: false,
        mentionable: false,
        flags: 0,
      }],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      preferred_locale: "en-US",
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: 1,
      voice_states: [],
      members: [this.member(this.botUser)],
      channels: [this.channel()],
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  /** A guild member for `u` (an APIUser). */
  member(u: Json, roles: string[] = []): Json {
    return {
      user: u,
      nick: null,
      avatar: null,
      roles,
      joined_at: new Date().toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
    };
  }

  /** A new channel message by the bot from a create body (content, embeds, components). */
  createMessage(channelId: string, body: Json, extra: Json = {}): Json {
    const message: Json = {
      id: this.snowflake(),
      channel_id: channelId,
      guild_id: this.guildId,
      author: this.botUser,
      content: typeof body.content === "string" ? body.content : "",
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: Array.isArray(body.attachments) ? body.attachments : [],
      embeds: Array.isArray(body.embeds) ? body.embeds : [],
      components: Array.isArray(body.components) ? body.components : [],
      pinned: false,
      type: 0,
      flags: typeof body.flags === "number" ? body.flags : 0,
      ...extra,
    };
    this.messages.set(message.id as string, message);
    return message;
  }

  /** Applies an edit body to a stored message; undefined when there is no such message. */
  editMessage(id: string, body: Json): Json | undefined {
    const message = this.messages.get(id);
    if (!message) return undefined;
    for (const key of ["content", "embeds", "components", "flags", "attachments"]) {
      if (key in body) message[key] = body[key];
    }
    message.edited_timestamp = new Date().toISOString();
    return message;
  }
}

/** An interaction callback (POST .../callback) or an edit of the original response (PATCH @original). */
export interface DiscordCallback {
  kind: "callback" | "editOriginal" | "followUp";
  interactionId?: string;
  token: string;
  /** The callback type: 4 reply, 5 deferred reply, 6 deferred update, 7 update message, ... */
  type?: number;
  /** The `data` of a callback, or the body of an edit / follow-up. */
  data: Json;
  /** The message the callback created or changed, when there is one. */
  message?: Json;
}

/** An APIUser. */
export function user(id: string, username: string, bot = false): Json {
  return {
    id,
    username,
    discriminator: "0",
    global_name: null,
    avatar: null,
    bot,
    system: false,
    flags: 0,
    public_flags: 0,
  };
}
