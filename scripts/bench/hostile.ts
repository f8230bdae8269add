/**
 * Issue 11's scaling figures: validate time for 1× and 2× input of three hostile shapes; each ratio must
 * stay at most 2.5 (linear, with slack for a shared machine).
 * - one policy whose value is one long whitespace run (512 KiB → 1 MiB, the file cap), validated and
 *   rendered as text;
 * - a 6-star ignorePrincipals pattern against 127-character names (2,000 → 4,000 names);
 * - RedshiftGrants documents (30,000 → 60,000).
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '../../src/core/engine.js';
import { renderDiagnostics } from '../../src/core/render/index.js';
import { providers } from '../../src/providers/index.js';

const MAX_RATIO = 2.5;

async function timeValidate(files: Record<string, string>): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'charter-bench-hostile-'));
  try {
    mkdirSync(join(dir, 'policies'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'policies', name), text);
    const started = performance.now();
    const result = await validate({ cwd: dir, paths: [], providers });
    renderDiagnostics(result.diagnostics, 'text');
    return performance.now() - started;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function whitespacePolicy(bytes: number): Record<string, string> {
  const head = 'apiVersion: charter/v1\nkind: "a';
  const tail = '\\nb"\nmetadata:\n  name: ws\nspec: {}\n';
  return { 'ws.yml': head + ' '.repeat(bytes - head.length - tail.length - 1) + tail };
}

function starPolicy(names: number): Record<string, string> {
  const roles = Array.from({ length: names }, (_, i) => `    - name: r${i}\n      memberOf: ["${'a'.repeat(122)}${String(i).padStart(5, '0')}"]\n`).join('');
  return { 'stars.yml': `apiVersion: charter/v1\nkind: RedshiftGrants\nmetadata:\n  name: db\nspec:\n  connection: { dialect: postgres, urlFromEnv: PG_URL }\n  manage: { ignorePrincipals: ["*a*a*a*a*a*b"] }\n  roles:\n${roles}` };
}

function grantsPolicies(documents: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let f = 0; f * 2000 < documents; f++) {
    let text = '';
    for (let j = f * 2000; j < Math.min(documents, (f + 1) * 2000); j++) {
      text += `---\napiVersion: charter/v1\nkind: RedshiftGrants\nmetadata:\n  name: db-${j}\nspec:\n  connection: { dialect: postgres, urlFromEnv: PG_URL_${j} }\n  roles: [{ name: r${j} }]\n`;
    }
    files[`p${f}.yml`] = text;
  }
  return files;
}

async function scaling(make: (n: number) => Record<string, string>, n: number, runs: number) {
  const best = async (size: number) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await timeValidate(make(size)));
    return Math.min(...times);
  };
  await best(Math.max(1, Math.floor(n / 10))); // warm-up: compile the paths once
  const oneMs = await best(n);
  const twoMs = await best(2 * n);
  const ratio = Number((twoMs / oneMs).toFixed(2));
  return { oneX: n, oneXMs: Math.round(oneMs), twoXMs: Math.round(twoMs), ratio, ok: ratio <= MAX_RATIO };
}

export async function benchHostile() {
  return {
    whitespaceRunBytes: await scaling(whitespacePolicy, 512 * 1024, 3),
    sixStarPatternNames: await scaling(starPolicy, 2_000, 3),
    redshiftGrantsDocuments: await scaling(grantsPolicies, 30_000, 1),
  };
}
