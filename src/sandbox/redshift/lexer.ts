/**
 * Tokenizer for the Redshift statements the sandbox understands: words (unquoted identifiers
 * and keywords), double-quoted identifiers (`""` escape), single-quoted string literals (`''` and
 * backslash escapes, as Redshift reads them), integers, punctuation, `--` and `/* *\/` comments.
 */
import { SqlError } from './errors.js';

export type TokenKind = 'word' | 'qident' | 'string' | 'number' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** word: as written; qident/string: unescaped content; number/punct: the text. */
  value: string;
  /** Source text of the token (what a syntax error quotes). */
  raw: string;
  /** 0-based offset in the statement. */
  pos: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const BACKSLASH_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new SqlError('unterminated /* comment', i);
      i = end + 2;
      continue;
    }
    const start = i;
    if (ch === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) throw new SqlError(`unterminated quoted identifier at or near "${sql.slice(start, start + 20)}"`, start);
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += sql[i++];
      }
      if (value === '') throw new SqlError('zero-length delimited identifier at or near """"', start);
      tokens.push({ kind: 'qident', value, raw: sql.slice(start, i), pos: start });
      continue;
    }
    if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) throw new SqlError(`unterminated quoted string at or near "${sql.slice(start, start + 20)}"`, start);
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        // Redshift reads a backslash in a literal as an escape: \n \t \r \b \f, otherwise the next character as is (\\, \').
        if (sql[i] === '\\' && i + 1 < n) {
          const next = sql[i + 1];
          value += BACKSLASH_ESCAPES[next] ?? next;
          i += 2;
          continue;
        }
        value += sql[i++];
      }
      tokens.push({ kind: 'string', value, raw: sql.slice(start, i), pos: start });
      continue;
    }
    if (/[0-9]/.test(ch)) {
      while (i < n && /[0-9]/.test(sql[i])) i++;
      tokens.push({ kind: 'number', value: sql.slice(start, i), raw: sql.slice(start, i), pos: start });
      continue;
    }
    if (WORD_START.test(ch)) {
      while (i < n && WORD_CHAR.test(sql[i])) i++;
      const word = sql.slice(start, i);
      tokens.push({ kind: 'word', value: word, raw: word, pos: start });
      continue;
    }
    if ('(),.;=*:'.includes(ch)) {
      tokens.push({ kind: 'punct', value: ch, raw: ch, pos: start });
      i++;
      continue;
    }
    throw new SqlError(`syntax error at or near "${ch}"`, start);
  }
  tokens.push({ kind: 'eof', value: '', raw: '', pos: n });
  return tokens;
}
