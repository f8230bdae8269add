import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/core/plan.js';
import { branchNameProblem, changesForBranch, MAX_BRANCH_NAME, parseBranchEvent } from '../../src/github/branch-event.js';

describe('branch names from events (untrusted)', () => {
  it('accepts what git accepts: slashes, unicode, shell characters, 250 characters', () => {
    for (const name of ['main', 'feature/a', 'feature-a', 'fix-ü', 'feature/$(id)', 'a@b', `feature/${'x'.repeat(242)}`, 'release/1.2', 'x'.repeat(MAX_BRANCH_NAME)]) {
      expect(branchNameProblem(name), name).toBeUndefined();
    }
  });

  it('refuses what git refuses, and anything over the cap', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      ['@', /"@"/],
      ['-rf', /starts with "-"/],
      ['/a', /starts or ends with "\/"/],
      ['a/', /starts or ends with "\/"/],
      ['a.', /ends with "."/],
      ['a..b', /".."/],
      ['a@{1}', /"@\{"/],
      ['a//b', /"\/\/"/],
      ['a b', /" "/],
      ['a:b', /":"/],
      ['a\u0000b', /control character/],
      ['a\u007fb', /control character/],
      ['a\\b', /"\\\\"/],
      ['a/.hidden', /starts with "."/],
      ['a/b.lock', /ends with ".lock"/],
      ['x'.repeat(MAX_BRANCH_NAME + 1), /longer than 1024/],
    ];
    for (const [name, problem] of cases) expect(branchNameProblem(name), JSON.stringify(name)).toMatch(problem);
  });

  it('is linear: a long adversarial name is checked quickly', () => {
    const name = `${'./'.repeat(MAX_BRANCH_NAME / 2 - 1)}x`;
    const started = performance.now();
    for (let i = 0; i < 1000; i++) branchNameProblem(name);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('parses create and delete of a branch; tags, other events and malformed refs are ignored without echoing them whole', () => {
    expect(parseBranchEvent('create', { ref: 'feature/a', ref_type: 'branch' })).toEqual({ event: { action: 'created', branch: 'feature/a' } });
    expect(parseBranchEvent('delete', { ref: 'feature/a', ref_type: 'branch' })).toEqual({ event: { action: 'deleted', branch: 'feature/a' } });
    expect(parseBranchEvent('create', { ref: 'v1', ref_type: 'tag' })).toEqual({ ignored: 'a tag was created, not a branch' });
    expect(parseBranchEvent('push', { ref: 'main', ref_type: 'branch' })).toHaveProperty('ignored');
    expect(parseBranchEvent('create', { ref: 42, ref_type: 'branch' })).toEqual({ ignored: 'the event names no branch' });
    const long = parseBranchEvent('create', { ref: `a..${'y'.repeat(5000)}`, ref_type: 'branch' });
    expect('ignored' in long && long.ignored.length).toBeLessThan(200);
  });
});

describe('changesForBranch', () => {
  const change = (action: Change['action'], branch: string, kind = 'BranchPipelines'): Change => ({
    address: `branches/p/pipeline/${action}-${branch}`,
    kind,
    policy: 'p',
    file: 'f.yml',
    line: 1,
    column: 1,
    action,
    title: branch,
    before: null,
    after: null,
    risk: 'safe',
    reason: '',
    phase: 0,
    data: { branch },
  });
  const all = [change('create', 'a'), change('update', 'a'), change('delete', 'a'), change('create', 'b'), change('delete', 'c'), change('create', 'a', 'PackagePublishing')];

  it('created: the branch\'s create and update; deleted: its delete; never another branch or kind', () => {
    expect(changesForBranch(all, { action: 'created', branch: 'a' }).map((c) => c.address)).toEqual(['branches/p/pipeline/create-a', 'branches/p/pipeline/update-a']);
    expect(changesForBranch(all, { action: 'deleted', branch: 'a' }).map((c) => c.address)).toEqual(['branches/p/pipeline/delete-a']);
    expect(changesForBranch(all, { action: 'deleted', branch: 'b' })).toEqual([]);
  });

  it('created: also the approval topics it notifies (create or subscribe), never a topic delete', () => {
    const topic = (action: Change['action'], op: string): Change => ({ ...change(action, 'x'), address: `branches/p/approval-topic/${op}`, data: { op, name: 't' } });
    const withTopics = [topic('create', 'topic-create'), topic('update', 'topic-update'), topic('delete', 'topic-delete'), ...all];
    expect(changesForBranch(withTopics, { action: 'created', branch: 'a' }).map((c) => c.address)).toEqual([
      'branches/p/approval-topic/topic-create',
      'branches/p/approval-topic/topic-update',
      'branches/p/pipeline/create-a',
      'branches/p/pipeline/update-a',
    ]);
    expect(changesForBranch(withTopics, { action: 'deleted', branch: 'a' }).map((c) => c.address)).toEqual(['branches/p/pipeline/delete-a']);
  });

  it('both events: Charter\'s CodeBuild projects created or updated (the new pipeline and the cleanup build run them), never deleted', () => {
    const project = (action: Change['action'], op: string): Change => ({ ...change(action, 'x'), address: `branches/p/codebuild/us-east-1/${op}`, data: { op, region: 'us-east-1' } });
    const withProjects = [project('create', 'project-create'), project('update', 'project-update'), project('delete', 'project-delete'), ...all];
    const projects = ['branches/p/codebuild/us-east-1/project-create', 'branches/p/codebuild/us-east-1/project-update'];
    expect(changesForBranch(withProjects, { action: 'created', branch: 'a' }).map((c) => c.address)).toEqual([...projects, 'branches/p/pipeline/create-a', 'branches/p/pipeline/update-a']);
    expect(changesForBranch(withProjects, { action: 'deleted', branch: 'a' }).map((c) => c.address)).toEqual([...projects, 'branches/p/pipeline/delete-a']);
  });
});
