/**
 * The GitHub contract check itself (helpers/github-contract.ts): it catches what it should, against
 * GitHub's OpenAPI description, and a violation in the fake is recorded for the test that caused it.
 */
import { describe, expect, it } from 'vitest';
import { startFakeGitHub } from '../helpers/fake-github.js';
import { checkRequest, checkResponse, EXCEPTIONS, matchOperation, OPERATIONS, SCHEMA_EXCEPTIONS, takeViolations } from '../helpers/github-contract.js';

describe('GitHub contract check (@octokit/openapi)', () => {
  it('matches requests to the described operations, the contents path over several segments', () => {
    expect(OPERATIONS.length).toBeGreaterThan(25);
    expect(matchOperation('GET', '/repos/acme/infra/contents/policies/a/b.yml')).toEqual({
      key: 'GET /repos/{owner}/{repo}/contents/{path}',
      params: { owner: 'acme', repo: 'infra', path: 'policies/a/b.yml' },
    });
    expect(matchOperation('PUT', '/repos/acme/infra/issues/1')).toBeUndefined();
    expect(checkRequest('GET', '/repos/acme/infra/teleport', {}, undefined)[0]).toMatch(/no operation/);
  });

  it('checks parameters and bodies of requests', () => {
    expect(checkRequest('GET', '/repos/acme/infra/issues/7/comments', { per_page: '100', page: '2' }, undefined)).toEqual([]);
    expect(checkRequest('GET', '/repos/acme/infra/issues/seven/comments', { per_page: 'many', sort: 'x' }, undefined)).toEqual([
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments: path parameter issue_number="seven": /value must be integer',
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments: query parameter per_page="many": /value must be integer',
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments: query parameter sort is not described',
    ]);
    expect(checkRequest('POST', '/repos/acme/infra/issues/7/comments', {}, {})).toEqual([
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments: request body: / must have required property 'body'",
    ]);
    expect(checkRequest('PATCH', '/repos/acme/infra/check-runs/5', {}, { output: { title: 't' } })).toEqual([
      "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}: request body: /output must have required property 'summary'",
    ]);
  });

  it('checks responses: required fields, types, enums, nullable enums, undescribed statuses', () => {
    const label = { id: 1, node_id: 'LA_1', url: 'https://api.github.com/repos/a/b/labels/x', name: 'x', color: 'ededed', description: null, default: false };
    expect(checkResponse('GET', '/repos/a/b/labels/x', 200, label)).toEqual([]);
    const { node_id: _, ...trimmed } = label;
    expect(checkResponse('GET', '/repos/a/b/labels/x', 200, { ...trimmed, id: '1' })).toEqual([
      "GET /repos/{owner}/{repo}/labels/{name} → 200: / must have required property 'node_id'; /id must be integer",
    ]);
    expect(checkResponse('GET', '/repos/a/b/labels/x', 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })).toEqual([]);
    expect(checkResponse('GET', '/repos/a/b/labels/x', 418, {})).toEqual(['GET /repos/{owner}/{repo}/labels/{name}: status 418 is not described (200, 404)']);
    // Listed exceptions: an undocumented status GitHub sends.
    expect(EXCEPTIONS.map((e) => e.operation)).toContain('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls');
    expect(checkResponse('GET', `/repos/a/b/commits/${'f'.repeat(40)}/pulls`, 422, { message: 'No commit found' })).toEqual([]);
    expect(SCHEMA_EXCEPTIONS.map((e) => e.why)).toEqual(["a label's description can be null"]);
  });

  it('records what the fake receives against the description, for the test that caused it', async () => {
    const fake = await startFakeGitHub({ repos: [{ fullName: 'acme/infra', issues: [{ title: 'x' }] }] });
    try {
      const res = await fetch(`${fake.url}/repos/acme/infra/issues/1/comments?per_page=100&colour=red`);
      expect(res.status).toBe(200);
      const bad = await fetch(`${fake.url}/repos/acme/infra/issues`, { method: 'POST', body: JSON.stringify({ title: 'x', labels: 'charter:drift' }) });
      expect(bad.status).toBe(422);
      expect(takeViolations()).toEqual([
        { request: 'GET /repos/acme/infra/issues/1/comments?per_page=100&colour=red', problem: 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments: query parameter colour is not described' },
        { request: 'POST /repos/acme/infra/issues', problem: 'POST /repos/{owner}/{repo}/issues: request body: /labels must be array' },
      ]);
    } finally {
      await fake.close();
    }
  });
});
