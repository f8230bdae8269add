/**
 * The trust model's "what a policy can reach", attacked through the app (real Probot, GitHub on the loopback fake, AWS on
 * the sandbox, a real PostgreSQL): a pull request naming another team's connection variable, a fork's pull
 * request, and a repository narrowing its own allowlist on the default branch.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Probot } from 'probot';
import type { CharterApp } from '../../src/app/app.js';
import type { AppConfig } from '../../src/app/config.js';
import { emptyReachConfig } from '../../src/core/reach.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { stsSessions } from '../../src/sandbox/services/sts.js';
import { startExampleSandbox } from '../helpers/aws.js';
import { createTestDatabase, dropRoles, ignoreAllBut, startPgServer, type PgServer, type TestDatabase } from '../helpers/postgres.js';
import type { FakeGitHub, FakeRepo } from '../helpers/fake-github.js';
import { BASE_SHA, fixturePolicies, loadApp, checkRuns, startGitHub, pullRequestEvent, REPO, sha, testConfig, TEST_ROLE } from './harness.js';

const prefix = `rt${Math.random().toString(36).slice(2, 7)}_`;
const auditor = `${prefix}auditor`;

let server: PgServer;
let otherTeam: TestDatabase;
let sandbox: Sandbox;
let github: FakeGitHub;
let repo: FakeRepo;
let probot: Probot;
let charter: CharterApp;

beforeAll(async () => {
  server = await startPgServer();
  otherTeam = await createTestDatabase(server);
  await otherTeam.sql(`CREATE SCHEMA finance; CREATE ROLE ${auditor}; GRANT USAGE ON SCHEMA finance TO ${auditor}`);
  // The app's process environment holds another team's warehouse: exactly what the attack goes for.
  process.env.OTHER_TEAM_WAREHOUSE_URL = otherTeam.url;
}, 120_000);
afterAll(async () => {
  delete process.env.OTHER_TEAM_WAREHOUSE_URL;
  await otherTeam?.drop();
  await dropRoles(server, [auditor]);
  await server?.stop();
});

beforeEach(async () => {
  sandbox = await startExampleSandbox();
  github = await startGitHub();
  repo = github.state.repo(REPO);
});
afterEach(async () => {
  await charter.stop();
  await github.close();
  await sandbox.close();
});

async function start(config: AppConfig): Promise<void> {
  ({ probot, charter } = await loadApp(config, github));
}

const attack = `apiVersion: charter/v1
kind: RedshiftGrants
metadata:
  name: warehouse
spec:
  connection:
    dialect: postgres
    urlFromEnv: OTHER_TEAM_WAREHOUSE_URL
  manage:
    schemas: [finance]
    allowDrops: true
    ignorePrincipals: ${JSON.stringify(ignoreAllBut(prefix))}
`;

async function planPull(number: number, files: Map<string, Buffer>, fork = false): Promise<void> {
  const headSha = sha(number);
  github.state.commit(REPO, headSha, new Map([...repo.files.get(BASE_SHA)!, ...files]));
  github.state.addPull(REPO, { number, headSha, labels: [] });
  const payload = pullRequestEvent('opened', { number, headSha });
  if (fork) payload.pull_request.head.repo = { ...payload.pull_request.head.repo, full_name: 'mallory/Hello-World' };
  await probot.receive({ id: `plan-${number}`, name: 'pull_request', payload } as never);
  await charter.drained();
}

describe('what a policy can reach (the app)', () => {
  it('urlFromEnv: OTHER_TEAM_WAREHOUSE_URL is refused at its line; the other database is never connected to', async () => {
    await start(testConfig(sandbox));
    await planPull(2, new Map([['policies/warehouse.yml', Buffer.from(attack)]]));
    const [run] = checkRuns(github, 'Charter plan');
    expect(run.conclusion).toBe('failure');
    const refusal = run.output.annotations.find((a) => String(a.title).includes('reach/env-not-allowed'));
    expect(refusal).toMatchObject({ path: 'policies/warehouse.yml', start_line: 8, start_column: 17 });
    const [comment] = github.state.commentsOn(REPO, 2);
    expect(comment.body).toContain('`policies/warehouse.yml:8:17` **error** `reach/env-not-allowed`: Environment variable &quot;OTHER&#95;TEAM&#95;WAREHOUSE&#95;URL&quot; is not on this repository');
    // Nothing of the other team's database: no role name, no DROP or REVOKE.
    expect(comment.body + JSON.stringify(run.output)).not.toContain(auditor);
    expect(comment.body).not.toMatch(/DROP|REVOKE/);
    expect(comment.body).not.toContain(otherTeam.url);
  });

  it('the same policy on a repository the app allows that variable: the database is read (the refusal above is the allowlist)', async () => {
    const config = testConfig(sandbox);
    await start({ ...config, reach: { [REPO.toLowerCase()]: { ...emptyReachConfig(), roleArn: TEST_ROLE, env: ['OTHER_TEAM_WAREHOUSE_URL'] } } });
    await planPull(3, new Map([['policies/warehouse.yml', Buffer.from(attack)]]));
    const [comment] = github.state.commentsOn(REPO, 3);
    expect(comment.body).toContain(auditor);
    expect(comment.body).not.toContain(otherTeam.url);
  });

  it('.github/charter.yml on the default branch narrows the app\'s grant; the pull request\'s own copy widens nothing', async () => {
    const config = testConfig(sandbox);
    await start({ ...config, reach: { [REPO.toLowerCase()]: { ...emptyReachConfig(), roleArn: TEST_ROLE, env: ['OTHER_TEAM_WAREHOUSE_URL'] } } });
    github.state.commit(REPO, sha(90), new Map([...repo.files.get(BASE_SHA)!, ['.github/charter.yml', Buffer.from('allow:\n  env: []\n')]]), 'master');
    repo.files.set(BASE_SHA, repo.files.get(sha(90))!);
    await planPull(4, new Map([['policies/warehouse.yml', Buffer.from(attack)], ['.github/charter.yml', Buffer.from('allow:\n  env: [OTHER_TEAM_WAREHOUSE_URL]\n')]]));
    const [comment] = github.state.commentsOn(REPO, 4);
    expect(comment.body).toContain('reach/env-not-allowed');
    expect(comment.body).not.toContain(auditor);
  });

  it('a fork\'s pull request is planned offline: no STS, no AWS read, and the plan says live state was not read', async () => {
    await start(testConfig(sandbox));
    await planPull(5, fixturePolicies(), true);
    expect(sandbox.stats.count()).toBe(0);
    expect(stsSessions(sandbox.state)).toEqual([]);
    const [comment] = github.state.commentsOn(REPO, 5);
    expect(comment.body).toContain('reach/live-state-not-read');
    expect(comment.body).toContain('comes from a fork');
  });

  it('a repository with no role configured reaches no AWS: a positioned error, and no credentials of the app are used', async () => {
    await start({ ...testConfig(sandbox), reach: {} });
    await planPull(6, fixturePolicies());
    expect(sandbox.stats.count()).toBe(0);
    const [run] = checkRuns(github, 'Charter plan');
    expect(run.conclusion).toBe('failure');
    expect(run.output.annotations.some((a) => String(a.title).includes('reach/aws-not-configured') && Number(a.start_line) > 0)).toBe(true);
  });
});
