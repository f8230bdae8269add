/**
 * Identifier generation. Ids are derived from a hash of the account, a kind and a counter
 * kept in the state, so a sandbox started from the same state file hands out the same ids.
 */
import { createHash } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function digest(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\u0000')).digest();
}

/** Upper-case alphanumeric string of `length` characters derived from `parts`. */
export function alnumId(length: number, ...parts: string[]): string {
  let out = '';
  let round = 0;
  while (out.length < length) {
    const bytes = digest(...parts, String(round++));
    for (const b of bytes) {
      if (out.length >= length) break;
      out += ALNUM[b % ALNUM.length];
    }
  }
  return out;
}

export function hexId(length: number, ...parts: string[]): string {
  let out = '';
  let round = 0;
  while (out.length < length) out += digest(...parts, String(round++)).toString('hex');
  return out.slice(0, length);
}

/** RFC 4122 shaped (version 4 layout) identifier derived from `parts`. */
export function uuidFrom(...parts: string[]): string {
  const h = hexId(32, ...parts).split('');
  h[12] = '4';
  h[16] = '89ab'[parseInt(h[16], 16) % 4];
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}
