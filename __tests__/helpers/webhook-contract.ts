/**
 * Webhook payloads used in tests, checked against GitHub's webhook description (@octokit/openapi-webhooks):
 * `checkWebhook('pull_request', payload)` lists what the schema of that event and action refuses.
 * The description is read once and each event's validator compiled once per process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
let ajv: Ajv | undefined;
let webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: { $ref: string } }> } } }> = {};
const validators = new Map<string, ValidateFunction>();

function setup(): Ajv {
  if (!ajv) {
    const dir = dirname(require.resolve('@octokit/openapi-webhooks/package.json'));
    const spec = JSON.parse(readFileSync(join(dir, 'generated/api.github.com.json'), 'utf8')) as { webhooks: typeof webhooks; components: unknown };
    webhooks = spec.webhooks;
    ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
    ajv.addFormat('uri-template', true);
    ajv.addSchema({ $id: 'hooks', components: spec.components }, 'hooks');
  }
  return ajv;
}

/** Problems of `payload` as the `event` webhook (its `action` picks the schema); empty when valid. */
export function checkWebhook(event: string, payload: { action?: unknown }): string[] {
  const a = setup();
  const base = event.replace(/_/g, '-');
  const key = typeof payload.action === 'string' ? `${base}-${payload.action.replace(/_/g, '-')}` : base;
  const hook = webhooks[key] ?? webhooks[base];
  if (!hook) return [`${key}: no such webhook in GitHub's description`];
  let v = validators.get(key);
  if (!v) {
    v = a.compile({ $ref: `hooks${hook.post.requestBody.content['application/json'].schema.$ref}` });
    validators.set(key, v);
  }
  if (v(payload)) return [];
  return (v.errors ?? []).slice(0, 10).map((e) => `${key}: ${e.instancePath || '/'} ${e.message ?? ''}`);
}
