// The part of discord.js 14.28's typings the Discord adapter (discord.ts) uses, declared here.
//
// discord.js's own typings import @discordjs/ws -> ws -> @types/ws, whose `/// <reference
// types="node" />` resolves in this project's npm graph to @types/node 6 (technicalindicators'
// dependency) and replaces Deno's Node types for the whole type-check program (`deno check`
// then fails by the dozen; see tests/fakes/fake_discord_client_types.d.ts). discord.ts imports
// the real package with `// @ts-types="./discord_js_types.d.ts"`. Names, values and signatures
// below are those of discord.js 14.28.1 and discord-api-types 0.38 (v10), narrowed to our use.

import type { Buffer } from "node:buffer";

/** Gateway intents (only the one we ask for). */
export declare const GatewayIntentBits: { readonly Guilds: 1 };

/** Client event names. */
export declare const Events: {
  readonly ClientReady: "clientReady";
  readonly InteractionCreate: "interactionCreate";
  readonly Raw: "raw";
  readonly Error: "error";
  readonly Warn: "warn";
  readonly ShardError: "shardError";
  readonly ShardDisconnect: "shardDisconnect";
};

/** Button styles of the API (1 primary, 2 secondary, 3 success, 4 danger). */
export declare const ButtonStyle: {
  readonly Primary: 1;
  readonly Secondary: 2;
  readonly Success: 3;
  readonly Danger: 4;
};

/** Message flags (only ephemeral). */
export declare const MessageFlags: { readonly Ephemeral: 64 };

/** Application command option types (string and integer). */
export declare const ApplicationCommandOptionType: { readonly String: 3; readonly Integer: 4 };

/** REST route builders. */
export declare const Routes: {
  channelMessages(channelId: string): `/channels/${string}/messages`;
  channelMessage(channelId: string, messageId: string): `/channels/${string}/messages/${string}`;
};

/** A Discord user. */
export interface User {
  id: string;
  username: string;
  bot: boolean;
}

/** A message (only what we read). */
export interface Message {
  id: string;
  channelId: string;
}

/** Allowed mentions of a message (`parse: []`: nobody is pinged). */
export interface AllowedMentions {
  parse?: ("users" | "roles" | "everyone")[];
}

/** What replies, edits and follow-ups of an interaction carry. */
export interface InteractionReplyOptions {
  content?: string;
  components?: ActionRowBuilder<ButtonBuilder>[];
  files?: AttachmentBuilder[];
  flags?: number;
  allowedMentions?: AllowedMentions;
}

/** One option of a slash command as received. */
export interface CommandInteractionOption {
  name: string;
  type: number;
  value?: string | number | boolean;
}

interface BaseInteraction {
  id: string;
  user: User;
  channelId: string | null;
  isChatInputCommand(): this is ChatInputCommandInteraction;
  isButton(): this is ButtonInteraction;
}

/** A slash command. */
export interface ChatInputCommandInteraction extends BaseInteraction {
  commandName: string;
  options: { get(name: string): CommandInteractionOption | null };
  deferReply(options?: { flags?: number }): Promise<unknown>;
  editReply(options: InteractionReplyOptions): Promise<Message>;
  followUp(options: InteractionReplyOptions): Promise<Message>;
}

/** A pressed button. */
export interface ButtonInteraction extends BaseInteraction {
  customId: string;
  message: Message;
  update(options: InteractionReplyOptions): Promise<unknown>;
  deferUpdate(): Promise<unknown>;
  reply(options: InteractionReplyOptions): Promise<unknown>;
  editReply(options: InteractionReplyOptions): Promise<Message>;
  followUp(options: InteractionReplyOptions): Promise<Message>;
}

/** Any interaction (other kinds are neither commands nor buttons). */
export type Interaction = ChatInputCommandInteraction | ButtonInteraction;

/** A gateway dispatch as the `raw` event hands it over. */
export interface GatewayDispatch {
  op: number;
  t?: string | null;
  s?: number | null;
  d?: unknown;
}

/** A slash command's registration data (API form). */
export interface ApplicationCommandData {
  name: string;
  description: string;
  options?: {
    type: number;
    name: string;
    description: string;
    required?: boolean;
    choices?: { name: string; value: string }[];
  }[];
}

/** A registered application command. */
export interface ApplicationCommand {
  id: string;
  name: string;
}

/** discord.js's Collection (a Map). */
export interface Collection<V> {
  size: number;
  get(key: string): V | undefined;
  values(): IterableIterator<V>;
}

/** A file for the REST client. */
export interface RawFile {
  name: string;
  data: Uint8Array;
  contentType?: string;
}

/** Rate-limit details handed to `rejectOnRateLimit`. */
export interface RateLimitData {
  /** Milliseconds until the limit resets. */
  retryAfter: number;
  global: boolean;
  route: string;
  method: string;
}

/** Options of @discordjs/rest as the client takes them. */
export interface RESTOptions {
  /** The REST root (default https://discord.com/api). */
  api?: string;
  /** Retries of a request after a 5xx or a network error (default 3). */
  retries?: number;
  /** Milliseconds before a request is aborted (default 15000). */
  timeout?: number;
  /** Rejects instead of waiting out a rate limit when it answers true. */
  rejectOnRateLimit?: (data: RateLimitData) => boolean | Promise<boolean>;
}

/** The client. */
export declare class Client {
  constructor(options: { intents: number[]; rest?: RESTOptions });
  application: {
    id: string;
    commands: {
      set(
        commands: ApplicationCommandData[],
        guildId: string,
      ): Promise<Collection<ApplicationCommand>>;
    };
  } | null;
  rest: {
    post(route: string, options: { body?: unknown; files?: RawFile[] }): Promise<unknown>;
    patch(route: string, options: { body?: unknown; files?: RawFile[] }): Promise<unknown>;
  };
  login(token: string): Promise<string>;
  destroy(): Promise<void>;
  once(event: "clientReady", listener: (client: Client) => void): this;
  on(event: "interactionCreate", listener: (interaction: Interaction) => void): this;
  on(event: "raw", listener: (packet: GatewayDispatch, shardId: number) => void): this;
  on(event: "error" | "shardError", listener: (error: Error) => void): this;
  on(event: "warn", listener: (message: string) => void): this;
}

/** A button. */
export declare class ButtonBuilder {
  setCustomId(id: string): this;
  setLabel(label: string): this;
  setStyle(style: number): this;
  toJSON(): Record<string, unknown>;
}

/** A row of components. */
export declare class ActionRowBuilder<T> {
  addComponents(...components: T[]): this;
  toJSON(): Record<string, unknown>;
}

/** A file to attach to an interaction reply (a Buffer: a bare Uint8Array is refused). */
export declare class AttachmentBuilder {
  constructor(attachment: Buffer, data?: { name?: string; description?: string });
}
