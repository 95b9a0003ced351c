// The Discord adapter: discord.js slash commands and buttons to the chat handler, and back as replies.
//
// Thin by design: it registers CHAT_COMMANDS as guild slash commands, turns an interaction into a
// ChatHandler call (user, command words, place) and renders the ChatMessage it answers (text in
// ≤2000-character parts, buttons as action rows, a PNG as an attachment). Notifications go out
// through `send`/`edit` over discord.js's REST client, whose queue waits out 429s; retries and
// waits are bounded so a send fails in seconds, not minutes (the caller's Outbox retries).
import { Buffer } from "node:buffer";
// @ts-types="./discord_js_types.d.ts"
import {
  ActionRowBuilder,
  type ApplicationCommandData,
  ApplicationCommandOptionType,
  AttachmentBuilder,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  Client,
  Events,
  type GatewayDispatch,
  GatewayIntentBits,
  type Interaction,
  type InteractionReplyOptions,
  MessageFlags,
  type RawFile,
  Routes,
} from "discord.js";
import type { LogLevel } from "../service/log.ts";
import {
  CHAT_COMMANDS,
  type ChatButton,
  type ChatChannel,
  type ChatHandler,
  type ChatMessage,
  type ChatUser,
  type CommandSpec,
  type PressAnswer,
  type SentRef,
} from "./chat.ts";

/** Discord's limit on a message's content, in characters. */
export const DISCORD_MAX_CONTENT = 2000;

/** What a person sees when the handler fails (the error itself goes to the log). */
export const DISCORD_FAILED_TEXT = "Something went wrong while answering; it has been logged.";

/** Options of `DiscordChat`. */
export interface DiscordChatOptions {
  /** The bot token (DISCORD_BOT_TOKEN). Never logged nor put in errors. */
  token: string;
  /** The guild whose slash commands are registered (DISCORD_GUILD_ID). */
  guildId: string;
  /** Channels notifications go to (DISCORD_CHANNEL_IDS). */
  channels: readonly string[];
  /** Answers commands and pressed buttons. */
  handler: ChatHandler;
  /** The REST root instead of Discord's (a proxy, or a test fake), as discord.js's `rest.api`. */
  restRoot?: string;
  /** Where problems are told (default: nowhere). */
  log?: (level: LogLevel, msg: string, fields: Record<string, unknown>) => void;
  /**
   * Milliseconds a pressed button's handler may take before the press is acknowledged with a
   * deferred update (Discord drops an interaction not answered within 3 s) (default 2000).
   */
  pressAckMs?: number;
}

/** Retries of a REST request after a 5xx or a network error (discord.js's default is 3). */
const REST_RETRIES = 2;
/** Milliseconds before one REST attempt is aborted (discord.js's default is 15 s). */
const REST_TIMEOUT_MS = 10_000;
/** A rate limit longer than this fails the request instead of being waited out. */
const REST_MAX_RATE_LIMIT_WAIT_MS = 10_000;

const STYLES = {
  primary: ButtonStyle.Primary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
} as const;

/** Nobody is pinged by what the bot writes (a bot id or a reason may contain "@everyone"). */
const NO_MENTIONS = { parse: [] as [] };

/**
 * The Discord side of chat control: slash commands and buttons in, replies and notifications
 * out, over real discord.js.
 *
 * @example
 * ```ts
 * const discord = new DiscordChat({ token, guildId, channels: ["123"], handler });
 * await discord.start();
 * await discord.send("123", { text: "alpha bought 0.01 BTC/USDT" });
 * await discord.stop();
 * ```
 */
export class DiscordChat implements ChatChannel {
  /** Always "discord". */
  readonly platform = "discord" as const;
  /** The channels notifications go to. */
  readonly chats: readonly string[];
  readonly #token: string;
  readonly #guildId: string;
  readonly #handler: ChatHandler;
  readonly #log: NonNullable<DiscordChatOptions["log"]>;
  readonly #pressAckMs: number;
  readonly #client: Client;
  /** Role ids of the member behind each interaction, from the raw gateway packet, by id. */
  readonly #roles = new Map<string, string[]>();
  readonly #inFlight = new Set<Promise<void>>();
  #state: "new" | "starting" | "started" | "stopped" = "new";

  constructor(options: DiscordChatOptions) {
    this.chats = [...options.channels];
    this.#token = options.token;
    this.#guildId = options.guildId;
    this.#handler = options.handler;
    this.#log = options.log ?? (() => {});
    this.#pressAckMs = options.pressAckMs ?? 2000;
    this.#client = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: {
        ...(options.restRoot ? { api: options.restRoot } : {}),
        retries: REST_RETRIES,
        timeout: REST_TIMEOUT_MS,
        rejectOnRateLimit: (limit) => limit.retryAfter > REST_MAX_RATE_LIMIT_WAIT_MS,
      },
    });
    this.#client.on(Events.Raw, (packet) => this.#onRaw(packet));
    this.#client.on(Events.InteractionCreate, (interaction) => this.#onInteraction(interaction));
    this.#client.on(Events.Error, (error) => this.#logError("Discord client error", error));
    this.#client.on(Events.ShardError, (error) => this.#logError("Discord gateway error", error));
    this.#client.on(Events.Warn, (message) => this.#log("warn", "Discord warning", { message }));
  }

  /**
   * Logs in, waits for the gateway to be ready and registers the guild's slash commands (a bulk
   * overwrite). Rejects when the token is refused or registering fails.
   */
  async start(): Promise<void> {
    if (this.#state !== "new") throw new Error(`Discord chat cannot start: it is ${this.#state}`);
    this.#state = "starting";
    const ready = new Promise<void>((resolve) =>
      this.#client.once(Events.ClientReady, () => resolve())
    );
    try {
      await this.#client.login(this.#token);
      await ready;
      await this.#client.application!.commands.set(commandData(), this.#guildId);
    } catch (error) {
      await this.#client.destroy();
      this.#state = "stopped";
      throw new Error(
        `Discord chat could not start (check DISCORD_BOT_TOKEN and DISCORD_GUILD_ID): ${
          this.#redact(messageOf(error))
        }`,
      );
    }
    this.#state = "started";
    this.#log("info", "Discord chat started", {
      guildId: this.#guildId,
      commands: CHAT_COMMANDS.length,
    });
  }

  /** Stops taking interactions, lets the ones being answered finish, and closes the client. */
  async stop(): Promise<void> {
    if (this.#state === "stopped") return;
    this.#state = "stopped";
    await Promise.allSettled([...this.#inFlight]);
    await this.#client.destroy();
    this.#roles.clear();
  }

  /**
   * Sends a message to a channel; rejects when Discord refuses or cannot be reached in time.
   * Text beyond Discord's limit goes out as several messages, the buttons and picture on the
   * last, whose ref is returned.
   */
  async send(chatId: string, m: ChatMessage): Promise<SentRef> {
    this.#mustBeStarted("send");
    const parts = splitContent(m.text);
    let last: { id: string } | undefined;
    for (let i = 0; i < parts.length; i++) {
      const extras = i === parts.length - 1 ? m : { text: "" };
      const { body, files } = restPayload(parts[i], extras);
      last = await this.#rest(
        `send to channel "${chatId}"`,
        () => this.#client.rest.post(Routes.channelMessages(chatId), { body, files }),
      ) as { id: string };
    }
    return { platform: "discord", chatId, messageId: last!.id };
  }

  /**
   * Replaces a sent message's text and buttons (no buttons: removed; an image: replaces its
   * attachments). Text beyond Discord's limit is cut with an ellipsis.
   */
  async edit(ref: SentRef, m: ChatMessage): Promise<void> {
    this.#mustBeStarted("edit");
    const { body, files } = restPayload(truncate(m.text), m, { removeButtons: true });
    await this.#rest(
      `edit of message "${ref.messageId}" in channel "${ref.chatId}"`,
      () =>
        this.#client.rest.patch(Routes.channelMessage(ref.chatId, ref.messageId), { body, files }),
    );
  }

  #mustBeStarted(what: string): void {
    if (this.#state !== "started") {
      throw new Error(`Discord chat cannot ${what}: it is ${this.#state}, not started`);
    }
  }

  /** A REST call whose failure becomes an error naming what failed, without the token. */
  async #rest(what: string, call: () => Promise<unknown>): Promise<unknown> {
    try {
      return await call();
    } catch (error) {
      throw new Error(`Discord ${what} failed: ${this.#redact(messageOf(error))}`);
    }
  }

  #onRaw(packet: GatewayDispatch): void {
    if (packet.t !== "INTERACTION_CREATE") return;
    const d = packet.d as { id?: string; member?: { roles?: unknown } } | undefined;
    if (!d?.id) return;
    const roles = d.member?.roles;
    this.#roles.set(d.id, Array.isArray(roles) ? roles.map(String) : []);
    // discord.js emits the interaction right after this, in the same turn (or drops an unknown
    // kind): either way the entry has served once the turn ends.
    const id = d.id;
    queueMicrotask(() => this.#roles.delete(id));
  }

  #onInteraction(interaction: Interaction): void {
    const roles = this.#roles.get(interaction.id) ?? [];
    if (this.#state !== "started") return;
    const user: ChatUser = {
      platform: "discord",
      id: interaction.user.id,
      name: interaction.user.username,
      roles,
    };
    let work: Promise<void>;
    if (interaction.isChatInputCommand()) work = this.#command(interaction, user);
    else if (interaction.isButton()) work = this.#press(interaction, user);
    else return;
    const tracked: Promise<void> = work
      .catch((error) => this.#logError("Discord interaction failed", error))
      .finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  async #command(interaction: ChatInputCommandInteraction, user: ChatUser): Promise<void> {
    await interaction.deferReply();
    const name = interaction.commandName;
    let answer: ChatMessage;
    try {
      answer = await this.#handler.run(user, name, commandArgs(name, interaction), {
        platform: "discord",
        chatId: interaction.channelId ?? "",
      });
    } catch (error) {
      this.#logError("Chat command failed", error, { command: name, userId: user.id });
      await interaction.editReply({ content: DISCORD_FAILED_TEXT, allowedMentions: NO_MENTIONS });
      return;
    }
    const parts = splitContent(answer.text);
    for (let i = 0; i < parts.length; i++) {
      const payload = replyPayload(parts[i], i === parts.length - 1 ? answer : { text: "" });
      if (i === 0) await interaction.editReply(payload);
      else await interaction.followUp(payload);
    }
  }

  async #press(interaction: ButtonInteraction, user: ChatUser): Promise<void> {
    const where: SentRef = {
      platform: "discord",
      chatId: interaction.channelId ?? interaction.message.channelId,
      messageId: interaction.message.id,
    };
    // Discord forgets an interaction not acknowledged within 3 s: a slow handler (an order
    // being sent) gets a deferred update first, and its answer then edits the message.
    let deferred: Promise<unknown> | undefined;
    const timer = setTimeout(() => {
      deferred = interaction.deferUpdate().catch((e) =>
        this.#logError("Discord deferUpdate failed", e)
      );
    }, this.#pressAckMs);
    let answer: PressAnswer;
    try {
      answer = await this.#handler.press(user, interaction.customId, where);
    } catch (error) {
      this.#logError("Chat button failed", error, { data: interaction.customId, userId: user.id });
      clearTimeout(timer);
      const notice = ephemeral(DISCORD_FAILED_TEXT);
      if (deferred) await deferred.then(() => interaction.followUp(notice));
      else await interaction.reply(notice);
      return;
    }
    clearTimeout(timer);
    const notice = ephemeral(answer.notice);
    if (deferred) {
      await deferred;
      if (answer.edit) {
        await interaction.editReply(replyPayload(truncate(answer.edit.text), answer.edit, true));
      }
      await interaction.followUp(notice);
    } else if (answer.edit) {
      await interaction.update(replyPayload(truncate(answer.edit.text), answer.edit, true));
      await interaction.followUp(notice);
    } else {
      await interaction.reply(notice);
    }
  }

  #logError(msg: string, error: unknown, fields: Record<string, unknown> = {}): void {
    this.#log("error", msg, { ...fields, error: this.#redact(messageOf(error)) });
  }

  /** Text with the token blotted out (discord.js never puts it in errors; this makes sure). */
  #redact(text: string): string {
    return this.#token ? text.replaceAll(this.#token, "[token]") : text;
  }
}

/** CHAT_COMMANDS as Discord application commands: required options first, as Discord demands. */
export function commandData(): ApplicationCommandData[] {
  return CHAT_COMMANDS.map((c) => ({
    name: c.name,
    description: c.description,
    options: [...c.args.filter((a) => a.required), ...c.args.filter((a) => !a.required)].map(
      (a) => ({
        type: a.kind === "integer"
          ? ApplicationCommandOptionType.Integer
          : ApplicationCommandOptionType.String,
        name: a.name,
        description: a.description,
        required: a.required,
        ...(a.choices ? { choices: a.choices.map((v) => ({ name: v, value: v })) } : {}),
      }),
    ),
  }));
}

/**
 * A slash command's option values as the handler's words, in CHAT_COMMANDS' order: absent
 * options at the end are left out, an absent one before a given one becomes "".
 */
function commandArgs(name: string, interaction: ChatInputCommandInteraction): string[] {
  const spec: CommandSpec | undefined = CHAT_COMMANDS.find((c) => c.name === name);
  if (!spec) return [];
  const words = spec.args.map((a) => {
    const value = interaction.options.get(a.name)?.value;
    return value === undefined || value === null ? undefined : String(value);
  });
  while (words.length > 0 && words[words.length - 1] === undefined) words.pop();
  return words.map((w) => w ?? "");
}

/**
 * Text cut into parts of at most DISCORD_MAX_CONTENT characters, at a line break when one is
 * near enough, never inside a surrogate pair. Empty text is one empty part.
 */
export function splitContent(text: string, max = DISCORD_MAX_CONTENT): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf("\n", max);
    if (cut < max / 2) cut = max;
    const code = rest.charCodeAt(cut - 1);
    if (cut === max && code >= 0xd800 && code <= 0xdbff) cut -= 1;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(rest[cut] === "\n" ? cut + 1 : cut);
  }
  parts.push(rest);
  return parts;
}

/** Text cut to one message, ending with an ellipsis when cut. */
function truncate(text: string): string {
  if (text.length <= DISCORD_MAX_CONTENT) return text;
  return splitContent(text, DISCORD_MAX_CONTENT - 1)[0] + "…";
}

function buttonRows(buttons: ChatButton[][]): ActionRowBuilder<ButtonBuilder>[] {
  return buttons.filter((row) => row.length > 0).map((row) =>
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      ...row.map((b) =>
        new ButtonBuilder()
          .setCustomId(b.data)
          .setLabel(b.label)
          .setStyle(b.style ? STYLES[b.style] : ButtonStyle.Secondary)
      ),
    )
  );
}

/**
 * An interaction reply for one part of a message, with the buttons and picture of `m`. An edit
 * (`replace`) without buttons removes the old ones.
 */
function replyPayload(content: string, m: ChatMessage, replace = false): InteractionReplyOptions {
  const payload: InteractionReplyOptions = {
    content: nonEmpty(content, m),
    allowedMentions: NO_MENTIONS,
  };
  if (m.buttons) payload.components = buttonRows(m.buttons);
  else if (replace) payload.components = [];
  if (m.image) {
    payload.files = [new AttachmentBuilder(toBuffer(m.image.png), { name: m.image.name })];
  }
  return payload;
}

/** A REST message body (and files) for one part of a message, with the buttons and picture of `m`. */
function restPayload(
  content: string,
  m: ChatMessage,
  o: { removeButtons?: boolean } = {},
): { body: Record<string, unknown>; files?: RawFile[] } {
  const body: Record<string, unknown> = {
    content: nonEmpty(content, m),
    allowed_mentions: NO_MENTIONS,
  };
  if (m.buttons) body.components = buttonRows(m.buttons).map((r) => r.toJSON());
  else if (o.removeButtons) body.components = [];
  if (!m.image) return { body };
  body.attachments = [{ id: 0, filename: m.image.name }];
  return {
    body,
    files: [{ name: m.image.name, data: m.image.png, contentType: "image/png" }],
  };
}

/** Discord refuses a message with no content, buttons nor files: such a one says so. */
function nonEmpty(content: string, m: ChatMessage): string {
  return content || m.image || m.buttons?.some((row) => row.length > 0) ? content : "(no text)";
}

function ephemeral(content: string): InteractionReplyOptions {
  return {
    content: truncate(content),
    flags: MessageFlags.Ephemeral,
    allowedMentions: NO_MENTIONS,
  };
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** An error's message; @discordjs/rest's RateLimitError has none, so its wait is told instead. */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const retryAfter = (error as { retryAfter?: unknown }).retryAfter;
  if (typeof retryAfter === "number" && !error.message) {
    return `rate limited for ${Math.round(retryAfter / 1000)} s (longer than the ${
      REST_MAX_RATE_LIMIT_WAIT_MS / 1000
    } s waited out)`;
  }
  return error.message;
}
