/**
 * A linear-time wildcard matcher for plain names (principal names, branch names): no path semantics, no
 * regular expressions. `*` matches any characters at all (including `/`, dots and newlines), `?` one
 * character, `[a-z]` / `[!a-z]` one character of a set, `{a,b}` alternatives, `\` escapes the next
 * character. An unclosed `[` or `{` is literal.
 *
 * Why not a glob library: globs are compiled to backtracking regular expressions with path rules (`*` stops
 * at `/` and newlines, `/./` segments), which a hostile name can make slow or fail open. Here each
 * alternative is split at its stars into fixed-length segments that are matched left to right, the leftmost
 * occurrence each time, so one match costs at most name length × pattern length steps.
 */

/** Longest pattern accepted, in characters. */
export const MAX_PATTERN_LENGTH = 256;
/** Most `*` in one pattern (summed over its alternatives). */
export const MAX_PATTERN_STARS = 16;
/** Most alternatives a pattern's `{…}` groups expand to. */
export const MAX_PATTERN_ALTERNATIVES = 64;

type Token = { any: true } | { chars: string; negate: boolean; ranges: Array<[string, string]> } | { literal: string };
/** Fixed-length runs between stars: anchored at start (first), at end (last), anywhere in between. */
type Alternative = Token[][];

export interface WildcardOptions {
  /** Compare case-insensitively (lower-cased both sides). */
  ignoreCase?: boolean;
}

/** Why a pattern is refused (too long, too many stars or alternatives), or undefined when it is usable. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `is ${pattern.length} characters long; patterns are limited to ${MAX_PATTERN_LENGTH}`;
  const alternatives = expandBraces(pattern);
  if (alternatives === undefined) return `expands to more than ${MAX_PATTERN_ALTERNATIVES} alternatives`;
  const stars = alternatives.reduce((n, a) => n + countStars(a), 0);
  if (stars > MAX_PATTERN_STARS) return `has ${stars} wildcards (*); patterns are limited to ${MAX_PATTERN_STARS}`;
  return undefined;
}

/** Compiles a pattern; throws when patternProblem would report one. */
export function compileWildcard(pattern: string, options: WildcardOptions = {}): (name: string) => boolean {
  const problem = patternProblem(pattern);
  if (problem) throw new Error(`Pattern ${JSON.stringify(pattern.slice(0, 40))} ${problem}`);
  const fold = options.ignoreCase ? (s: string) => s.toLowerCase() : (s: string) => s;
  const alternatives = (expandBraces(fold(pattern)) as string[]).map(parseAlternative);
  return (name) => {
    const subject = [...fold(name)];
    return alternatives.some((alt) => matchAlternative(alt, subject));
  };
}

function countStars(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '*') n++;
  }
  return n;
}

/** `{a,b}` alternatives expanded (nested too), or undefined past MAX_PATTERN_ALTERNATIVES. */
function expandBraces(pattern: string): string[] | undefined {
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '{') {
      open = i;
      break;
    }
  }
  if (open < 0) return [pattern];
  // The matching close brace and the top-level commas inside.
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      close = i;
      break;
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0 || commas.length === 0) {
    // Not a group: the brace is literal; expand what follows it.
    const rest = expandBraces(pattern.slice(open + 1));
    return rest?.map((r) => `${pattern.slice(0, open)}\\{${r}`);
  }
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  const tails = expandBraces(pattern.slice(close + 1));
  if (!tails) return undefined;
  for (let k = 0; k + 1 < bounds.length; k++) {
    const heads = expandBraces(pattern.slice(bounds[k] + 1, bounds[k + 1]));
    if (!heads) return undefined;
    for (const head of heads) {
      for (const tail of tails) {
        out.push(pattern.slice(0, open) + head + tail);
        if (out.length > MAX_PATTERN_ALTERNATIVES) return undefined;
      }
    }
  }
  return out;
}

function parseAlternative(pattern: string): Alternative {
  const chars = [...pattern];
  const segments: Token[][] = [[]];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\\' && i + 1 < chars.length) segments[segments.length - 1].push({ literal: chars[++i] });
    else if (c === '*') segments.push([]);
    else if (c === '?') segments[segments.length - 1].push({ any: true });
    else if (c === '[') {
      const end = classEnd(chars, i);
      if (end < 0) segments[segments.length - 1].push({ literal: c });
      else {
        segments[segments.length - 1].push(parseClass(chars.slice(i + 1, end)));
        i = end;
      }
    } else segments[segments.length - 1].push({ literal: c });
  }
  return segments;
}

/** Index of the `]` closing the class opened at `start`, or -1. A `]` right after `[` or `[!` is a member. */
function classEnd(chars: string[], start: number): number {
  let i = start + 1;
  if (chars[i] === '!' || chars[i] === '^') i++;
  if (chars[i] === ']') i++;
  for (; i < chars.length; i++) {
    if (chars[i] === '\\') i++;
    else if (chars[i] === ']') return i;
  }
  return -1;
}

function parseClass(body: string[]): Token {
  let i = 0;
  const negate = body[0] === '!' || body[0] === '^';
  if (negate) i++;
  let chars = '';
  const ranges: Array<[string, string]> = [];
  for (; i < body.length; i++) {
    let c = body[i];
    if (c === '\\' && i + 1 < body.length) c = body[++i];
    if (body[i + 1] === '-' && i + 2 < body.length) {
      let to = body[i + 2];
      i += 2;
      if (to === '\\' && i + 1 < body.length) to = body[++i];
      ranges.push([c, to]);
    } else chars += c;
  }
  return { chars, negate, ranges };
}

function tokenMatches(token: Token, c: string): boolean {
  if ('any' in token) return true;
  if ('literal' in token) return token.literal === c;
  const member = token.chars.includes(c) || token.ranges.some(([from, to]) => c >= from && c <= to);
  return member !== token.negate;
}

function segmentAt(segment: Token[], subject: string[], at: number): boolean {
  for (let k = 0; k < segment.length; k++) if (!tokenMatches(segment[k], subject[at + k])) return false;
  return true;
}

function matchAlternative(segments: Alternative, subject: string[]): boolean {
  const first = segments[0];
  if (segments.length === 1) return first.length === subject.length && segmentAt(first, subject, 0);
  const last = segments[segments.length - 1];
  if (first.length + last.length > subject.length) return false;
  if (!segmentAt(first, subject, 0) || !segmentAt(last, subject, subject.length - last.length)) return false;
  // Middle segments: leftmost occurrence each, within what the last segment leaves.
  let at = first.length;
  const end = subject.length - last.length;
  for (let s = 1; s < segments.length - 1; s++) {
    const segment = segments[s];
    let found = -1;
    for (let p = at; p + segment.length <= end; p++) {
      if (segmentAt(segment, subject, p)) {
        found = p;
        break;
      }
    }
    if (found < 0) return false;
    at = found + segment.length;
  }
  return true;
}
