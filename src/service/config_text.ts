// Parses a config file's YAML or JSON text, turning syntax errors into messages with line and column.

import { parseDocument, visit } from "yaml";

/** Where in a text something is: 1-based line and column. */
export interface TextPosition {
  line: number;
  column: number;
}

/** A parsed config text, or the first syntax error with its position. */
export type ParsedText =
  | { ok: true; value: unknown }
  | { ok: false; message: string; position?: TextPosition };

/** The format of a config file from its name: ".json" is JSON, ".yaml"/".yml" YAML, else none. */
export function configFormat(name: string): "json" | "yaml" | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  return undefined;
}

/**
 * Parses `text` as `format`. YAML uses the YAML 1.2 core schema (so `yes` stays a string) and
 * refuses duplicate keys; JSON is strict JSON. Never throws: a syntax error comes back with the
 * position of the first problem.
 *
 * @example
 * ```ts
 * const res = parseConfigText("bot_id: a\nstrategy: [", "yaml");
 * if (!res.ok) console.log(res.position?.line, res.message);
 * ```
 */
export function parseConfigText(text: string, format: "json" | "yaml"): ParsedText {
  return format === "json" ? parseJson(text) : parseYaml(text);
}

function parseYaml(text: string): ParsedText {
  const doc = parseDocument(text, { uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    // The pretty message repeats the position and quotes the source; keep the first clause.
    const message = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    const pos = err.linePos?.[0];
    return { ok: false, message, position: pos && { line: pos.line, column: pos.col } };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    // The yaml package refuses aliases that expand too far (a "billion laughs" bomb) with a
    // ReferenceError; say so, at the first alias, instead of failing without a file or line.
    if (!(err instanceof ReferenceError) || !/alias/i.test(err.message)) throw err;
    let at: number | undefined;
    visit(doc, {
      Alias(_, node) {
        at = node.range?.[0];
        return visit.BREAK;
      },
    });
    return {
      ok: false,
      message: `aliases expand too far (more than ${MAX_ALIAS_COUNT} nodes each; an alias bomb?)`,
      position: at === undefined ? undefined : positionAt(text, at),
    };
  }
}

/** How far one YAML alias may expand before the text is refused as a resource-exhaustion attack. */
const MAX_ALIAS_COUNT = 100;

function parseJson(text: string): ParsedText {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    // V8's message sometimes quotes the whole input and often lacks a position: drop the quote
    // and find the position ourselves.
    const raw = err instanceof Error ? err.message : String(err);
    const message = raw
      .replace(/, ".*" is not valid JSON$/s, "")
      .replace(/ at position \d+(?: \(line \d+ column \d+\))?$/, "");
    return { ok: false, message, position: positionAt(text, jsonErrorOffset(text)) };
  }
}

/** 1-based line and column of character `offset` in `text`. */
export function positionAt(text: string, offset: number): TextPosition {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

/**
 * The offset of the first character at which `text` stops being valid JSON (its length when it
 * ends too early). Only called after JSON.parse failed, to say where.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const string = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "x")) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        string();
        ws();
        if (text[i] !== ":") fail();
        i++;
        value();
        ws();
        if (text[i] === "}") return void i++;
        if (text[i] !== ",") fail();
        i++;
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === "]") return void i++;
        if (text[i] !== ",") fail();
        i++;
      }
    }
    if (c === '"') return string();
    const m = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/.exec(
      text.slice(i, i + 400),
    );
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (at) {
    if (typeof at === "number") return Math.min(at, text.length);
    throw at;
  }
  return text.length;
}
