import { afterEach, describe, expect, it } from 'vitest';
import { createGitHub, lastPage, type GitHub } from '../../src/github/client.js';
import { parseRepository } from '../../src/github/repo.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

describe('GitHub client', () => {
  let fake: FakeGitHub | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('talks to GITHUB_API_URL with the token and a user agent, and satisfies the GitHub interface', async () => {
    fake = await startFakeGitHub({ token: 's3cret', repos: [{ fullName: 'acme/infra', pulls: [{ number: 1 }] }] });
    const octokit = createGitHub({ token: 's3cret', baseUrl: `${fake.url}/`, userAgent: 'charter-test' });
    const gh: GitHub = octokit; // compile-time check: the full client fits the narrow interface
    const { data, status } = await gh.rest.issues.createComment({ owner: 'acme', repo: 'infra', issue_number: 1, body: 'hi' });
    expect(status).toBe(201);
    expect(data.user?.login).toBe('github-actions[bot]');
    expect(fake.requests[0].headers['user-agent']).toMatch(/^charter-test/);
    expect(fake.requests[0].headers.authorization).toBe('token s3cret');
    // Octokit's own paginate works against the fake's Link headers too.
    fake.state.addComments('acme/infra', 1, 45);
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: 'acme',
      repo: 'infra',
      issue_number: 1,
      per_page: 20,
    });
    expect(all).toHaveLength(46);
  });

  it('reads the last page of a Link header the way GitHub writes it', () => {
    const header =
      '<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=1>; rel="prev", ' +
      '<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=3>; rel="next", ' +
      '<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=5>; rel="last", ' +
      '<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=1>; rel="first"';
    expect(lastPage(header)).toBe(5);
    expect(lastPage('<https://api.github.com/x?page=2>; rel="next"')).toBeUndefined();
    expect(lastPage(undefined)).toBeUndefined();
  });

  it('parses owner/name', () => {
    expect(parseRepository('acme/infra')).toEqual({ owner: 'acme', repo: 'infra' });
    expect(parseRepository(' acme/infra.github.io ')).toEqual({ owner: 'acme', repo: 'infra.github.io' });
    for (const bad of ['acme', 'acme/infra/x', '/infra', 'acme/', 'acme/..', 'ac me/infra']) {
      expect(() => parseRepository(bad)).toThrow(/owner\/name/);
    }
  });
});
