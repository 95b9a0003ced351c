// TradingView alert messages: JSON or templated plain text to a checked alert, mapped to a bot's
// market (its signal: alert_signal.ts).

import type { SignalSide } from "../core/trading.ts";
import {
  type AlertBot,
  mapProblem,
  readSymbol,
  sameExchange,
  splitMarket,
} from "./alert_symbol.ts";
import { readTemplate } from "./alert_template.ts";

export type { AlertBot } from "./alert_symbol.ts";
export { readSymbol } from "./alert_symbol.ts";
export { TEMPLATE_PLACEHOLDERS, templateProblem } from "./alert_template.ts";

/** How much to trade: a base quantity, a fraction of equity, or an amount of the quote currency. */
export type AlertSize =
  | { kind: "qty"; qty: number }
  | { kind: "equity"; fraction: number }
  | { kind: "quote"; amount: number; currency?: string };

/** A stop or target: an absolute price, or a distance in percent from the fill (1 = 1 %). */
export type AlertLevel = { price: number } | { pct: number };

/** An alert checked field by field; what the intake journals (without secret) and acts on. */
export interface ParsedAlert {
  action: SignalSide;
  /** The symbol as sent (`BINANCE:BTCUSDT.P`). */
  symbol: string;
  /** Normalised market, "BASE/QUOTE" or "BASE/QUOTE:SETTLE" for a perpetual; the bot's when mapped. */
  market?: string;
  /** The exchange the alert names (prefix or `exchange` field), as sent. */
  exchange?: string;
  price?: number;
  size?: AlertSize;
  sl?: AlertLevel;
  tp?: AlertLevel;
  confidence?: number;
  comment?: string;
  alert_id?: string;
  /** When TradingView fired it (`timenow`, else `time`), UTC ms. */
  sent_at?: number;
  /** The bar's open time (`time`), UTC ms, when given. */
  bar_ts?: number;
  /** The chart's interval as sent (`{{interval}}`: "1", "60", "1D"). */
  interval?: string;
  /** The bot id named in the message. */
  bot?: string;
}

/** One thing wrong with an alert: the field (as the sender named it) and what is wrong. */
export interface AlertProblem {
  field: string;
  message: string;
}

/**
 * What {@link parseAlert} answers. Both sides carry the passphrase found (to check it, never to
 * store) and `redacted`: the body with any passphrase removed, safe to journal.
 */
export type AlertParse =
  | { ok: true; alert: ParsedAlert; passphrase?: string; redacted: string }
  | { ok: false; problems: AlertProblem[]; passphrase?: string; redacted: string };

/** Options of {@link parseAlert}. */
export interface ParseAlertOptions {
  /** The request's Content-Type; only used in messages (TradingView sends text/plain for JSON). */
  contentType?: string;
  /** The bot it is for: the symbol must map to its market (default: not checked). */
  bot?: AlertBot;
  /** The bot's `alert_template` for plain-text messages, e.g. "{action} {ticker} sl={sl}". */
  template?: string;
  /**
   * Secrets known to the caller (the bot's and the global webhook secret): removed from
   * `redacted` wherever they appear, even in a body too broken to find its passphrase field.
   */
  secrets?: readonly string[];
}

const ACTIONS: Record<string, SignalSide> = {
  buy: "long",
  long: "long",
  sell: "short",
  short: "short",
  exit: "exit",
  close: "exit",
  flat: "exit",
};

const UNFILLED = /\{\{[^{}]{0,60}\}\}/;
const SECRET_KEY = /pass(word|phrase)?|secret|token|api_?key/i;
const REDACTED = "[redacted]";
const MAX_TEXT = 500;

/**
 * Parses a TradingView alert message into a checked alert: JSON when the body is a JSON object
 * (whatever the Content-Type: TradingView sends text/plain for JSON), else plain text read with
 * the bot's template. Unknown fields are ignored; numbers may be strings; every problem names its
 * field. Never throws. Fields: `passphrase`, `bot`, `action` (buy, sell, long, short, exit, close,
 * flat; any case), `symbol` or `ticker` (`BINANCE:BTCUSDT.P`, `OKX:BTCUSDT`, `BTCUSDT`,
 * `BTC/USDT`), `exchange`, `price`, `size` (quantity, `"5%"` of equity, `"100 USDT"` or `"$100"`),
 * `sl` / `tp` (price, or `"1%"` from the fill), `confidence` (0..1 or "80%"), `comment`,
 * `alert_id`, `time` / `timenow` (ISO or ms), `interval`, and strategy placeholders
 * `strategy.order.action`, `strategy.order.contracts`, `strategy.position_size`,
 * `strategy.market_position` (flat keys as written, or nested objects). When
 * `strategy.position_size` is given it decides: 0 exit, above 0 long, below 0 short (it is the
 * position the strategy wants after the order). Without `size`, `strategy.order.contracts` is the
 * quantity.
 *
 * Ready-to-paste alert messages (replace the passphrase and bot id):
 *
 * A strategy's orders (Pine `strategy.*`), acting on the strategy's intended position:
 * ```json
 * {"passphrase": "CHANGE-ME-16-chars-min", "bot": "btc_tv", "symbol": "{{ticker}}",
 *  "exchange": "{{exchange}}", "action": "{{strategy.order.action}}",
 *  "strategy.position_size": "{{strategy.position_size}}",
 *  "strategy.order.contracts": "{{strategy.order.contracts}}", "price": "{{close}}",
 *  "time": "{{time}}", "timenow": "{{timenow}}", "interval": "{{interval}}",
 *  "alert_id": "{{strategy.order.id}}-{{timenow}}", "comment": "{{strategy.order.comment}}"}
 * ```
 * An indicator or price alert that buys 5 % of equity with a 1 % stop and 2 % target:
 * ```json
 * {"passphrase": "CHANGE-ME-16-chars-min", "bot": "btc_tv", "action": "buy",
 *  "symbol": "{{ticker}}", "price": "{{close}}", "size": "5%", "sl": "1%", "tp": "2%",
 *  "timenow": "{{timenow}}", "comment": "breakout {{interval}}"}
 * ```
 * Closing the position:
 * ```json
 * {"passphrase": "CHANGE-ME-16-chars-min", "bot": "btc_tv", "action": "exit",
 *  "symbol": "{{ticker}}", "timenow": "{{timenow}}"}
 * ```
 * Plain text, with `alert_template: "{action} {ticker} sl={sl}"` in the bot file (the secret then
 * goes in the URL path, or add `{passphrase}` to the template): `buy {{ticker}} sl=1%`.
 *
 * @example
 * ```ts
 * const r = parseAlert('{"action":"buy","symbol":"BINANCE:BTCUSDT.P","sl":"1%"}', {
 *   bot: { bot_id: "b", exchange: "binanceusdm", symbol: "BTC/USDT:USDT" },
 * });
 * if (r.ok) r.alert; // { action: "long", symbol: "BINANCE:BTCUSDT.P", market: "BTC/USDT:USDT", sl: { pct: 1 }, ... }
 * ```
 */
export function parseAlert(body: string, o: ParseAlertOptions = {}): AlertParse {
  let r: AlertParse;
  try {
    r = parse(typeof body === "string" ? body : String(body), o);
  } catch (err) {
    // A bug must not become a 5xx: report it as a problem with the body.
    r = {
      ok: false,
      problems: [{ field: "body", message: `The alert could not be read: ${String(err)}` }],
      redacted: redactText(String(body)),
    };
  }
  for (const s of [...(o.secrets ?? []), r.passphrase ?? ""]) {
    if (s.length >= 4) r.redacted = r.redacted.split(s).join(REDACTED);
  }
  return r;
}

/**
 * The bot id and passphrase of a JSON message, read without checking anything else: what the
 * intake needs to find the bot (and its template and secret) before {@link parseAlert}. Empty for
 * plain text (its bot comes from the URL path) and for bodies that are not a JSON object.
 */
export function alertEnvelope(body: string): { bot?: string; passphrase?: string } {
  const text = typeof body === "string" ? body.trim() : "";
  if (!text.startsWith("{")) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  const f = flatten(value as Record<string, unknown>);
  const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
  const bot = str(f.bot) ?? str(f.bot_id);
  const passphrase = typeof f.passphrase === "string" ? f.passphrase : undefined;
  return {
    ...(bot !== undefined ? { bot } : {}),
    ...(passphrase !== undefined ? { passphrase } : {}),
  };
}

function parse(body: string, o: ParseAlertOptions): AlertParse {
  const text = body.trim();
  let fields: Record<string, unknown> | undefined;
  let problems: AlertProblem[] = [];
  let redacted: string;
  if (text.startsWith("{") || text.startsWith("[")) {
    let value: unknown;
    let jsonError: string | undefined;
    try {
      value = JSON.parse(text);
    } catch (err) {
      jsonError = err instanceof Error ? err.message : String(err);
    }
    if (jsonError === undefined) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return fail(
          [{
            field: "body",
            message: 'Expected one JSON object of fields (such as {"action": "buy", ...}), ' +
              "got a list",
          }],
          undefined,
          redactText(body),
        );
      }
      fields = flatten(value as Record<string, unknown>);
      redacted = JSON.stringify(redactObject(value as Record<string, unknown>));
    } else if (!o.template?.trim().startsWith("{") || /^\{\s*["}]/.test(text)) {
      // (a template may start with a placeholder, "{action} ...", so text starting with "{"
      // may be meant for it; text starting with '{"' never is)
      const declared = /json/i.test(o.contentType ?? "") ? " (sent as JSON)" : "";
      return fail(
        [{
          field: "body",
          message: `The message looks like JSON${declared} but is not valid JSON: ${
            clip(jsonError)
          }; check the quotes and commas of the alert message`,
        }],
        undefined,
        redactText(body),
      );
    } else redacted = redactText(body);
  } else redacted = redactText(body);

  if (!fields) {
    if (o.template === undefined) {
      return fail(
        [{
          field: "body",
          message:
            "The message is plain text, but the bot has no alert_template to read it: send " +
            'a JSON message (such as {"action": "buy", "symbol": "{{ticker}}"}) or set ' +
            'alert_template in the bot file (such as "{action} {ticker}")',
        }],
        undefined,
        redacted,
      );
    }
    const t = readTemplate(text, o.template);
    if (!t.ok) return fail([t.problem], undefined, redacted);
    fields = t.fields;
    if (typeof fields.passphrase === "string" && fields.passphrase !== "") {
      redacted = redacted.split(fields.passphrase).join(REDACTED);
    }
  }

  const passphrase = typeof fields.passphrase === "string" ? fields.passphrase : undefined;
  const r = readFields(fields, o);
  problems = r.problems;
  if (problems.length) return fail(problems, passphrase, redacted);
  return {
    ok: true,
    alert: r.alert!,
    ...(passphrase !== undefined ? { passphrase } : {}),
    redacted,
  };
}

function fail(problems: AlertProblem[], passphrase: string | undefined, redacted: string) {
  return {
    ok: false as const,
    problems,
    ...(passphrase !== undefined ? { passphrase } : {}),
    redacted,
  };
}

/** Keys in lower case; nested objects as dotted keys ({strategy: {order: {action}}}). */
function flatten(obj: Record<string, unknown>, prefix = "", out: Record<string, unknown> = {}) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix + k.trim().toLowerCase();
    if (typeof v === "object" && v !== null && !Array.isArray(v) && prefix.split(".").length < 4) {
      flatten(v as Record<string, unknown>, `${key}.`, out);
    } else if (!(key in out)) out[key] = v;
  }
  return out;
}

function redactObject(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (SECRET_KEY.test(k)) continue;
    out[k] = typeof v === "object" && v !== null && !Array.isArray(v)
      ? redactObject(v as Record<string, unknown>)
      : v;
  }
  return out;
}

/** Best effort for text that is not a JSON object: secrets after a secret-like key are masked. */
function redactText(text: string): string {
  return text
    .replace(
      /("(?:[^"\\]*(?:pass|secret|token|api_?key)[^"\\]*)"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}\s]*)/gi,
      `$1"${REDACTED}"`,
    )
    .replace(/\b((?:pass\w*|secret|token|api_?key)\s*[=:]\s*)\S+/gi, `$1${REDACTED}`);
}

/** The known fields, checked one by one. */
function readFields(
  f: Record<string, unknown>,
  o: ParseAlertOptions,
): { alert?: ParsedAlert; problems: AlertProblem[] } {
  const problems: AlertProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const get = (...names: string[]): [string, unknown] | undefined => {
    for (const n of names) {
      const v = f[n];
      if (v === undefined || v === null) continue;
      if (typeof v === "string" && v.trim() === "") continue;
      if (typeof v === "string") {
        const m = UNFILLED.exec(v);
        if (m) {
          add(n, unfilled(m[0]));
          return [n, undefined];
        }
      }
      return [n, v];
    }
    return undefined;
  };
  const text = (name: string, v: unknown): string | undefined => {
    if (typeof v === "string") return clip(v.trim(), MAX_TEXT);
    if (typeof v === "number" && Number.isFinite(v)) return String(v);
    add(name, `Expected a text, got ${kind(v)}`);
    return undefined;
  };

  // action, from the explicit field, the strategy's order, or its position.
  let action: SignalSide | undefined;
  const act = get("action", "strategy.order.action", "strategy.market_position", "side");
  if (act && act[1] !== undefined) {
    const s = typeof act[1] === "string" ? act[1].trim().toLowerCase() : undefined;
    action = s !== undefined ? ACTIONS[s] : undefined;
    if (!action) {
      add(
        act[0],
        `${typeof act[1] === "string" ? `"${clip(act[1].trim(), 40)}"` : kind(act[1])} is ` +
          "not an action: use buy, sell, long, short, exit, close or flat",
      );
    }
  }
  const pos = get("strategy.position_size");
  if (pos && pos[1] !== undefined) {
    const n = num(pos[0], pos[1], add);
    if (n !== undefined) action = n === 0 ? "exit" : n > 0 ? "long" : "short";
  }
  if (!action && !act && !pos) {
    add(
      "action",
      'Required: what to do, one of buy, sell, long, short, exit, close, flat (such as "action": ' +
        '"{{strategy.order.action}}")',
    );
  }

  // symbol and exchange
  const sym = get("symbol", "ticker");
  let symbol: string | undefined;
  let market: string | undefined;
  let exchange: string | undefined;
  const exField = get("exchange");
  if (exField && exField[1] !== undefined) exchange = text("exchange", exField[1]);
  if (!sym) {
    add("symbol", 'Required: the market, such as "symbol": "{{ticker}}"');
  } else if (sym[1] !== undefined) {
    symbol = text(sym[0], sym[1]);
    if (symbol !== undefined) {
      const s = readSymbol(symbol);
      if (typeof s === "string") add(sym[0], s);
      else {
        market = s.market;
        if (s.prefix && exchange && !sameExchange(s.prefix, exchange)) {
          add("exchange", `"${exchange}" differs from the exchange "${s.prefix}" of "${symbol}"`);
        }
        exchange = s.prefix ?? exchange;
        if (o.bot) {
          const bad = mapProblem(s, exchange, o.bot, symbol);
          if (bad) add(bad.field === "symbol" ? sym[0] : bad.field, bad.message);
          else market = o.bot.symbol;
        }
      }
    }
  }

  // numbers
  const p = get("price");
  const price = p && p[1] !== undefined ? positive(p[0], p[1], add) : undefined;
  let size: AlertSize | undefined;
  const sz = get("size", "qty", "quantity");
  if (sz && sz[1] !== undefined) size = readSize(sz[0], sz[1], add, o.bot);
  else if (!sz) {
    const c = get("strategy.order.contracts", "contracts");
    if (c && c[1] !== undefined) {
      const q = positive(c[0], c[1], add, true);
      if (q !== undefined && q > 0) size = { kind: "qty", qty: q };
    }
  }
  const level = (name: string) => {
    const v = get(name);
    return v && v[1] !== undefined ? readLevel(name, v[1], add) : undefined;
  };
  const sl = level("sl");
  const tp = level("tp");
  let confidence: number | undefined;
  const cf = get("confidence");
  if (cf && cf[1] !== undefined) {
    const pct = typeof cf[1] === "string" && cf[1].trim().endsWith("%");
    const n = num("confidence", pct ? (cf[1] as string).trim().slice(0, -1) : cf[1], add);
    if (n !== undefined) {
      const c = pct ? n / 100 : n;
      if (c < 0 || c > 1) add("confidence", `${n}${pct ? "%" : ""} is not between 0 and 1`);
      else confidence = c;
    }
  }
  const cm = get("comment");
  const comment = cm && cm[1] !== undefined ? text("comment", cm[1]) : undefined;
  const id = get("alert_id", "id");
  const alertId = id && id[1] !== undefined ? text(id[0], id[1]) : undefined;
  const iv = get("interval");
  const interval = iv && iv[1] !== undefined ? text("interval", iv[1]) : undefined;
  const bt = get("bot", "bot_id");
  const bot = bt && bt[1] !== undefined ? text(bt[0], bt[1]) : undefined;
  if (bot !== undefined && o.bot && bot !== o.bot.bot_id) {
    add(bt![0], `The message is for bot "${clip(bot, 64)}", not "${o.bot.bot_id}"`);
  }
  const tm = get("time");
  const barTs = tm && tm[1] !== undefined ? readTime("time", tm[1], add) : undefined;
  const tn = get("timenow");
  const now = tn && tn[1] !== undefined ? readTime("timenow", tn[1], add) : undefined;
  if (action === "exit") {
    if (sl) add("sl", "An exit takes no stop-loss: leave sl out");
    if (tp) add("tp", "An exit takes no take-profit: leave tp out");
  }
  if (problems.length) return { problems };
  const sentAt = now ?? barTs;
  return {
    problems,
    alert: {
      action: action!,
      symbol: symbol!,
      ...(market !== undefined ? { market } : {}),
      ...(exchange !== undefined ? { exchange } : {}),
      ...(price !== undefined ? { price } : {}),
      ...(size !== undefined ? { size } : {}),
      ...(sl !== undefined ? { sl } : {}),
      ...(tp !== undefined ? { tp } : {}),
      ...(confidence !== undefined ? { confidence } : {}),
      ...(comment !== undefined ? { comment } : {}),
      ...(alertId !== undefined ? { alert_id: alertId } : {}),
      ...(sentAt !== undefined ? { sent_at: sentAt } : {}),
      ...(barTs !== undefined ? { bar_ts: barTs } : {}),
      ...(interval !== undefined ? { interval } : {}),
      ...(bot !== undefined ? { bot } : {}),
    },
  };
}

function unfilled(placeholder: string): string {
  const hint = /strategy\./i.test(placeholder)
    ? "strategy placeholders are filled only in alerts created on a strategy (not an " +
      "indicator or a price alert): create the alert on the strategy or write a fixed value"
    : "check its spelling against TradingView's list of placeholders, or write a fixed value";
  return `TradingView did not fill in ${placeholder}: ${hint}`;
}

type Add = (field: string, message: string) => void;

const kind = (v: unknown): string =>
  v === null
    ? "null"
    : Array.isArray(v)
    ? "a list"
    : typeof v === "string"
    ? `the text ${JSON.stringify(clip(v, 40))}`
    : typeof v === "object"
    ? "an object"
    : `${typeof v} ${String(v)}`;

function clip(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** A finite number, from a number or a numeric text ("65000.5" from {{close}}). */
function num(field: string, v: unknown, add: Add): number | undefined {
  let n: number | undefined;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(v)) {
    n = Number(v);
  }
  if (n === undefined || !Number.isFinite(n)) {
    add(field, `Expected a number, got ${kind(v)}`);
    return undefined;
  }
  return n;
}

function positive(field: string, v: unknown, add: Add, zeroOk = false): number | undefined {
  const n = num(field, v, add);
  if (n === undefined) return undefined;
  if (n < 0 || (n === 0 && !zeroOk) || n > 1e15) {
    add(field, `${n} is not a positive number`);
    return undefined;
  }
  return n;
}

function readSize(field: string, v: unknown, add: Add, bot?: AlertBot): AlertSize | undefined {
  if (typeof v === "string") {
    const s = v.trim();
    if (s.endsWith("%")) {
      const n = positive(field, s.slice(0, -1), add);
      if (n === undefined) return undefined;
      if (n > 100) {
        add(field, `${s} of equity is above 100%`);
        return undefined;
      }
      return { kind: "equity", fraction: n / 100 };
    }
    const dollar = /^\$\s*([0-9.eE+-]+)$/.exec(s) ?? /^([0-9.eE+-]+)\s*\$$/.exec(s);
    const coded = /^([0-9.eE+-]*[0-9.])\s*([A-Za-z]{2,10})$/.exec(s);
    if (dollar || coded) {
      const n = positive(field, (dollar ?? coded)![1], add);
      if (n === undefined) return undefined;
      const currency = coded ? coded[2].toUpperCase() : undefined;
      if (bot && currency) {
        const quote = splitMarket(bot.symbol)?.quote;
        if (quote && currency !== quote) {
          add(field, `${s} is in ${currency}, but bot "${bot.bot_id}" trades in ${quote}`);
          return undefined;
        }
      }
      return { kind: "quote", amount: n, ...(currency ? { currency } : {}) };
    }
  }
  const n = positive(field, v, add);
  return n === undefined ? undefined : { kind: "qty", qty: n };
}

function readLevel(field: string, v: unknown, add: Add): AlertLevel | undefined {
  if (typeof v === "string" && v.trim().endsWith("%")) {
    const n = positive(field, v.trim().slice(0, -1), add);
    if (n === undefined) return undefined;
    if (n >= 100) {
      add(field, `${v.trim()} from the fill is 100% or more: use a smaller distance`);
      return undefined;
    }
    return { pct: n };
  }
  const n = positive(field, v, add);
  return n === undefined ? undefined : { price: n };
}

function readTime(field: string, v: unknown, add: Add): number | undefined {
  let ms: number | undefined;
  if (typeof v === "number" || (typeof v === "string" && /^\s*\d+(\.\d+)?\s*$/.test(v))) {
    ms = Number(v);
  } else if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v.trim())) {
    const s = v.trim().replace(" ", "T");
    ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(s) ? s : `${s}Z`);
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > 8.64e15) {
    add(
      field,
      `Expected a time, ISO (such as "2024-01-02T13:00:00Z") or UTC milliseconds, got ${kind(v)}`,
    );
    return undefined;
  }
  return Math.round(ms);
}
