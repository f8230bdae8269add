/**
 * Markdown helpers for GitHub-flavoured Markdown that contains user-controlled text (policy names, record
 * values, AWS errors). Everything here is pure string work.
 */

/** Characters that mean something to GFM (or to GitHub's HTML sanitizer) and are written as entities. */
const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\\': '&#92;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '[': '&#91;',
  ']': '&#93;',
  '#': '&#35;',
  '|': '&#124;',
  '~': '&#126;',
  $: '&#36;',
};

/** U+200D ZERO WIDTH JOINER: placed after `@` so `@org/team` in a policy value never pings anyone. */
const ZWJ = '\u200d';

/**
 * Escapes user-controlled text for use inside Markdown paragraphs, list items, headings and inline HTML
 * such as `<summary>`: special characters become HTML entities (which work in both Markdown and HTML
 * contexts, unlike backslash escapes), line breaks become spaces so the text cannot start a new block,
 * `<`/`>` are escaped so `</details>` or `-->` cannot close our markup, and `@mentions` get a zero-width
 * joiner so they do not notify anyone.
 */
export function escapeMarkdown(text: string): string {
  let out = text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ').replace(/[&<>"\\`*_[\]#|~$]/g, (c) => entities[c] ?? c);
  // `@name` mentions and `@org/team` mentions: only when `@` does not follow a word character (e-mail
  // addresses do not ping), the same rule GitHub uses to find mentions.
  out = out.replace(/(^|[^A-Za-z0-9])@(?=[A-Za-z0-9])/g, `$1@${ZWJ}`);
  // Block syntax that only matters at the start of a line: list bullets, ordered lists, setext underlines.
  out = out.replace(/^(\s*)([-+=])/, (_m, space: string, c: string) => `${space}&#${c.charCodeAt(0)};`);
  out = out.replace(/^(\s*\d+)([.)])/, (_m, digits: string, c: string) => `${digits}&#${c.charCodeAt(0)};`);
  return out;
}

/**
 * An inline code span that shows `text` literally: the backtick fence is longer than any run of backticks
 * inside, so the value cannot end the span. Code spans are not scanned for mentions or HTML.
 */
export function inlineCode(text: string): string {
  const flat = text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
  const fence = '`'.repeat(longestRun(flat, '`') + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || /^ .* $/.test(flat) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced code block whose fence cannot be closed by the content. */
export function codeBlock(text: string, lang = ''): string {
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  const body = text.endsWith('\n') ? text : `${text}\n`;
  return `${fence}${lang}\n${body}${fence}`;
}

/** A link whose target is an http(s) URL; anything else is shown as escaped text without a link. */
export function link(label: string, url: string | undefined): string {
  const safe = safeUrl(url);
  return safe ? `[${escapeMarkdown(label)}](${safe})` : escapeMarkdown(label);
}

export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    return parsed.href.replace(/[()<>\s"']/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  } catch {
    return undefined;
  }
}

/**
 * Cuts `text` to at most `max` characters (counting the marker), without splitting a surrogate pair,
 * and says how much was left out.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = (n: number) => `… (${n} more characters)`;
  let cut = Math.max(0, max - marker(text.length).length);
  if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  return `${text.slice(0, cut)}${marker(text.length - cut)}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function longestRun(text: string, char: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}
