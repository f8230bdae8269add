/**
 * The bad-input corpus: every file under bad/ must produce exactly the diagnostics listed for it in
 * expected.json (code, severity, 1-based line and column, file, and a message/hint substring where
 * given), without throwing and without loading any AWS code. Files under good/ must validate cleanly.
 *
 * Scenarios are keyed by their path relative to this folder; a folder key (bad/duplicate-name-across-files)
 * is validated as one run over every file in it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Diagnostic } from '../../src/core/diagnostics.js';
import { validate, type ValidationResult } from '../../src/core/engine.js';
import { MAX_POLICY_FILE_BYTES } from '../../src/core/load.js';
import type { Provider } from '../../src/core/provider.js';
import { providers } from '../../src/providers/index.js';

// Validation must never load AWS code: any import of the SDK clients or a provider runtime fails loudly.
const loaded = vi.hoisted(() => [] as string[]);
vi.mock('@aws-sdk/client-route-53', () => {
  loaded.push('@aws-sdk/client-route-53');
  throw new Error('@aws-sdk/client-route-53 loaded during validation');
});
vi.mock('@aws-sdk/client-acm', () => {
  loaded.push('@aws-sdk/client-acm');
  throw new Error('@aws-sdk/client-acm loaded during validation');
});
vi.mock('@aws-sdk/client-s3', () => {
  loaded.push('@aws-sdk/client-s3');
  throw new Error('@aws-sdk/client-s3 loaded during validation');
});
vi.mock('@aws-sdk/client-cloudfront', () => {
  loaded.push('@aws-sdk/client-cloudfront');
  throw new Error('@aws-sdk/client-cloudfront loaded during validation');
});
vi.mock('../../src/providers/email/runtime.js', () => {
  loaded.push('src/providers/email/runtime.ts');
  throw new Error('email runtime loaded during validation');
});

const CORPUS = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(CORPUS, '../..');
/** Fixed clock so certificate validity and similar time-dependent lint rules are stable. */
const NOW = new Date('2030-01-01T00:00:00Z');

interface Expected {
  code: string;
  severity: Diagnostic['severity'];
  line: number;
  column: number;
  /** Defaults to the scenario path. */
  file?: string;
  /** Substring of the message. */
  message?: string;
  /** Substring of the hint. */
  hint?: string;
}

const expected = JSON.parse(readFileSync(join(CORPUS, 'expected.json'), 'utf8')) as Record<string, Expected[]>;
const badScenarios = Object.keys(expected).filter((k) => k.startsWith('bad/'));
const goodScenarios = Object.keys(expected).filter((k) => k.startsWith('good/'));

/** Providers whose AWS side refuses to load: validation must never ask for it. */
const runtimeRequests: string[] = [];
const guarded: Provider[] = providers.map((p) => ({
  ...p,
  loadRuntime: async () => {
    runtimeRequests.push(p.kind);
    throw new Error(`${p.kind} runtime requested during validation`);
  },
}));

function run(cwd: string, paths: string[]): Promise<ValidationResult> {
  return validate({ cwd, paths, providers: guarded, now: NOW });
}

/** The comparable part of a diagnostic; message and hint are checked by substring separately. */
function shape(d: Pick<Diagnostic, 'code' | 'severity' | 'line' | 'column' | 'file'>) {
  return { code: d.code, severity: d.severity, line: d.line, column: d.column, file: d.file };
}

function expectedShape(scenario: string, e: Expected) {
  return shape({ ...e, file: e.file ?? scenario });
}

/** Every .yml/.yaml file below a folder, relative to the corpus, with forward slashes. */
function policyFiles(folder: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(CORPUS, folder), { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) out.push(...policyFiles(path));
    else if (/\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

function checkScenario(scenario: string, result: ValidationResult): void {
  const want = expected[scenario];
  expect(result.diagnostics.map(shape)).toEqual(want.map((e) => expectedShape(scenario, e)));
  result.diagnostics.forEach((d, i) => {
    expect(typeof d.message === 'string' && d.message.length > 0, `${scenario}: diagnostic ${i} has a message`).toBe(true);
    expect(d.file, `${scenario}: diagnostic ${i} names the policy file`).toBe(want[i].file ?? scenario);
    if (want[i].message !== undefined) expect(d.message).toContain(want[i].message);
    if (want[i].hint !== undefined) expect(d.hint ?? '').toContain(want[i].hint);
  });
  expect(result.ok).toBe(!want.some((e) => e.severity === 'error'));
}

describe('bad policy corpus', () => {
  it('has at least 60 scenarios and an expectation for every file', () => {
    expect(badScenarios.length).toBeGreaterThanOrEqual(60);
    const covered = new Set<string>();
    for (const scenario of badScenarios) {
      if (statSync(join(CORPUS, scenario)).isDirectory()) policyFiles(scenario).forEach((f) => covered.add(f));
      else covered.add(scenario);
    }
    expect(policyFiles('bad').filter((f) => !covered.has(f))).toEqual([]);
    expect(policyFiles('good').filter((f) => !goodScenarios.includes(f))).toEqual([]);
  });

  it.each(badScenarios)('%s', async (scenario) => {
    const result = await run(CORPUS, [scenario]);
    checkScenario(scenario, result);
    expect(result.diagnostics.length).toBeGreaterThan(0);
  });

  it('reports every problem of every bad file in a single run', async () => {
    const result = await run(CORPUS, ['bad']);
    const want = badScenarios.flatMap((scenario) => expected[scenario].map((e) => expectedShape(scenario, e)));
    const key = (d: ReturnType<typeof shape>) => `${d.file}:${String(d.line).padStart(4, '0')}:${String(d.column).padStart(4, '0')} ${d.severity} ${d.code}`;
    expect(result.diagnostics.map(shape).map(key).sort()).toEqual(want.map(key).sort());
    expect(result.diagnostics.length).toBe(want.length);
    expect(result.ok).toBe(false);
  });
});

describe('good policy corpus', () => {
  it.each(goodScenarios)('%s', async (scenario) => {
    const result = await run(CORPUS, [scenario]);
    checkScenario(scenario, result);
    expect(result.ok).toBe(true);
    expect(result.documents.length).toBeGreaterThan(0);
  });

  it('the BOM file loads the same policy as without the BOM', async () => {
    const result = await run(CORPUS, ['good/bom.yml']);
    expect(result.documents.map((d) => [d.kind, d.name, d.apiVersion])).toEqual([['EmailSecurity', 'bom-example-com', 'charter/v1']]);
  });

  it('a trailing --- and a --- ... --- sequence add no documents and no diagnostics', async () => {
    const result = await run(CORPUS, ['good/trailing-document-marker.yml', 'good/multi-doc.yml']);
    expect(result.documents.map((d) => d.name).sort()).toEqual(['multi-one', 'multi-two', 'trailing-marker']);
    expect(result.diagnostics).toEqual([]);
  });
});

describe('generated inputs', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charter-corpus-'));
    const policy = 'apiVersion: charter/v1\nkind: EmailSecurity\nmetadata:\n  name: big-example-com\nspec:\n  domain: big.example.com\n';
    // 10 MB: a valid policy followed by comment lines, written in chunks rather than built in memory at once.
    const huge = await open(join(dir, 'huge.yml'), 'w');
    await huge.write(policy);
    const line = `# ${'x'.repeat(1021)}\n`;
    const chunk = line.repeat(1024);
    for (let written = policy.length; written < 10 * 1024 * 1024; written += chunk.length) await huge.write(chunk);
    await huge.close();
    // Exactly at the limit (accepted) and one byte over (refused).
    const pad = (size: number) => policy + '#'.repeat(size - policy.length - 1) + '\n';
    await mkdir(join(dir, 'limit'));
    await writeFile(join(dir, 'limit', 'at-limit.yml'), pad(MAX_POLICY_FILE_BYTES));
    await writeFile(join(dir, 'over-limit.yml'), pad(MAX_POLICY_FILE_BYTES + 1));
    // A policy file that is a dangling symlink: discovered, but unreadable.
    await mkdir(join(dir, 'dangling'));
    await symlink(join(dir, 'does-not-exist.yml'), join(dir, 'dangling', 'broken.yml'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a 10 MB file before parsing it', async () => {
    const started = performance.now();
    const result = await run(dir, ['huge.yml']);
    const elapsed = performance.now() - started;
    expect(result.diagnostics.map(shape)).toEqual([{ code: 'policy/file-too-large', severity: 'error', line: 1, column: 1, file: 'huge.yml' }]);
    expect(result.diagnostics[0].message).toContain(`limited to ${MAX_POLICY_FILE_BYTES} bytes`);
    expect(result.documents).toEqual([]);
    // Not a timing assertion: a generous bound that only fails if the file were parsed.
    expect(elapsed).toBeLessThan(10_000);
  });

  it('accepts a file of exactly the size limit and refuses one byte more', async () => {
    const at = await run(dir, ['limit/at-limit.yml']);
    expect(at.diagnostics).toEqual([]);
    expect(at.documents.map((d) => d.name)).toEqual(['big-example-com']);
    const over = await run(dir, ['over-limit.yml']);
    expect(over.diagnostics.map(shape)).toEqual([{ code: 'policy/file-too-large', severity: 'error', line: 1, column: 1, file: 'over-limit.yml' }]);
  });

  it('refuses a dangling symlink the same way as one leading outside the repository', async () => {
    const result = await run(dir, ['dangling']);
    expect(result.diagnostics.map(shape)).toEqual([{ code: 'policy/outside-repository', severity: 'error', line: 1, column: 1, file: 'dangling/broken.yml' }]);
    expect(result.diagnostics[0].message).toBe('dangling/broken.yml does not exist in the repository (symbolic links must stay inside it)');
  });

  it('refuses a named policy file outside the working directory without reading it', async () => {
    const result = await run(dir, ['/proc/self/mem']);
    expect(result.diagnostics.map(shape)).toEqual([{ code: 'policy/outside-repository', severity: 'error', line: 1, column: 1, file: '/proc/self/mem' }]);
    expect(result.ok).toBe(false);
  });

  it('refuses a named path that matches no policy file, naming it, even beside one that does', async () => {
    const result = await run(dir, ['nothing-here', 'limit/at-limit.yml']);
    expect(result.diagnostics.map(shape)).toEqual([{ code: 'policy/path-matches-nothing', severity: 'error', line: 1, column: 1, file: 'nothing-here' }]);
    expect(result.diagnostics[0].message).toBe('nothing-here matches no policy file');
    expect(result.ok).toBe(false);
  });

  it('files and diagnostics are relative to the working directory', async () => {
    const result = await run(REPO, [relative(REPO, join(CORPUS, 'bad', 'ttl-too-small.yml'))]);
    expect(result.diagnostics.map((d) => d.file)).toEqual(['__tests__/corpus/bad/ttl-too-small.yml']);
  });
});

describe('policies/examples', () => {
  it('validate with no errors', async () => {
    const result = await validate({ cwd: REPO, paths: ['policies/examples'], providers: guarded });
    expect(result.files.length).toBeGreaterThan(0);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.ok).toBe(true);
  });
});

describe('isolation from AWS', () => {
  it('never requested a provider runtime nor loaded an AWS SDK module', () => {
    expect(runtimeRequests).toEqual([]);
    expect(loaded).toEqual([]);
  });
});

describe('every diagnostic carries a hint', () => {
  it('across the whole bad corpus', async () => {
    const cwd = join(import.meta.dirname, 'bad');
    const result = await validate({ cwd, paths: ['.'], providers });
    const missing = result.diagnostics.filter((d) => !d.hint);
    expect(missing.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([]);
  });
});
