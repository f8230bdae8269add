/**
 * Steps given as a buildspec template: Charter renders the template from templates/, creates, tags
 * (charter:policy) and owns one CodeBuild project per step, points the pipelines (and the cleanup build)
 * at it, shows a drifted or changed project line by line, and deletes it when no step uses it. Through the
 * engine, the real SDK and the sandbox's CodeBuild; offline validation with file:line:column.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as cb from '../../src/aws/codebuild.js';
import * as cp from '../../src/aws/codepipeline.js';
import { apply, plan, validate } from '../../src/core/engine.js';
import { pipelineName } from '../../src/providers/branches/names.js';
import { buildProjectName, cleanupProjectName, testProjectName } from '../../src/providers/branches/projects.js';
import { providers } from '../../src/providers/index.js';
import { copyExamples } from '../helpers/aws.js';
import { EXAMPLE, startBranchWorld, writeBuildspecSteps, type BranchWorld } from './helpers.js';

let world: BranchWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const BUILD = buildProjectName('petstore');
const LOAD_TESTS = testProjectName('petstore', 'Beta', 'LoadTests');
const CLEANUP = cleanupProjectName('petstore');
const ROLE = 'arn:aws:iam::123456789012:role/petstore-codebuild';

async function setup(branches: string[], projects: object[] = []) {
  world = await startBranchWorld({ state: { codebuild: { projects } }, branches });
  writeBuildspecSteps(world.cwd);
  const { cwd, options, sandbox, github, settings } = world;
  return { cwd, options, sandbox, github, builds: cb.codeBuildClient(settings, 'us-east-1'), pipelines: cp.codePipelineClient(settings, 'us-east-1') };
}

const edit = (cwd: string, from: string, to: string) => {
  const file = join(cwd, EXAMPLE);
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`the policy has no ${from}`);
  writeFileSync(file, text.replace(from, to));
};

describe('BranchPipelines: CodeBuild projects from buildspec templates', () => {
  it('creates the projects first, tagged, with the rendered buildspec; pipelines run them; converges; drift and changes are updates; the cleanup project runs with STACKS; an unused project goes', async () => {
    const { cwd, options, sandbox, github, builds, pipelines } = await setup(['feature/a']);
    const first = await plan(options());
    expect(first.plan.diagnostics.filter((d) => d.severity !== 'notice')).toEqual([]);
    const projectChanges = first.plan.changes.filter((c) => c.address.includes('/codebuild/'));
    expect(projectChanges.map((c) => [c.action, c.address]).sort()).toEqual([
      ['create', `branches/petstore/codebuild/us-east-1/${BUILD}`],
      ['create', `branches/petstore/codebuild/us-east-1/${CLEANUP}`],
      ['create', `branches/petstore/codebuild/us-east-1/${LOAD_TESTS}`],
    ]);
    // Projects come before everything that runs them.
    expect(first.plan.changes.slice(0, 3)).toEqual(projectChanges);
    expect(projectChanges[0].after).toContain('buildspec |   build:');
    expect(projectChanges[0].line).toBeGreaterThan(1);

    const report = await apply({ ...options(), allowDestructive: false });
    expect(report.results.filter((r) => r.status !== 'applied')).toEqual([]);
    const live = await cb.getProjects(builds, [BUILD, LOAD_TESTS, CLEANUP]);
    expect([...live.keys()].sort()).toEqual([BUILD, CLEANUP, LOAD_TESTS].sort());
    const build = live.get(BUILD)!;
    expect(Object.fromEntries(build.tags!.map((t) => [t.key, t.value]))).toEqual({ 'charter:policy': 'petstore', team: 'petstore' });
    expect(build.serviceRole).toBe(ROLE);
    expect(build.source).toMatchObject({ type: 'CODEPIPELINE' });
    expect(build.source!.buildspec).toContain('test -f template.yml');
    expect(build.source!.buildspec).toContain('acme/petstore');
    expect(live.get(LOAD_TESTS)!.source!.buildspec).toContain('environment Beta (account 222222222222)');
    expect(live.get(CLEANUP)!.source).toMatchObject({ type: 'NO_SOURCE' });
    const main = await cp.getPipeline(pipelines, pipelineName('petstore', 'main'));
    const actions = main!.declaration.stages!.flatMap((s) => s.actions!);
    expect(actions.find((a) => a.name === 'Build')!.configuration!.ProjectName).toBe(BUILD);
    expect(actions.find((a) => a.name === 'LoadTests')!.configuration!.ProjectName).toBe(LOAD_TESTS);
    expect(actions.find((a) => a.name === 'ApiTests')!.configuration!.ProjectName).toBe('petstore-api-tests');

    sandbox.stats.reset();
    expect((await plan(options())).plan.changes).toEqual([]);
    expect(sandbox.stats.count('codebuild', 'ListProjects')).toBe(1);
    expect(sandbox.stats.count('codebuild', 'BatchGetProjects')).toBe(1);

    // Edited by hand: the buildspec drifts; the plan names the lines and shows both versions.
    await cb.updateProject(builds, { name: BUILD, source: { type: 'CODEPIPELINE', buildspec: build.source!.buildspec!.replace('./build.sh; fi', './other.sh; fi') } });
    const drift = await plan(options());
    expect(drift.plan.changes.map((c) => [c.action, c.risk, c.reason])).toEqual([['update', 'safe', '1 difference(s): buildspec (1 line(s) differ)']]);
    expect(drift.plan.changes[0].before).toContain('buildspec |       - if [ -x ./build.sh ]; then ./other.sh; fi');
    expect(drift.plan.changes[0].after).toContain('buildspec |       - if [ -x ./build.sh ]; then ./build.sh; fi');
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    expect((await cb.getProjects(builds, [BUILD])).get(BUILD)!.source!.buildspec).toBe(build.source!.buildspec);

    // A setting changed in the policy: one update, the tags kept.
    edit(cwd, '      buildspec: buildspec-branch-build.yml.hbs', '      buildspec: buildspec-branch-build.yml.hbs\n      image: aws/codebuild/amazonlinux-x86_64-standard:5.0');
    const image = await plan(options());
    expect(image.plan.changes.map((c) => c.reason)).toEqual(['1 difference(s): image aws/codebuild/standard:7.0 → aws/codebuild/amazonlinux-x86_64-standard:5.0']);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    const updated = (await cb.getProjects(builds, [BUILD])).get(BUILD)!;
    expect(updated.environment!.image).toBe('aws/codebuild/amazonlinux-x86_64-standard:5.0');
    expect(updated.tags).toHaveLength(2);
    expect((await plan(options())).plan.changes).toEqual([]);

    // The branch goes: Charter's cleanup project runs with BRANCH and the branch's stacks, then the pipeline goes.
    const repo = github.state.repo('acme/petstore');
    repo.branches = repo.branches.filter((b) => b !== 'feature/a');
    const gone = await plan(options());
    expect(gone.plan.changes.map((c) => c.action)).toEqual(['delete']);
    expect(gone.plan.changes[0].reason).toContain(`cleanup build ${CLEANUP} runs first`);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    const started = sandbox.state.codebuild.builds.filter((b) => b.projectName === CLEANUP);
    expect(started).toHaveLength(1);
    const vars = Object.fromEntries(started[0].environmentVariables.map((v) => [v.name, v.value]));
    expect(vars.BRANCH).toBe('feature/a');
    expect(vars.STACKS!.split(' ')).toEqual([
      `us-east-1|arn:aws:iam::111111111111:role/ChildAccountDeployerRole|petstore-feature-a-${pipelineName('petstore', 'feature/a').slice(-8)}-alpha`,
      `us-east-1|arn:aws:iam::222222222222:role/ChildAccountDeployerRole|petstore-feature-a-${pipelineName('petstore', 'feature/a').slice(-8)}-beta`,
    ]);
    expect(await cp.getPipeline(pipelines, pipelineName('petstore', 'feature/a'))).toBeUndefined();

    // Back to the team's own build project: the pipelines are updated first, then Charter's project is deleted.
    edit(cwd, '      buildspec: buildspec-branch-build.yml.hbs\n      image: aws/codebuild/amazonlinux-x86_64-standard:5.0', '      project: petstore-build');
    const back = await plan(options());
    expect(back.plan.changes.map((c) => [c.action, c.address.split('/')[2]])).toEqual([
      ['update', 'pipeline'],
      ['delete', 'codebuild'],
    ]);
    expect(back.plan.changes[0].reason).toContain(`stage Build / action Build: ProjectName ${BUILD} → petstore-build`);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(true);
    expect((await cb.getProjects(builds, [BUILD])).size).toBe(0);
    expect((await plan(options())).plan.changes).toEqual([]);
  });

  it('a project of that name without the policy\'s tag is an error and is never touched', async () => {
    const theirs = { region: 'us-east-1', name: BUILD, config: { environment: { type: 'LINUX_CONTAINER', image: 'theirs', computeType: 'BUILD_GENERAL1_SMALL' }, source: { type: 'CODEPIPELINE', buildspec: 'theirs' } }, tags: { owner: 'someone' } };
    const { options, builds } = await setup([], [theirs]);
    const p = await plan(options());
    expect(p.plan.diagnostics.filter((d) => d.code === 'branches/project-taken').map((d) => d.message)).toEqual([`The CodeBuild project ${BUILD} in us-east-1 exists without the charter:policy=petstore tag`]);
    expect((await apply({ ...options(), allowDestructive: false })).ok).toBe(false);
    const after = (await cb.getProjects(builds, [BUILD])).get(BUILD)!;
    expect(after.source!.buildspec).toBe('theirs');
    expect(after.tags).toEqual([{ key: 'owner', value: 'someone' }]);
  });
});

describe('buildspec steps (offline validation)', () => {
  it('exactly one of project and buildspec, a template that exists, and the CodeBuild role, each with file:line:column', async () => {
    const cwd = copyExamples();
    writeBuildspecSteps(cwd);
    expect((await validate({ cwd, paths: [EXAMPLE], providers })).diagnostics).toEqual([]);
    const text = readFileSync(join(cwd, EXAMPLE), 'utf8');
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

    edit(cwd, 'buildspec: buildspec-branch-test.yml.hbs', 'buildspec: buildspec-branch-tests.yml.hbs');
    edit(cwd, '      buildspec: buildspec-branch-build.yml.hbs', '      buildspec: buildspec-branch-build.yml.hbs\n      project: petstore-build');
    edit(cwd, `  codeBuildRoleArn: ${ROLE}\n`, '');
    const bad = await validate({ cwd, paths: [EXAMPLE], providers });
    expect(bad.diagnostics.map((d) => [d.code, d.severity, d.file, d.line, d.column])).toEqual([
      // spec: loses the codeBuildRoleArn line after it; build: gains a project line, which moves the test down one.
      ['branches/codebuild-role-required', 'error', EXAMPLE, lineOf('spec:'), 1],
      ['branches/step-source', 'error', EXAMPLE, lineOf('    build:') - 1, 5],
      ['branches/buildspec-template-missing', 'error', EXAMPLE, lineOf('buildspec: buildspec-branch-test.yml.hbs') - 1 + 1, 24],
    ]);
    expect(bad.diagnostics[2].message).toBe('No buildspec template buildspec-branch-tests.yml.hbs in templates/');

    // The projects live in the pipelines' account, and so does their service role.
    const other = copyExamples();
    writeBuildspecSteps(other);
    const file = join(other, EXAMPLE);
    writeFileSync(file, readFileSync(file, 'utf8').replace(ROLE, 'arn:aws:iam::999999999999:role/petstore-codebuild'));
    const foreign = await validate({ cwd: other, paths: [EXAMPLE], providers });
    expect(foreign.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['branches/role-account', lineOf('codeBuildRoleArn:'), 21]]);
  });
});
