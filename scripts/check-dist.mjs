// Fails when the committed dist/ differs from a fresh build of the sources (a stale bundle).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// Built beside dist/ (same depth), so the source maps' relative paths to src/ come out the same.
const fresh = mkdtempSync('.dist-check-');
process.on('exit', () => rmSync(fresh, { recursive: true, force: true }));
execFileSync(process.execPath, ['scripts/build.mjs', '--outdir', fresh], { stdio: 'inherit' });

const list = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? list(full).map((f) => join(name, f)) : [name];
  });
const committed = new Set(list('dist'));
const built = new Set(list(fresh));
const problems = [];
for (const f of built) {
  if (!committed.has(f)) problems.push(`missing in dist/: ${f}`);
  else if (!readFileSync(join('dist', f)).equals(readFileSync(join(fresh, f)))) problems.push(`stale: dist/${f}`);
}
for (const f of committed) if (!built.has(f)) problems.push(`not produced by the build: dist/${f}`);
if (problems.length) {
  console.error(`dist/ is out of date with the sources. Run \`npm run build\` and commit dist/.\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`dist/ is fresh (${built.size} files, compared with ${relative(process.cwd(), fresh) || fresh})`);
