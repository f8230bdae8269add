/**
 * User passwords: the hash form Charter sends (never the clear text), checking a password against the
 * verifier the catalog holds, and the keyed digest that lets the plan fingerprint cover a password
 * without revealing it. Pure: node:crypto only.
 *
 * - Redshift: `md5` + hex(MD5(password + user name)), the MD5 form of CREATE/ALTER USER ... PASSWORD
 *   (the user name lower-cased, as Redshift stores it). Redshift's `sha256|…` form carries either the
 *   clear text (Redshift salts it) or a digest and salt whose encoding Redshift does not specify, so
 *   Charter does not send it; a `sha256` verifier set out of band cannot be checked and is reported.
 * - PostgreSQL: a SCRAM-SHA-256 verifier (RFC 5802/7677, as PostgreSQL's password_encryption =
 *   scram-sha-256 stores it) with a fresh salt; `md5…` verifiers are checked too.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Dialect } from './rules.js';

const SCRAM_ITERATIONS = 4096;

export function md5Verifier(user: string, password: string, dialect: Dialect): string {
  const name = dialect === 'redshift' ? user.toLowerCase() : user;
  return `md5${createHash('md5').update(password + name, 'utf8').digest('hex')}`;
}

/** PostgreSQL prepares passwords with SASLprep; for the printable ASCII passwords usually set NFKC is the identity. */
function prepare(password: string): Buffer {
  return Buffer.from(password.normalize('NFKC'), 'utf8');
}

function scramKeys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(prepare(password), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return { storedKey: createHash('sha256').update(clientKey).digest(), serverKey: createHmac('sha256', salted).update('Server Key').digest() };
}

export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  const { storedKey, serverKey } = scramKeys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** What CREATE/ALTER ... PASSWORD receives: a hash form the database stores as is. */
export function passwordToSend(dialect: Dialect, user: string, password: string): string {
  return dialect === 'redshift' ? md5Verifier(user, password, dialect) : scramVerifier(password);
}

const SCRAM = /^SCRAM-SHA-256\$(\d{1,7}):([A-Za-z0-9+/=]{1,200})\$([A-Za-z0-9+/=]{1,100}):([A-Za-z0-9+/=]{1,100})$/;

/**
 * Whether `password` is the one the stored verifier was made from: true or false, or undefined when the
 * verifier's form cannot be checked (Redshift's sha256, a masked value).
 */
export function verifies(stored: string, dialect: Dialect, user: string, password: string): boolean | undefined {
  if (/^md5[0-9a-f]{32}$/.test(stored)) return equal(stored, md5Verifier(user, password, dialect));
  const m = SCRAM.exec(stored);
  if (m) {
    const iterations = Number(m[1]);
    if (iterations < 1 || iterations > 10_000_000) return undefined;
    const { storedKey } = scramKeys(password, Buffer.from(m[2], 'base64'), iterations);
    return equal(m[3], storedKey.toString('base64'));
  }
  return undefined;
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * What the plan (and so its fingerprint) holds for a password: HMAC-SHA256 keyed with `key` (the
 * policy's connection secret when it has one) over a deliberately slow scrypt of the password salted
 * with the policy and user. A changed password changes the fingerprint; the digest alone does not give
 * the password back, and guessing it costs one scrypt per guess even when the key is empty.
 */
export function passwordDigest(key: string, scope: string, password: string): string {
  const stretched = scryptSync(password, `charter/redshift/password\u0000${scope}`, 32, { N: 16384, r: 8, p: 1 });
  return `hmac-sha256:${createHmac('sha256', `charter/redshift/password-key\u0000${key}`).update(stretched).digest('hex')}`;
}
