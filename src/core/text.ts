/**
 * Text helpers for user-controlled strings, all linear (loops, no backtracking regular expressions):
 * cutting echoed values, finding invisible characters in names, and escaping what reaches a renderer.
 */

/** Longest user value echoed in a message. */
export const MAX_ECHO_LENGTH = 200;

/** A user value as echoed in a message: at most `max` characters, with an ellipsis when cut. */
export function truncateText(text: string, max = MAX_ECHO_LENGTH): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Characters a name must not contain: C0 and C1 controls (NUL and newlines included), DEL, bidirectional
 * controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) and other invisible format characters
 * (zero-width space/joiners, word joiner, BOM, soft hyphen, interlinear annotations, tag characters).
 */
export function isInvisibleCharacter(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0xad ||
    code === 0x61c ||
    code === 0x180e ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x206f) ||
    code === 0xfeff ||
    (code >= 0xfff9 && code <= 0xfffb) ||
    (code >= 0xe0000 && code <= 0xe007f)
  );
}

/** The first invisible character of `text` as `U+XXXX` and its index, or undefined. */
export function invisibleCharacter(text: string): { index: number; codePoint: string } | undefined {
  let index = 0;
  for (const c of text) {
    const code = c.codePointAt(0) as number;
    if (isInvisibleCharacter(code)) return { index, codePoint: `U+${code.toString(16).toUpperCase().padStart(4, '0')}` };
    index += c.length;
  }
  return undefined;
}

/** `text` with every invisible character written as `\u{…}`, so one value always prints as one visible line. */
export function escapeInvisible(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.codePointAt(0) as number;
    out += isInvisibleCharacter(code) ? `\\u{${code.toString(16)}}` : c;
  }
  return out;
}

/** Whitespace runs that contain a line break become one space (linear; replaces /\s*[\r\n]+\s*\/g). */
export function foldLineBreaks(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (!/\s/.test(text[i])) {
      out += text[i++];
      continue;
    }
    const start = i;
    let lineBreak = false;
    while (i < text.length && /\s/.test(text[i])) {
      if (text[i] === '\n' || text[i] === '\r') lineBreak = true;
      i++;
    }
    out += lineBreak ? ' ' : text.slice(start, i);
  }
  return out;
}
