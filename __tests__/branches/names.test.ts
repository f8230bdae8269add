import { describe, expect, it } from 'vitest';
import { globProblem, matchGlob } from '../../src/providers/branches/glob.js';
import { branchHash, hasPrefix, pipelineName, stackName } from '../../src/providers/branches/names.js';

const VALID = /^[A-Za-z0-9.@\-_]{1,100}$/;

describe('pipeline names', () => {
  it('are deterministic and distinct for branches that share a slug', () => {
    expect(pipelineName('petstore', 'feature/a')).toBe(pipelineName('petstore', 'feature/a'));
    expect(pipelineName('petstore', 'feature/a')).toMatch(/^petstore-feature-a-[0-9a-f]{8}$/);
    expect(pipelineName('petstore', 'feature-a')).toMatch(/^petstore-feature-a-[0-9a-f]{8}$/);
    expect(pipelineName('petstore', 'feature/a')).not.toBe(pipelineName('petstore', 'feature-a'));
    expect(pipelineName('petstore', 'main')).toBe(`petstore-main-${branchHash('main')}`);
  });

  it('fit the CodePipeline pattern for 250 characters, non-ASCII and punctuation-only names', () => {
    const long = `feature/${'x'.repeat(242)}`;
    const names = [long, 'fonctionnalité/été', '機能/ブランチ', '!!!', 'a'.repeat(255), 'release/v1.2.3', "it's-#1"];
    for (const branch of names) {
      const name = pipelineName('a-sixty-character-prefix-for-pipelines-of-the-pet-store-app', branch);
      expect(name, branch).toMatch(VALID);
      expect(name.length).toBeLessThanOrEqual(100);
    }
    expect(pipelineName('p', 'fonctionnalité/été')).toMatch(/^p-fonctionnalite-ete-[0-9a-f]{8}$/);
    expect(pipelineName('p', '機能/ブランチ')).toMatch(/^p-b-[0-9a-f]{8}$/);
    expect(new Set(names.map((b) => pipelineName('p', b))).size).toBe(names.length);
  });

  it('hasPrefix recognises only the prefix followed by a hyphen and room for slug and hash', () => {
    expect(hasPrefix('app', pipelineName('app', 'main'))).toBe(true);
    expect(hasPrefix('app', 'application-main-12345678')).toBe(false);
    expect(hasPrefix('app', 'app-')).toBe(false);
  });

  it('stack names replace {branch} and stay within 128 characters', () => {
    expect(stackName('petstore-{branch}-alpha', 'feature/a')).toBe(`petstore-feature-a-${branchHash('feature/a')}-alpha`);
    expect(stackName('petstore-prod', 'main')).toBe('petstore-prod');
    const long = stackName('s-{branch}-x', 'y'.repeat(250));
    expect(long.length).toBeLessThanOrEqual(128);
    expect(long).toMatch(/^[A-Za-z][-A-Za-z0-9]*$/);
  });
});

describe('branch globs', () => {
  it.each([
    ['main', 'main', true],
    ['feature/*', 'feature/a', true],
    ['feature/*', 'feature/a/b', false],
    ['feature/**', 'feature/a/b', true],
    ['feature/**', 'feature', false],
    ['release/v?', 'release/v1', true],
    ['release/v?', 'release/v10', false],
    ['?', 'é', true],
    ['fix-*', 'fix-', true],
    ['*', 'a/b', false],
    ['**', 'a/b', true],
    ['*-hotfix', 'x-y-hotfix', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
  ])('%s vs %s → %s', (pattern, name, expected) => {
    expect(matchGlob(pattern, name)).toBe(expected);
  });

  it('is linear: a pattern that makes backtracking matchers explode answers at once', () => {
    const pattern = `${'*a'.repeat(100)}b`;
    const name = 'a'.repeat(5_000);
    const start = performance.now();
    expect(matchGlob(pattern, name)).toBe(false);
    expect(matchGlob('**'.repeat(100) + 'x', 'a/'.repeat(2_000))).toBe(false);
    expect(performance.now() - start).toBeLessThan(1_000);
  });

  it('globProblem names patterns no branch can match', () => {
    expect(globProblem('feature/**')).toBeUndefined();
    expect(globProblem('feat ure')).toMatch(/space/);
    expect(globProblem('[ab]')).toMatch(/\[/);
    expect(globProblem('/x')).toMatch(/starts or ends/);
    expect(globProblem('refs/heads/main')).toMatch(/refs/);
  });
});
