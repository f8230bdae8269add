import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHub, type GitHub } from '../../src/github/client.js';
import { DRIFT_LABEL, syncDriftIssue } from '../../src/github/drift-issue.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const repo = { owner: 'acme', repo: 'infra' };
const title = 'Charter: live AWS differs from the policies';

describe('drift issue', () => {
  let fake: FakeGitHub;
  let gh: GitHub;
  beforeEach(async () => {
    fake = await startFakeGitHub({
      repos: [
        {
          fullName: 'acme/infra',
          // A pull request carrying the label must never be taken for the drift issue.
          pulls: [{ number: 1, labels: [DRIFT_LABEL] }],
          issues: [{ number: 2, title: 'Unrelated bug', labels: ['bug'] }],
        },
      ],
    });
    fake.state.repo('acme/infra').labels.splice(0); // the label does not exist yet
    const quiet = () => undefined;
    gh = createGitHub({ token: 't', baseUrl: fake.url, log: { debug: quiet, info: quiet, warn: quiet, error: quiet } });
  });
  afterEach(() => fake.close());

  const issues = () => fake.state.repo('acme/infra').issues.filter((i) => i.labels.includes(DRIFT_LABEL));

  it('does nothing when there is no drift and no issue', async () => {
    expect(await syncDriftIssue(gh, repo, { drift: false, title, body: 'No drift.' })).toEqual({ action: 'none' });
    expect(fake.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('creates, updates, leaves alone, closes, then reopens one issue', async () => {
    const created = await syncDriftIssue(gh, repo, { drift: true, title, body: 'drift 1' });
    expect(created).toMatchObject({ action: 'created', number: 3 });
    expect(fake.state.repo('acme/infra').labels.map((l) => l.name)).toContain(DRIFT_LABEL);
    expect(fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/labels'))?.body).toMatchObject({
      name: DRIFT_LABEL,
    });
    expect(issues()).toMatchObject([{ number: 3, state: 'open', body: 'drift 1', title }]);

    expect(await syncDriftIssue(gh, repo, { drift: true, title, body: 'drift 2' })).toMatchObject({
      action: 'updated',
      number: 3,
    });
    expect(issues()).toMatchObject([{ number: 3, state: 'open', body: 'drift 2' }]);

    expect(await syncDriftIssue(gh, repo, { drift: true, title, body: 'drift 2' })).toMatchObject({
      action: 'unchanged',
      number: 3,
    });

    expect(await syncDriftIssue(gh, repo, { drift: false, title, body: 'No drift any more.' })).toMatchObject({
      action: 'closed',
      number: 3,
    });
    expect(issues()).toMatchObject([{ number: 3, state: 'closed', stateReason: 'completed' }]);
    expect(fake.state.commentsOn('acme/infra', 3).map((c) => c.body)).toEqual(['No drift any more.']);

    expect(await syncDriftIssue(gh, repo, { drift: false, title, body: 'No drift.' })).toMatchObject({
      action: 'none',
      number: 3,
    });

    expect(await syncDriftIssue(gh, repo, { drift: true, title, body: 'drift 3' })).toMatchObject({
      action: 'reopened',
      number: 3,
    });
    expect(issues()).toMatchObject([{ number: 3, state: 'open', body: 'drift 3', stateReason: 'reopened' }]);
    expect(issues()).toHaveLength(1);

    // Every lookup lists labelled issues in all states, newest first.
    const lists = fake.requests.filter((r) => r.method === 'GET' && r.path === '/repos/acme/infra/issues');
    expect(lists.length).toBe(6);
    for (const r of lists)
      expect(r.query).toMatchObject({ labels: DRIFT_LABEL, state: 'all', sort: 'created', direction: 'desc', per_page: '100' });
  });

  it('ignores 422 when the label already exists', async () => {
    fake.state.repo('acme/infra').labels.push({ name: DRIFT_LABEL, color: 'ff0000', description: null });
    expect(await syncDriftIssue(gh, repo, { drift: true, title, body: 'drift' })).toMatchObject({ action: 'created' });
    const labelCall = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/labels'));
    expect(labelCall).toBeDefined();
    expect(fake.state.repo('acme/infra').labels.filter((l) => l.name === DRIFT_LABEL)).toHaveLength(1);
  });

  it('finds an open issue behind more than a page of closed ones, and reopens the newest closed one otherwise', async () => {
    for (let i = 0; i < 120; i++)
      fake.state.addIssue('acme/infra', { title: `old drift ${i}`, labels: [DRIFT_LABEL], state: 'closed' });
    expect(await syncDriftIssue(gh, repo, { drift: true, title, body: 'x' })).toMatchObject({ action: 'reopened', number: 122 });

    const open = fake.state.repo('acme/infra').issues.find((i) => i.number === 3);
    if (open) open.state = 'open';
    const result = await syncDriftIssue(gh, repo, { drift: true, title, body: 'y' });
    // The open issue 122 is newest; an older open one (#3) is not picked over it.
    expect(result).toMatchObject({ action: 'updated', number: 122 });
  });
});
