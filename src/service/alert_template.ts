// Plain-text alert messages read with a bot's template ("{action} {ticker} sl={sl}").

/** Placeholders an `alert_template` may hold. */
export const TEMPLATE_PLACEHOLDERS = [
  "action",
  "ticker",
  "symbol",
  "price",
  "size",
  "sl",
  "tp",
  "alert_id",
  "comment",
  "passphrase",
] as const;

/** Reads a plain-text message with a template; literal text must match. */
export function readTemplate(
  text: string,
  template: string,
): { ok: true; fields: Record<string, unknown> } | {
  ok: false;
  problem: { field: string; message: string };
} {
  const parts = templateParts(template);
  if (typeof parts === "string") {
    return { ok: false, problem: { field: "template", message: parts } };
  }
  for (let n = parts.length; n >= 0; n--) {
    const m = templateRegex(parts.slice(0, n), n === parts.length).exec(text);
    if (!m) continue;
    if (n === parts.length) {
      const fields: Record<string, unknown> = {};
      parts.filter((p) => p.name).forEach((p, i) => (fields[p.name!] = m[i + 1]));
      return { ok: true, fields };
    }
    const next = parts[n];
    const after = n > 0 ? ` after ${describePart(parts[n - 1])}` : " at the start";
    const rest = text.slice(m[0].length).trimStart();
    const message = next.name
      ? `Expected {${next.name}}${after}, got ${rest ? JSON.stringify(clip(rest, 30)) : "nothing"}`
      : `Expected ${JSON.stringify(next.literal!.trim() || next.literal)}${after}, got ${
        rest ? JSON.stringify(clip(rest, 30)) : "the end of the message"
      }`;
    return {
      ok: false,
      problem: {
        field: next.name ?? "body",
        message: `${message} (the bot's alert_template is ${JSON.stringify(template)})`,
      },
    };
  }
  return {
    ok: false,
    problem: { field: "body", message: "The message does not match the template" },
  };
}

interface TemplatePart {
  name?: string;
  literal?: string;
}

const describePart = (p: TemplatePart) =>
  p.name ? `{${p.name}}` : JSON.stringify(p.literal!.trim() || p.literal);

/** The template as literal and placeholder parts, or what is wrong with it. */
function templateParts(template: string): TemplatePart[] | string {
  const parts: TemplatePart[] = [];
  const seen = new Set<string>();
  const re = /\{([^{}]*)\}/g;
  let at = 0;
  for (const m of template.matchAll(re)) {
    if (m.index > at) parts.push({ literal: template.slice(at, m.index) });
    const name = m[1].trim().toLowerCase();
    if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) {
      return `Unknown placeholder {${m[1]}}: use ${
        TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")
      }`;
    }
    if (seen.has(name)) return `Placeholder {${name}} is used twice: give it once`;
    if (parts.length && parts[parts.length - 1].name) {
      return `Placeholders {${parts[parts.length - 1].name}} and {${name}} touch: put text ` +
        "(such as a space) between them";
    }
    seen.add(name);
    parts.push({ name });
    at = m.index + m[0].length;
  }
  if (at < template.length) parts.push({ literal: template.slice(at) });
  if (!seen.has("action")) {
    return 'The template has no {action}: add it (such as "{action} {ticker}")';
  }
  return parts;
}

/**
 * What is wrong with an `alert_template`, or undefined when it is usable: known placeholders
 * only (see {@link TEMPLATE_PLACEHOLDERS}), each once, separated by text, `{action}` among them.
 */
export function templateProblem(template: string): string | undefined {
  const p = templateParts(template);
  return typeof p === "string" ? p : undefined;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function templateRegex(parts: TemplatePart[], whole: boolean): RegExp {
  const src = parts.map((p) => {
    if (p.literal !== undefined) {
      return p.literal.split(/(\s+)/).map((s) => (/^\s+$/.test(s) ? "\\s+" : escapeRe(s))).join(
        "",
      );
    }
    return p.name === "comment" ? "([\\s\\S]*?)" : "(\\S+)";
  }).join("");
  return new RegExp(`^${src}${whole ? "$" : ""}`, "i");
}

/** `s`, cut to `max` characters with an ellipsis. */
function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
