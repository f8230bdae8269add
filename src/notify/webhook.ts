/**
 * Sends a notification to a chat webhook. The webhook URL is a secret (whoever holds a Slack incoming
 * webhook URL can post to the channel): it is never logged, never quoted in an error, and comes only from
 * configuration a pull request cannot change (the workflow's secrets, the app's environment).
 *
 * Bounded: one POST, a timeout, no redirects followed, no retries (a chat outage must not hold an apply
 * or multiply requests); a failure is the caller's warning, never a failed apply.
 */
import type { Logger } from '../core/provider.js';
import type { Notification } from './message.js';

export const NOTIFY_TIMEOUT_MS = 10_000;
/** Slack accepts up to 40,000 characters of text; a body this size is far from any limit. */
const MAX_BODY_BYTES = 64 * 1024;

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Checks a webhook URL from configuration: https, or http to loopback only (a local relay, tests).
 * `name` says where it came from; the error never repeats the value.
 */
export function parseWebhookUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} is not a URL (the value is a secret and is not shown)`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new Error(`${name} must be an https:// URL (http:// only to 127.0.0.1, [::1] or localhost); the value is a secret and is not shown`);
  }
  if (url.username || url.password) throw new Error(`${name} must not carry a user name or password (the value is a secret and is not shown)`);
  return url.href;
}

export interface NotifyTarget {
  url: string;
  timeoutMs?: number;
}

/** Why a send failed, in words that cannot contain the URL (status code or error code only). */
function failure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const code = e?.cause?.code ?? e?.code;
  return code && /^[A-Z_]{2,40}$/.test(code) ? `network error ${code}` : 'network error';
}

/**
 * Posts `message` to the webhook. Returns whether it was accepted (2xx); logs a warning otherwise. Never
 * throws: notifying is a side effect of an apply or a drift check, not part of it.
 */
export async function sendNotification(target: NotifyTarget, message: Notification, log: Logger): Promise<boolean> {
  const timeoutMs = target.timeoutMs ?? NOTIFY_TIMEOUT_MS;
  let body = JSON.stringify(message);
  // Blocks are the part that grows; the text alone always fits.
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) body = JSON.stringify({ text: message.text.slice(0, 3_000) });
  try {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'charter-notify' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer is not needed ("ok" from Slack); drop it without reading an unbounded body.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) {
      log.info('Notification sent to the webhook.');
      return true;
    }
    log.warn(`Notification not sent: the webhook answered HTTP ${response.status}. The apply or drift check itself is not affected.`);
  } catch (error) {
    log.warn(`Notification not sent: ${failure(error, timeoutMs)}. The apply or drift check itself is not affected.`);
  }
  return false;
}
