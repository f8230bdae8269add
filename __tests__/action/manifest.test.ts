/**
 * action.yml as GitHub reads it: valid YAML, valid action metadata (GitHub's own parser and schema), a
 * node24 JavaScript action whose `runs.main` is in the repository, and the same inputs, defaults and
 * outputs as the code that reads them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { glob } from 'tinyglobby';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ACTION_INPUT_DEFAULTS, readInputs } from '../../src/action/inputs.js';
import { repoRoot } from '../helpers/aws.js';
import { actionFileErrors, evaluateTemplate, inputVariable, loadActionManifest, stepInputEnv } from '../helpers/runner.js';

const actionFile = join(repoRoot, 'action.yml');
const content = readFileSync(actionFile, 'utf8');

describe('action.yml', () => {
  it('is YAML every parser accepts, with no duplicate keys', () => {
    const doc = parseDocument(content, { uniqueKeys: true, prettyErrors: true });
    expect(doc.errors.map((e) => e.message)).toEqual([]);
    expect(doc.warnings.map((e) => e.message)).toEqual([]);
  });

  it('is valid action metadata for GitHub and for action-validator', () => {
    expect(actionFileErrors(content)).toEqual([]);
  });

  it('is a node24 action whose runs.main exists, with a name, description and branding', () => {
    const manifest = loadActionManifest(actionFile);
    expect(manifest.using).toBe('node24');
    expect(relative(repoRoot, manifest.main)).toBe('dist/index.js');
    expect(existsSync(manifest.main)).toBe(true);
    const raw = parseDocument(content).toJS() as { name: string; description: string; branding: { icon: string; color: string } };
    expect(raw.name.trim()).not.toBe('');
    expect(raw.description.trim()).not.toBe('');
    expect(raw.branding).toEqual({ icon: expect.any(String), color: expect.any(String) });
  });

  // The checks above must be able to fail: each of these broke (or would break) `uses:` on GitHub.
  it.each([
    ['the original line 2 (a plain scalar with ": ")', content.replace(/^description: .*$/m, 'description: Policy-as-code for AWS email security records and more: plan on the pull request.')],
    ['a runtime GitHub does not have', content.replace('using: node24', 'using: node99')],
    ['a branding colour outside GitHub\'s list', content.replace('color: blue', 'color: pink')],
    ['a branding icon outside GitHub\'s Feather list', content.replace('icon: shield', 'icon: github')],
    ['no main for a node action', content.replace(/^\s+main: .*$/m, '')],
  ])('rejects %s', (_name, broken) => {
    expect(broken).not.toBe(content);
    expect(actionFileErrors(broken).length).toBeGreaterThan(0);
  });
});

describe('inputs and outputs: action.yml and the code agree', () => {
  const manifest = loadActionManifest(actionFile);

  it('declares exactly the inputs the code knows, with the same defaults', () => {
    const declared = Object.fromEntries([...manifest.inputs].map(([name, input]) => [name, input.default ?? '']));
    expect(declared).toEqual(ACTION_INPUT_DEFAULTS);
  });

  it('reads every declared input and no other', () => {
    const read = new Set<string>();
    const saved = process.env;
    const base: NodeJS.ProcessEnv = { GITHUB_WORKSPACE: repoRoot, RUNNER_TEMP: '/tmp' };
    process.env = new Proxy(base, {
      get(target, key) {
        if (typeof key === 'string' && key.startsWith('INPUT_')) read.add(key);
        return Reflect.get(target, key) as unknown;
      },
    });
    try {
      readInputs(process.env);
    } finally {
      process.env = saved;
    }
    expect([...read].sort()).toEqual([...manifest.inputs.keys()].map(inputVariable).sort());
  });

  it('reads inputs nowhere else in src', async () => {
    const readers: string[] = [];
    for (const file of await glob('src/**/*.ts', { cwd: repoRoot, ignore: ['**/*.generated.*'] })) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      const count = (text.match(/\bget(Boolean|Multiline)?Input\(|env(\.|\[['`"])INPUT_/g) ?? []).length;
      if (count) readers.push(`${file}: ${count}`);
    }
    // The one `core.getInput` call, inside inputs.ts's input().
    expect(readers).toEqual(['src/action/inputs.ts: 1']);
  });

  it('the defaults the runner supplies mean what the code assumes without a runner', () => {
    const withDefaults = stepInputEnv(manifest, {}, { github: { token: '' } });
    const saved = process.env;
    const common = { GITHUB_WORKSPACE: repoRoot, RUNNER_TEMP: '/tmp' };
    try {
      process.env = { ...common, ...withDefaults };
      const asRunner = readInputs(process.env);
      process.env = { ...common };
      const bare = readInputs(process.env);
      expect(asRunner).toEqual(bare);
    } finally {
      process.env = saved;
    }
  });

  it('the github-token default is the workflow token', () => {
    expect(evaluateTemplate(manifest.inputs.get('github-token')!.default!, { github: { token: 'ghs_x' } })).toBe('ghs_x');
  });

  it('declares exactly the outputs the code sets', async () => {
    const set = new Set<string>();
    for (const file of await glob('src/action/**/*.ts', { cwd: repoRoot })) {
      for (const m of readFileSync(join(repoRoot, file), 'utf8').matchAll(/setOutput\('([^']+)'/g)) set.add(m[1]);
    }
    expect([...set].sort()).toEqual([...manifest.outputs].sort());
  });
});
