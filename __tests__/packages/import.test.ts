/**
 * `charter import` for PackagePublishing through the bundled CLI as a process (dist/cli.js), against a
 * sandbox account file holding an existing three-region setup without Charter's tags: import fills the
 * policy from live state and sets adopt; the first plan only tags (adoption); apply; the re-plan is empty.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bundleNode, repoRoot } from '../helpers/aws.js';
import { policy } from './helpers.js';

const exec = promisify(execFile);
const cli = join(repoRoot, 'dist/cli.js');
const EXAMPLE = join(repoRoot, 'policies/examples/package-publishing.yml');

async function charter(args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await exec(bundleNode, [cli, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

type Tagged = { tags: Array<{ key: string; value: string }> };
interface AccountFile {
  codeartifact: { domains: Tagged[]; repositories: Array<Tagged & { region: string; description: string }> };
  codebuild: { projects: Tagged[] };
  codepipeline: { pipelines: Tagged[] };
}

/** The setup as a hand-made (or CDK) deployment leaves it: the same resources, no charter:* tags. */
function stripCharterTags(state: string): void {
  const account = JSON.parse(readFileSync(state, 'utf8')) as AccountFile;
  const all: Tagged[] = [...account.codeartifact.domains, ...account.codeartifact.repositories, ...account.codebuild.projects, ...account.codepipeline.pipelines];
  for (const r of all) r.tags = r.tags.filter((t) => !t.key.startsWith('charter:'));
  writeFileSync(state, JSON.stringify(account));
}

const SKELETON = policy(
  'pypi-publishing',
  `  format: pypi   # comments on what import keeps stay
  domain: package-domain
  repository: package-artifact-repo
  primaryRegion: us-east-1
  replicaRegions: [us-east-2, us-west-2]
  packages:
    - name: mypippackage
  pipeline:
    name: packagePipeline
    build:
      buildspec: buildspec-build-pypi.yml.hbs
`,
);

describe('charter import: PackagePublishing', () => {
  it('adopts an untagged three-region setup and its pipeline: import → plan only tags → apply → plan is empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charter-packages-import-'));
    const state = join(dir, 'account.json');
    copyFileSync(join(repoRoot, 'policies/examples/sandbox-account.json'), state);
    // Build the setup with the example, then take Charter's tags away: what a team set up without Charter.
    const built = await charter(['apply', EXAMPLE, '--auto-approve', '--sandbox', state], repoRoot);
    expect(built.code, built.stdout + built.stderr).toBe(0);
    stripCharterTags(state);
    // A description edited by hand in one replica: import takes the primary's and says the replica differs.
    const account = JSON.parse(readFileSync(state, 'utf8')) as AccountFile;
    account.codeartifact.repositories.find((r) => r.region === 'us-west-2' && r.description.startsWith('Internal'))!.description = 'edited in us-west-2';
    writeFileSync(state, JSON.stringify(account));

    writeFileSync(join(dir, 'p.yml'), SKELETON);
    // Without import, the skeleton does not plan: the pipeline is only named.
    const invalid = await charter(['plan', 'p.yml', '--sandbox', state], dir);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout + invalid.stderr).toContain('packages/pipeline-incomplete');

    const imported = await charter(['import', 'p.yml', '--sandbox', state, '--out', 'p.yml'], dir);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('us-west-2: the repository\'s description differs from us-east-1\'s');
    expect(imported.stderr).toContain('adopt: true');
    const text = readFileSync(join(dir, 'p.yml'), 'utf8');
    expect(text).toContain('# comments on what import keeps stay');
    const spec = (parse(text) as { spec: Record<string, unknown> }).spec;
    const example = (parse(readFileSync(EXAMPLE, 'utf8').split(/^---$/m)[0]) as { spec: Record<string, unknown> }).spec;
    // Everything the example declares comes back from live state, plus adopt.
    expect(spec).toEqual({ ...example, adopt: true });

    const planned = await charter(['plan', 'p.yml', '--sandbox', state, '--format', 'json'], dir);
    expect(planned.code, planned.stderr).toBe(0);
    const changes = (JSON.parse(planned.stdout) as { changes: Array<{ address: string; action: string; risk: string; after: Record<string, string>; reason: string }> }).changes;
    const addresses = changes.map((c) => c.address.replace('packages/pypi-publishing/', '')).sort();
    expect(addresses).toEqual([
      'us-east-1/codebuild/packagePipeline-build/tags',
      'us-east-1/codebuild/packagePipeline-publish/tags',
      'us-east-1/codepipeline/packagePipeline/tags',
      'us-east-1/repository/tags',
      'us-east-2/codebuild/charter-package-domain-package-artifact-repo-replicate/tags',
      'us-east-2/codebuild/packagePipeline-publish/tags',
      'us-east-2/repository/tags',
      'us-west-2/codebuild/charter-package-domain-package-artifact-repo-replicate/tags',
      'us-west-2/codebuild/packagePipeline-publish/tags',
      'us-west-2/repository/description',
      'us-west-2/repository/tags',
    ]);
    for (const c of changes.filter((x) => x.address.endsWith('/tags'))) {
      expect(c).toMatchObject({ action: 'update', risk: 'safe', after: { 'charter:policy': 'pypi-publishing' } });
      expect(c.reason).toMatch(/^Adopts the /);
    }

    const applied = await charter(['apply', 'p.yml', '--auto-approve', '--sandbox', state], dir);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const again = await charter(['plan', 'p.yml', '--sandbox', state, '--detailed-exitcode'], dir);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toMatch(/No changes/);
    // Domains are not tagged by adoption: prune never deletes a domain Charter did not create.
    const after = JSON.parse(readFileSync(state, 'utf8')) as AccountFile;
    expect(after.codeartifact.domains.flatMap((d) => d.tags.filter((t) => t.key === 'charter:policy'))).toEqual([]);
    expect(after.codepipeline.pipelines.map((p) => p.tags.find((t) => t.key === 'charter:policy')?.value)).toEqual(['pypi-publishing']);
  });

  it('leaves another policy\'s repository alone and refuses a repository that exists nowhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charter-packages-import-'));
    const state = join(dir, 'account.json');
    copyFileSync(join(repoRoot, 'policies/examples/sandbox-account.json'), state);
    const built = await charter(['apply', EXAMPLE, '--auto-approve', '--sandbox', state], repoRoot);
    expect(built.code, built.stdout + built.stderr).toBe(0);
    // The release repository is owned by policy release-artifacts: import under another name adopts nothing.
    writeFileSync(join(dir, 'p.yml'), policy('mirror', '  format: generic\n  domain: release-domain\n  repository: release-artifacts\n  primaryRegion: us-east-1\n  replicaRegions: [eu-west-1]\n'));
    const imported = await charter(['import', 'p.yml', '--sandbox', state], dir);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('us-east-1: the repository is owned by policy release-artifacts: it stays left alone');
    expect(imported.stdout).not.toContain('adopt');
    expect(imported.stdout).toContain('description: Release tarballs.');

    writeFileSync(join(dir, 'none.yml'), policy('none', '  format: generic\n  domain: release-domain\n  repository: nowhere\n  primaryRegion: us-east-1\n  replicaRegions: [eu-west-1]\n'));
    const missing = await charter(['import', 'none.yml', '--sandbox', state], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no repository release-domain/nowhere in us-east-1, eu-west-1: nothing to import');
  });
});
