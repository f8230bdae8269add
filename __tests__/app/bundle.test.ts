/**
 * The bundled app as `npm start` runs it (`node dist/app.js`), as a process: Probot's own server reads its
 * configuration from the environment, verifies webhook signatures, and the drift endpoint wants its token.
 * .ci/run runs this file on Node 24 too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleNode, repoRoot } from '../helpers/aws.js';

const WEBHOOK_SECRET = 'bundle-test-webhook-secret';
const DRIFT_TOKEN = 'bundle-test-drift-token-0123456789';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForServer(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dist/app.js exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dist/app.js did not answer ${url} within 20 s:\n${output()}`);
}

describe('dist/app.js (npm start)', () => {
  let child: ChildProcess;
  let base: string;
  let logs = '';

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    child = spawn(bundleNode, [join(repoRoot, 'dist/app.js')], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        APP_ID: '12345',
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'debug',
        CHARTER_DRIFT_TOKEN: DRIFT_TOKEN,
        CHARTER_DRIFT_SCHEDULE: 'off',
        CHARTER_BOT_LOGIN: 'charter[bot]',
      },
    });
    child.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
    await waitForServer(`${base}/ping`, child, () => logs);
  });

  afterAll(() => {
    child?.kill();
  });

  // A tag: routed to the branch handler, which ignores tags without any request (no GitHub here).
  const payload = JSON.stringify({ ref: 'v1.0.0', ref_type: 'tag', repository: { id: 1, name: 'infra', full_name: 'acme/infra', owner: { login: 'acme' } }, installation: { id: 7 }, sender: { login: 'octocat', type: 'User' } });
  const sign = (body: string, secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const deliver = (signature: string) =>
    fetch(`${base}/api/github/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'create', 'x-github-delivery': `d-${Math.random()}`, 'x-hub-signature-256': signature },
      body: payload,
    });

  it('accepts a signed webhook and routes it (a tag created: nothing to do)', async () => {
    const response = await deliver(sign(payload, WEBHOOK_SECRET));
    expect(response.status).toBe(200);
  });

  it('rejects a webhook signed with another secret', async () => {
    const response = await deliver(sign(payload, 'not-the-secret'));
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('guards the drift endpoint with its token, and never echoes secrets', async () => {
    const response = await fetch(`${base}/charter/drift`, { method: 'POST', headers: { authorization: 'Bearer wrong-token-wrong-token' } });
    expect(response.status).toBe(401);
    expect(logs).not.toContain(WEBHOOK_SECRET);
    expect(logs).not.toContain(DRIFT_TOKEN);
  });
});
