/** A repository on GitHub, as the REST API addresses it. */
export interface RepoRef {
  owner: string;
  repo: string;
}

const part = /^[A-Za-z0-9_.-]+$/;

/** Parses `owner/name` (GITHUB_REPOSITORY, the `--repository` option). Throws on anything else. */
export function parseRepository(fullName: string): RepoRef {
  const pieces = fullName.trim().split('/');
  if (pieces.length !== 2 || !part.test(pieces[0]) || !part.test(pieces[1]) || pieces[1] === '.' || pieces[1] === '..') {
    throw new Error(`Expected a repository as "owner/name", got ${JSON.stringify(fullName)}`);
  }
  return { owner: pieces[0], repo: pieces[1] };
}

export function repositoryName(ref: RepoRef): string {
  return `${ref.owner}/${ref.repo}`;
}
