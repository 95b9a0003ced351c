// What every chat platform shares: who writes, what a message shows, where a sent one lives, and
// the commands a platform registers. The adapters (telegram.ts, discord.ts) translate these to and
// from their wire; nothing here knows a platform's API.

/** A chat platform Tidewatch speaks. */
export type Platform = "telegram" | "discord";

/** A person writing from a chat: the platform's user id, a display name, Discord role ids. */
export interface ChatUser {
  platform: Platform;
  /** The platform's numeric user id, as text (never a chat or channel id). */
  id: string;
  /** @username or display name, for the audit log and "decided by" lines. */
  name: string;
  /** Discord role ids of the user in the guild (empty elsewhere). */
  roles?: readonly string[];
}

/** A button under a message; `data` comes back when it is pressed (at most 64 bytes). */
export interface ChatButton {
  label: string;
  data: string;
  style?: "primary" | "success" | "danger";
}

/** A PNG picture sent with a message (the text becomes its caption). */
export interface ChatImage {
  png: Uint8Array;
  /** File name, e.g. "chart-ema_01.png". */
  name: string;
}

/** What a chat shows: plain text (no markup), optional rows of buttons, an optional picture. */
export interface ChatMessage {
  text: string;
  buttons?: ChatButton[][];
  image?: ChatImage;
}

/** Where a sent message lives, so it can be edited later. */
export interface SentRef {
  platform: Platform;
  chatId: string;
  messageId: string;
}

/**
 * A platform's sending side, as notifications and confirmations use it. Sends and edits may
 * fail (the platform is down, slow or refuses); callers queue and retry them (see Outbox).
 */
export interface ChatChannel {
  readonly platform: Platform;
  /** The chats notifications go to (TELEGRAM_CHAT_IDS, DISCORD_CHANNEL_IDS). */
  readonly chats: readonly string[];
  send(chatId: string, m: ChatMessage): Promise<SentRef>;
  /** Replaces the text and buttons of a sent message (no `buttons`: removes them). */
  edit(ref: SentRef, m: ChatMessage): Promise<void>;
}

/** The answer to a pressed button: a short notice for the presser, and the message's new face. */
export interface PressAnswer {
  /** Shown to the presser only (Telegram: callback answer; Discord: ephemeral reply). */
  notice: string;
  /** The pressed message's new text and buttons, when it changes. */
  edit?: ChatMessage;
}

/** One argument of a chat command. */
export interface ArgSpec {
  name: string;
  description: string;
  /** `bot`: a bot id (completed from a prefix); `choice`: one of `choices`. */
  kind: "bot" | "text" | "integer" | "choice";
  required: boolean;
  choices?: readonly string[];
}

/** A chat command: its name (no slash), a one-line description and its arguments in order. */
export interface CommandSpec {
  name: string;
  description: string;
  args: readonly ArgSpec[];
  /** Whether it changes anything (start, stop, confirm...): read-only users may not use it. */
  write: boolean;
}

const BOT = (required: boolean, description = "Bot id (a prefix is enough)"): ArgSpec => ({
  name: "bot",
  description,
  kind: "bot",
  required,
});

/**
 * Every chat command, in the order `/help` lists them. Telegram registers them with
 * `setMyCommands`; Discord as slash commands with these options, in the configured guild.
 */
export const CHAT_COMMANDS: readonly CommandSpec[] = [
  {
    name: "status",
    description: "Service mode, exchanges and bots by state",
    args: [],
    write: false,
  },
  {
    name: "bots",
    description: "Every bot with its state, equity and position",
    args: [],
    write: false,
  },
  {
    name: "bot",
    description: "One bot: state, equity, position, open orders, why no trade",
    args: [BOT(true)],
    write: false,
  },
  { name: "start", description: "Start a bot", args: [BOT(true)], write: true },
  {
    name: "stop",
    description: "Stop a bot (its entries are cancelled)",
    args: [BOT(true)],
    write: true,
  },
  {
    name: "pause",
    description: "Pause a bot: no new entries, exits still managed",
    args: [BOT(true)],
    write: true,
  },
  { name: "resume", description: "Resume a paused bot", args: [BOT(true)], write: true },
  { name: "positions", description: "Open positions with unrealised P&L", args: [], write: false },
  {
    name: "pnl",
    description: "P&L by day, week, month and since the start",
    args: [
      BOT(false, "Bot id (default: every bot)"),
      {
        name: "period",
        description: "Period",
        kind: "choice",
        required: false,
        choices: ["day", "week", "month", "all"],
      },
    ],
    write: false,
  },
  {
    name: "trades",
    description: "Latest closed trades",
    args: [
      BOT(false, "Bot id (default: every bot)"),
      { name: "n", description: "How many (1-50, default 10)", kind: "integer", required: false },
    ],
    write: false,
  },
  { name: "pending", description: "Entries waiting for confirmation", args: [], write: false },
  {
    name: "confirm",
    description: "Confirm a pending entry: it is sent",
    args: [{ name: "id", description: "Pending id (or its start)", kind: "text", required: true }],
    write: true,
  },
  {
    name: "reject",
    description: "Reject a pending entry: it is dropped",
    args: [{ name: "id", description: "Pending id (or its start)", kind: "text", required: true }],
    write: true,
  },
  { name: "kill", description: "Stop every bot (asks again; can flatten)", args: [], write: true },
  { name: "daily", description: "Today's summary: P&L, trades and bots", args: [], write: false },
  {
    name: "chart",
    description: "Recent candles with entries, exits and SL/TP, as a picture",
    args: [BOT(true)],
    write: false,
  },
  {
    name: "backtest",
    description: "Backtest on stored candles: metrics and equity curve",
    args: [
      { name: "strategy", description: "Strategy name", kind: "text", required: true },
      { name: "symbol", description: "Symbol, e.g. BTC/USDT", kind: "text", required: true },
      { name: "timeframe", description: "Timeframe, e.g. 1h", kind: "text", required: true },
      { name: "days", description: "Days back (default 30)", kind: "integer", required: false },
    ],
    write: true,
  },
  { name: "help", description: "What each command does", args: [], write: false },
];

/** Where a command or a press came from. */
export interface ChatPlace {
  platform: Platform;
  chatId: string;
}

/**
 * What an adapter calls for each command and each pressed button (the chat core implements it):
 * the adapter parses its platform's input into these calls and renders what they answer.
 */
export interface ChatHandler {
  /** A command (`name` without the slash or @botname) with its words, answered with a message. */
  run(
    user: ChatUser,
    name: string,
    args: readonly string[],
    where: ChatPlace,
  ): Promise<ChatMessage>;
  /** A pressed button of message `where`, with the button's `data`. */
  press(user: ChatUser, data: string, where: SentRef): Promise<PressAnswer>;
}
