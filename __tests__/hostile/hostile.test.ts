/**
 * Hostile input: a pull request is untrusted. Each case reproduces an attack from issue 11 through the
 * entry point where it was found (the CLI as a process, or the engine it runs) and enforces a loose time
 * budget: the bound is generous for a 2-core machine and only fails when the work is unbounded or
 * super-linear.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundDiagnostics, MAX_MESSAGE_LENGTH } from '../../src/core/diagnostics.js';
import { validate } from '../../src/core/engine.js';
import { canonicalJson } from '../../src/core/json.js';
import { renderDiagnostics } from '../../src/core/render/index.js';
import { compileWildcard, patternProblem } from '../../src/core/wildcard.js';
import { providers } from '../../src/providers/index.js';
import { checkSvgTinyPs } from '../../src/providers/email/svg.js';
import { principalMatcher } from '../../src/providers/redshift/rules.js';
import { bundleNode, repoRoot } from '../helpers/aws.js';

const exec = promisify(execFile);
const cli = join(repoRoot, 'dist/cli.js');
const NOW = new Date('2030-01-01T00:00:00Z');

async function charter(cwd: string, args: string[]) {
  const started = performance.now();
  try {
    const { stdout, stderr } = await exec(bundleNode, [cli, ...args], { cwd, timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr, ms: performance.now() - started };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr, ms: performance.now() - started };
  }
}

const email = (name: string, extra: string) => `apiVersion: charter/v1\nkind: EmailSecurity\nmetadata:\n  name: ${name}\nspec:\n  domain: example.com\n${extra}`;
const logo = (file: string) => `  bimi:\n    logo:\n      url: https://assets.example.com/logo.svg\n      file: ${JSON.stringify(file)}\n`;
const SECRET_SVG = '<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps"><title>TOPSECRET-MARKER</title></svg>';

let base: string;
let repo: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'charter-hostile-'));
  repo = join(base, 'repo');
  await mkdir(join(repo, 'policies'), { recursive: true });
  await writeFile(join(base, 'outside.svg'), SECRET_SVG);
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function scenario(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(base, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  await mkdir(join(dir, 'policies'), { recursive: true });
  return dir;
}

describe('1. file: references are read with a bound', () => {
  it('logo: {file: /dev/zero} is refused at once by the CLI, without reading', async () => {
    const dir = await scenario('dev-zero', { 'policies/a.yml': email('zero', logo('/dev/zero')) });
    const run = await charter(dir, ['validate']);
    expect(run.code).not.toBe(0);
    expect(run.out).toContain('email/asset-file-refused');
    expect(run.out).toContain('/dev/zero is an absolute path');
    expect(run.ms).toBeLessThan(10_000);
  });

  it('a symbolic link to /dev/zero inside the repository reads like a missing file', async () => {
    const dir = await scenario('dev-zero-link', { 'policies/a.yml': email('zero', logo('zero.svg')) });
    await symlink('/dev/zero', join(dir, 'policies', 'zero.svg'));
    const run = await charter(dir, ['validate']);
    expect(run.out).toContain('email/asset-file-missing');
    expect(run.ms).toBeLessThan(10_000);
  });

  it('an oversized logo inside the repository is refused by the byte cap', async () => {
    const dir = await scenario('big-logo', { 'policies/a.yml': email('big', logo('big.svg')), 'policies/big.svg': ' '.repeat(65 * 1024) });
    const result = await validate({ cwd: dir, paths: [], providers, now: NOW });
    expect(result.diagnostics.map((d) => d.code)).toContain('email/asset-file-refused');
    expect(result.diagnostics.find((d) => d.code === 'email/asset-file-refused')?.message).toContain('65536 bytes');
  });
});

describe('2. files stay inside the repository', () => {
  it('../ and a symbolic link to a valid SVG elsewhere are refused and quote nothing of it', async () => {
    const dir = await scenario('escape', { 'policies/a.yml': email('dotdot', logo('../../outside.svg')), 'policies/b.yml': email('linked', logo('linked.svg')) });
    await symlink(join(base, 'outside.svg'), join(dir, 'policies', 'linked.svg'));
    const run = await charter(dir, ['validate', '--format', 'json']);
    expect(run.code).not.toBe(0);
    expect(run.out).not.toContain('TOPSECRET');
    expect(run.out).toContain('is outside the repository');
    expect(run.out).toContain('Cannot read linked.svg (relative to policies/b.yml): it does not exist in the repository');
  });

  it('a link to an existing file outside reads exactly like a dangling link', async () => {
    const dir = await scenario('oracle', { 'policies/a.yml': email('exists', logo('a.svg')), 'policies/b.yml': email('absent', logo('b.svg')) });
    await symlink(join(base, 'outside.svg'), join(dir, 'policies', 'a.svg'));
    await symlink(join(base, 'no-such-file.svg'), join(dir, 'policies', 'b.svg'));
    const result = await validate({ cwd: dir, paths: [], providers, now: NOW });
    const messages = result.diagnostics.filter((d) => d.code === 'email/asset-file-missing').map((d) => d.message.replace(/[ab]\.svg|[ab]\.yml/g, 'X'));
    expect(messages).toHaveLength(2);
    expect(messages[0]).toBe(messages[1]);
  });

  it('a symlinked policy file leading outside is refused', async () => {
    const dir = await scenario('policy-link', {});
    await writeFile(join(base, 'outside-policy.yml'), email('outside', ''));
    await symlink(join(base, 'outside-policy.yml'), join(dir, 'policies', 'p.yml'));
    const run = await charter(dir, ['validate']);
    expect(run.code).not.toBe(0);
    expect(run.out).toContain('policy/outside-repository');
  });
});

describe('3 and 7. ignorePrincipals: linear and never failing open', () => {
  it('a 6-star pattern against 127-character names takes milliseconds, in validate too', async () => {
    const pattern = '*a*a*a*a*a*b';
    const match = compileWildcard(pattern);
    const started = performance.now();
    for (let i = 0; i < 1000; i++) expect(match('a'.repeat(127))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
    const dir = await scenario('stars', {
      'policies/r.yml': `apiVersion: charter/v1\nkind: RedshiftGrants\nmetadata:\n  name: db\nspec:\n  connection: { dialect: postgres, urlFromEnv: PG_URL }\n  manage: { ignorePrincipals: ["${pattern}"] }\n  roles:\n    - name: r\n      memberOf: ["${'a'.repeat(127)}"]\n`,
    });
    const run = await charter(dir, ['validate']);
    expect(run.out).toContain('redshift/unknown-role');
    expect(run.ms).toBeLessThan(10_000);
  });

  it('* matches names with newlines, /./ and /../ segments, and dots', () => {
    const match = principalMatcher(['*', 'svc_*'], 'postgres');
    for (const name of ['evil\nrole', 'a/./b', 'x/../y', '.hidden', '../..', 'line\r\nbreak']) expect(match(name)).toBe('*');
    expect(principalMatcher(['svc_*'], 'postgres')('svc_a\nb/../c')).toBe('svc_*');
  });

  it('refuses patterns over the caps', () => {
    expect(patternProblem('*a'.repeat(17))).toContain('17 wildcards');
    expect(patternProblem('x'.repeat(257))).toContain('limited to 256');
    expect(patternProblem('{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}')).toContain('alternatives');
  });
});

describe('4. rendering is linear', () => {
  it('a 300 KB whitespace run renders as text in well under a second', () => {
    const message = `a${' '.repeat(300_000)}b\n${' '.repeat(300_000)}c`;
    const started = performance.now();
    const text = renderDiagnostics([{ code: 'x/y', severity: 'error', message, file: 'f.yml', line: 1, column: 1 }], 'text');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(text).toContain(`a${' '.repeat(300_000)}b c`);
  });

  it('control and bidi characters cannot forge lines or reverse text in the text output', () => {
    const text = renderDiagnostics([{ code: 'x/y', severity: 'error', message: 'role "a\u202Eb\u0000c\u0085d"', file: 'f.yml', line: 1, column: 1 }], 'text');
    expect(text).toContain('a\\u{202e}b\\u{0}c\\u{85}d');
    for (const c of ['\u202E', '\u0000', '\u0085']) expect(text).not.toContain(c);
  });
});

describe('5. validation is linear in RedshiftGrants documents', () => {
  it('10,000 documents validate within the budget', async () => {
    const dir = await scenario('many', {});
    for (let f = 0; f < 5; f++) {
      let text = '';
      for (let j = f * 2000; j < (f + 1) * 2000; j++) text += `---\napiVersion: charter/v1\nkind: RedshiftGrants\nmetadata:\n  name: db-${j}\nspec:\n  connection: { dialect: postgres, urlFromEnv: PG_URL_${j} }\n  roles: [{ name: r${j} }]\n`;
      await writeFile(join(dir, 'policies', `p${f}.yml`), text);
    }
    const started = performance.now();
    const result = await validate({ cwd: dir, paths: [], providers, now: NOW });
    expect(result.documents).toHaveLength(10_000);
    expect(result.ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 60_000);
});

describe('6. directory symlink loops', () => {
  it('four self-links under policies/ are not followed', async () => {
    const dir = await scenario('loop', { 'policies/a.yml': email('loop', '') });
    for (let i = 0; i < 4; i++) await symlink('.', join(dir, 'policies', `self${i}`));
    await symlink('..', join(dir, 'policies', 'up'));
    const run = await charter(dir, ['validate']);
    expect(run.code).toBe(0);
    expect(run.out).not.toContain('Maximum call stack');
    expect(run.ms).toBeLessThan(10_000);
  });
});

describe('10. __proto__ map keys stay data', () => {
  it('two values of a __proto__ tag give different canonical JSON', () => {
    const a = parse('tags:\n  __proto__: one\n') as unknown;
    const b = parse('tags:\n  __proto__: two\n') as unknown;
    expect(canonicalJson(a)).toBe('{"tags":{"__proto__":"one"}}');
    expect(canonicalJson(a)).not.toBe(canonicalJson(b));
  });
});

describe('12. deep nesting', () => {
  it('gets a positioned, plain-language diagnostic from the CLI', async () => {
    const deep = `x: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    const moderate = `x: ${'['.repeat(100)}${']'.repeat(100)}\n`;
    const dir = await scenario('deep', { 'policies/a.yml': email('deep', `  ${deep}`), 'policies/b.yml': email('moderate', `  ${moderate}`) });
    const run = await charter(dir, ['validate']);
    expect(run.out).not.toContain('Maximum call stack');
    expect(run.out).toMatch(/policies\/a\.yml:7:\d+ error yaml\/too-deep The YAML is nested too deeply/);
    expect(run.out).toMatch(/policies\/b\.yml:7:\d+ error yaml\/too-deep/);
  });
});

describe('8. BIMI SVG: strict allowlist, no entity expansion', () => {
  const svg = (body: string, prolog = '') => new TextEncoder().encode(`${prolog}<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 10 10"><title>Brand</title>${body}</svg>`);
  const codes = (bytes: Uint8Array) => checkSvgTinyPs(bytes).filter((i) => i.severity === 'error').map((i) => i.code);

  it('accepts a plain Tiny PS logo', () => {
    expect(codes(svg('<rect width="10" height="10" fill="#123456"/>'))).toEqual([]);
  });

  it.each([
    ['an internal DTD entity expanding to <script>', svg('<text>&x;</text>', '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "&#60;script&#62;alert(1)&#60;/script&#62;">]>')],
    ['<?xml-stylesheet?>', svg('<rect width="1" height="1"/>', '<?xml version="1.0"?><?xml-stylesheet href="https://evil.example/x.css"?>')],
    ['<style> with an external url()', svg('<style>rect { fill: url(https://evil.example/track) }</style>')],
    ['a fill attribute with an external url()', svg('<rect width="1" height="1" fill="url(https://evil.example/p#g)"/>')],
    ['<handler>', svg('<handler type="application/ecmascript">alert(1)</handler>')],
    ['<foreignObject>', svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>')],
    ['an event attribute', svg('<rect width="1" height="1" onclick="alert(1)"/>')],
    ['an element outside the profile', svg('<marquee>x</marquee>')],
  ])('refuses %s', (_, bytes) => {
    expect(codes(bytes).length).toBeGreaterThan(0);
  });
});

describe('9. names with control and bidi characters', () => {
  it('are refused at lint, positioned, and never reach a plan', async () => {
    const dir = await scenario('names', {
      'policies/r.yml': 'apiVersion: charter/v1\nkind: RedshiftGrants\nmetadata:\n  name: db\nspec:\n  connection: { dialect: postgres, urlFromEnv: PG_URL }\n  roles:\n    - name: "sales\\u202Eor_"\n    - name: "a\\nb"\n    - name: "nul\\0"\n    - name: "c1\\x85"\n',
    });
    const run = await charter(dir, ['validate']);
    expect(run.code).not.toBe(0);
    for (const [line, char] of [[8, 'U+202E'], [9, 'U+000A'], [10, 'U+0000'], [11, 'U+0085']] as const) {
      expect(run.out).toMatch(new RegExp(`policies/r\\.yml:${line}:13 error policy/invisible-character .*${char.replace('+', '\\+')}`));
    }
  });
});

describe('messages are bounded whatever a provider echoes', () => {
  it('a message or hint over 1,000 characters is cut with an ellipsis; shorter ones are untouched', () => {
    const long = { code: 'x/y', severity: 'error' as const, file: 'p.yml', line: 1, column: 1, message: `value ${'v'.repeat(5000)}`, hint: 'h'.repeat(1001) };
    const short = { ...long, message: 'short', hint: undefined };
    const [cut, kept] = boundDiagnostics([long, short]);
    expect(cut.message).toHaveLength(MAX_MESSAGE_LENGTH);
    expect(cut.message.endsWith('…')).toBe(true);
    expect(cut.hint).toHaveLength(MAX_MESSAGE_LENGTH);
    expect(kept).toBe(short);
  });
});
