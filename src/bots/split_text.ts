// Cutting a long chat text into pieces a platform accepts (Telegram: 4096, captions 1024).

/**
 * The first piece of `text` of at most `limit` UTF-16 units, and the rest. The cut falls at a
 * line end, else a space, in the second half of the piece when there is one; otherwise exactly
 * at `limit` (never between the halves of a surrogate pair). The separator cut at is dropped.
 *
 * @example
 * ```ts
 * splitHead("one two\nthree", 9); // ["one two", "three"]
 * ```
 */
export function splitHead(text: string, limit: number): [string, string] {
  if (limit < 2) throw new RangeError(`splitHead: limit ${limit} is below 2`);
  if (text.length <= limit) return [text, ""];
  for (const separator of ["\n", " "]) {
    const at = text.lastIndexOf(separator, limit);
    if (at >= limit / 2) return [text.slice(0, at), text.slice(at + 1)];
  }
  const code = text.charCodeAt(limit - 1);
  const cut = code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
  return [text.slice(0, cut), text.slice(cut)];
}

/**
 * `text` cut into pieces of at most `limit` UTF-16 units (see {@link splitHead}), in order;
 * blank pieces are left out, so a blank text gives none.
 *
 * @example
 * ```ts
 * splitText("a".repeat(5000), 4096).map((p) => p.length); // [4096, 904]
 * ```
 */
export function splitText(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest !== "") {
    const [head, tail] = splitHead(rest, limit);
    if (head.trim() !== "") pieces.push(head);
    rest = tail;
  }
  return pieces;
}
