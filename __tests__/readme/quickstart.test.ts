/**
 * The README's Quick start is what CI runs: `.ci/run` hands the README to scripts/quickstart.mjs, which
 * runs its commands as written, in a fresh clone. These tests hold both ends: the real README's commands
 * are the whole set-up (install, then the tests), `.ci/run` installs and tests only through them, and
 * the runner runs what a README says, in order, and fails loudly on a README it cannot read.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'charter-quickstart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function quickstart(args: string[], cwd = root) {
  return spawnSync(process.execPath, [join(root, 'scripts', 'quickstart.mjs'), ...args], { cwd, encoding: 'utf8' });
}

function readme(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

describe("the README's Quick start", () => {
  it('is the whole set-up: npm ci first, and npm test among its commands', () => {
    const run = quickstart([]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const commands = run.stdout.trim().split('\n').flatMap((line) => line.split('&&').map((c) => c.trim()));
    expect(commands[0]).toBe('npm ci');
    expect(commands).toContain('npm test');
  });

  it('is what .ci/run runs: it installs and tests only through scripts/quickstart.mjs --run', () => {
    const script = readFileSync(join(root, '.ci', 'run'), 'utf8');
    const code = script.split('\n').filter((l) => !/^\s*#/.test(l) && !/^\s*echo /.test(l));
    expect(code.filter((l) => /node scripts\/quickstart\.mjs --run\b/.test(l))).toHaveLength(1);
    expect(code.filter((l) => /\bnpm (ci|install|i|test|t|run demo)\b/.test(l))).toEqual([]);
    // CI never skips: a missing server is a failure there.
    expect(script).toMatch(/^export CHARTER_REQUIRE_ALL=1\b/m);
  });
});

describe('scripts/quickstart.mjs', () => {
  const fixture = [
    '# Tool',
    '',
    '## Quick start',
    '',
    'Some words.',
    '',
    '```sh',
    'echo one && echo two   # a comment',
    '',
    'echo "three # not a comment"',
    'exit 3',
    'echo never',
    '```',
    '',
    '```sh',
    'echo another-block',
    '```',
    '',
    '## Next',
  ].join('\n');

  it('prints the command lines of the first sh block, comments dropped', () => {
    const run = quickstart(['--readme', readme('a.md', fixture)]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('echo one && echo two\necho "three # not a comment"\nexit 3\necho never\n');
  });

  it('runs them in order in bash and stops at the first failure with its exit code', () => {
    const run = quickstart(['--readme', readme('b.md', fixture), '--run']);
    expect(run.stdout).toBe('$ echo one && echo two\none\ntwo\n$ echo "three # not a comment"\nthree # not a comment\n$ exit 3\n');
    expect(run.stderr).toBe('quickstart: `exit 3` failed (exit 3)\n');
    expect(run.status).toBe(3);
  });

  it('fails loudly, naming the file, when there is nothing to run', () => {
    const cases: [string, RegExp][] = [
      ['# Tool\n\n## Usage\n', /has no "## Quick start" section/],
      ['## Quick start\n\nJust read.\n\n## Next\n\n```sh\necho x\n```\n', /has no ```sh block/],
      ['## Quick start\n\n```sh\n# only a comment\n```\n', /holds no command/],
      ['## Quick start\n\n```sh\necho x\n', /is not closed/],
    ];
    for (const [i, [body, message]] of cases.entries()) {
      const file = readme(`bad${i}.md`, body);
      const run = quickstart(['--readme', file, '--run']);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain(file);
    }
  });
});
