/** The results-service fake rejects what the real service would, so the Action's upload test can fail. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeResultsService, type FakeResultsService } from './actions-results.js';

const SERVICE = 'twirp/github.actions.results.api.v1.ArtifactService';
let results: FakeResultsService;

beforeEach(async () => {
  results = await startFakeResultsService();
});
afterEach(() => results.close());

function ids(): { workflow_run_backend_id: string; workflow_job_run_backend_id: string } {
  const claims = JSON.parse(Buffer.from(results.env.ACTIONS_RUNTIME_TOKEN.split('.')[1], 'base64url').toString('utf8')) as { scp: string };
  const [, run, job] = claims.scp.split(' ')[1].split(':');
  return { workflow_run_backend_id: run, workflow_job_run_backend_id: job };
}

function call(method: string, body: unknown, token = results.env.ACTIONS_RUNTIME_TOKEN) {
  return fetch(`${results.env.ACTIONS_RESULTS_URL}${SERVICE}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
}

describe('the fake Actions results service', () => {
  it('rejects a wrong token, foreign backend ids, unknown fields and a wrong version', async () => {
    expect((await call('CreateArtifact', { ...ids(), name: 'a', version: 7 }, 'not-the-token')).status).toBe(401);
    expect((await call('CreateArtifact', { ...ids(), workflow_run_backend_id: 'other', name: 'a', version: 7 })).status).toBe(403);
    expect((await call('CreateArtifact', { ...ids(), name: 'a', version: 7, workflowRunBackendId: 'x' })).status).toBe(400);
    expect((await call('CreateArtifact', { ...ids(), name: 'a', version: 4 })).status).toBe(400);
    expect(results.problems).toHaveLength(4);
    expect(results.artifacts).toEqual([]);
  });

  it('takes a block upload and finalizes only with the uploaded size and hash', async () => {
    const created = (await (await call('CreateArtifact', { ...ids(), name: 'plan', version: 7, mime_type: 'application/zip' })).json()) as { signed_upload_url: string };
    const url = new URL(created.signed_upload_url);
    const put = (query: string, body: string, headers: Record<string, string> = { 'x-ms-version': '2025-01-05' }) => fetch(`${url.origin}${url.pathname}${url.search}&${query}`, { method: 'PUT', headers, body });
    const blockId = Buffer.from('block-0').toString('base64');
    expect((await put(`comp=block&blockid=${encodeURIComponent(blockId)}`, 'hello', {})).status).toBe(400); // no x-ms-version
    expect((await put(`comp=block&blockid=${encodeURIComponent(blockId)}`, 'hello')).status).toBe(201);
    expect((await put('comp=blocklist', '<?xml version="1.0"?><BlockList><Latest>bm90LXN0YWdlZA==</Latest></BlockList>')).status).toBe(400);
    expect((await put('comp=blocklist', `<?xml version="1.0"?><BlockList><Latest>${blockId}</Latest></BlockList>`)).status).toBe(201);
    expect((await call('FinalizeArtifact', { ...ids(), name: 'plan', size: '4' })).status).toBe(400);
    expect((await call('FinalizeArtifact', { ...ids(), name: 'plan', size: '5', hash: 'sha256:00' })).status).toBe(400);
    const sha = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
    const done = await call('FinalizeArtifact', { ...ids(), name: 'plan', size: '5', hash: sha });
    expect(await done.json()).toEqual({ ok: true, artifact_id: String(results.artifacts[0].id) });
    expect(results.artifacts[0]).toMatchObject({ finalized: true, size: 5, hash: sha });
    expect(results.problems).toHaveLength(4);
  });
});
