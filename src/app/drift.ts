/**
 * The authenticated drift endpoint: `POST <path>` with `Authorization: Bearer <CHARTER_DRIFT_TOKEN>` runs
 * the drift check for every repository of every installation and answers with a JSON report,
 * `{ results: [{ installation, repository, status, reason?, issue? }, …], failed }`, one result per
 * repository (200, or 500 when any repository could not be checked; 409 while a check is already running;
 * 405 for any method but POST; 401 without the right bearer token).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redact } from './config.js';

export interface DriftRepoResult {
  installation: number;
  /** `owner/name` (`owner/*` when the installation's repositories could not be listed). */
  repository: string;
  status: 'drift' | 'clean' | 'invalid' | 'skipped' | 'failed';
  reason?: string;
  issue?: { action: string; number?: number };
}

export interface DriftRun {
  results: DriftRepoResult[];
  failed: number;
}

/** Compares in constant time, including the length: both sides are hashed to 32 bytes first. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(`${JSON.stringify(body)}\n`);
}

export function driftEndpoint(options: {
  path: string;
  token: string;
  run: () => Promise<DriftRun>;
  busy: () => boolean;
  secrets: readonly string[];
}): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== options.path) return false;
    if (req.method !== 'POST') {
      send(res, 405, { message: 'Use POST' }, { allow: 'POST' });
      return true;
    }
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match || !sameSecret(match[1], options.token)) {
      send(res, 401, { message: 'A bearer token (CHARTER_DRIFT_TOKEN) is required' }, { 'www-authenticate': 'Bearer' });
      return true;
    }
    if (options.busy()) {
      send(res, 409, { message: 'A drift check is already running' });
      return true;
    }
    try {
      const run = await options.run();
      send(res, run.failed ? 500 : 200, run);
    } catch (error) {
      send(res, 500, { message: redact(`Drift check failed: ${(error as Error).message ?? String(error)}`, options.secrets) });
    }
    return true;
  };
}
