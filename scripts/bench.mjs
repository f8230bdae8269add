// `npm run bench`: bundles scripts/bench.ts (it drives the engine and the sandbox in-process) and runs it.
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const out = join(mkdtempSync(join(tmpdir(), 'charter-bench-')), 'bench.mjs');
await build({
  entryPoints: ['scripts/bench.ts'],
  outfile: out,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // Keep the bundle next to the sources' assets: templates and schemas are found by walking up from cwd.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(process.cwd(), 'scripts', 'bench.mjs')).href) },
});
await import(pathToFileURL(out).href);
