// The part of discord.js 14.28's typings fake_discord_test.ts uses, declared here (see below why).
//
// discord.js's own typings import @discordjs/ws, whose types import `ws`, typed by @types/ws,
// which says `/// <reference types="node" />` and depends on `@types/node@*`. In this project's
// npm graph that resolves to @types/node 6.14.13 (technicalindicators' dependency), which then
// replaces Deno's built-in Node types for the whole type-check program: `node:assert/strict`
// stops existing and `assert.ok` stops narrowing in every test (`deno check tests/` fails by
// the dozen). Pinning a newer `@types/node` in deno.json replaces the built-in types project-wide
// and breaks other files. The test therefore imports discord.js with
// `// @ts-types="./fake_discord_client_types.d.ts"`; the runtime is the real package.

export declare const GatewayIntentBits: { readonly Guilds: 1 };
export declare const Events: {
  readonly ClientReady: "clientReady";
  readonly InteractionCreate: "interactionCreate";
};
export declare const ButtonStyle: { readonly Success: 3; readonly Danger: 4 };
export declare const Routes: { user(id?: string): `/users/${string}` };

export interface User {
  id: string;
  username: string;
  bot: boolean;
}

export interface Message {
  id: string;
  content: string;
  author: User;
  edit(options: MessageOptions): Promise<Message>;
}

export interface MessageOptions {
  content?: string;
  embeds?: { title?: string; description?: string }[];
  components?: ActionRowBuilder<ButtonBuilder>[] | [];
}

export interface TextChannel {
  id: string;
  isTextBased(): boolean;
  send(options: string | MessageOptions): Promise<Message>;
}

export interface ApplicationCommand {
  id: string;
  name: string;
}

export interface Collection<V> {
  size: number;
  get(key: string): V | undefined;
  values(): IterableIterator<V>;
}

interface ReplyOptions {
  content?: string;
  components?: [];
}

interface BaseInteraction {
  user: User;
  guildId: string | null;
  isChatInputCommand(): this is ChatInputCommandInteraction;
  isButton(): this is ButtonInteraction;
}

export interface ChatInputCommandInteraction extends BaseInteraction {
  commandName: string;
  options: {
    getString(name: string): string | null;
    getInteger(name: string): number | null;
  };
  reply(options: string | ReplyOptions): Promise<unknown>;
  deferReply(): Promise<unknown>;
  editReply(options: string | ReplyOptions): Promise<Message>;
}

export interface ButtonInteraction extends BaseInteraction {
  customId: string;
  message: Message;
  update(options: ReplyOptions): Promise<unknown>;
}

export type Interaction = ChatInputCommandInteraction | ButtonInteraction;

export interface Guild {
  id: string;
  channels: { cache: Collection<TextChannel> };
}

interface CommandData {
  name: string;
  description: string;
  options?: {
    type: number;
    name: string;
    description: string;
    choices?: { name: string; value: string }[];
  }[];
}

export declare class Client<Ready extends boolean = boolean> {
  constructor(options: { intents: number[]; rest?: { api?: string } });
  user: Ready extends true ? User : User | null;
  application: {
    id: string;
    commands: {
      set(commands: CommandData[], guildId: string): Promise<Collection<ApplicationCommand>>;
      fetch(options: { guildId: string }): Promise<Collection<ApplicationCommand>>;
    };
  } | null;
  guilds: { cache: Collection<Guild> };
  channels: { cache: Collection<unknown> };
  rest: {
    get(route: string): Promise<unknown>;
    once(event: "rateLimited", listener: (info: unknown) => void): unknown;
  };
  ws: { ping: number };
  login(token: string): Promise<string>;
  destroy(): Promise<void>;
  isReady(): this is Client<true>;
  once(event: "clientReady", listener: (client: Client<true>) => void): this;
  once(event: "interactionCreate", listener: (interaction: Interaction) => void): this;
}

export declare class ButtonBuilder {
  setCustomId(id: string): this;
  setLabel(label: string): this;
  setStyle(style: number): this;
}

export declare class ActionRowBuilder<T> {
  addComponents(...components: T[]): this;
}
