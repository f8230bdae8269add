// `node scripts/run-ts.mjs scripts/<name>.ts [args…]`: bundles a TypeScript script that drives the engine or
// the sandbox in-process (the benchmark; `npm run sandbox` runs the CLI from source) and runs it with the remaining arguments.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const entry = process.argv[2];
if (!entry?.endsWith('.ts')) {
  console.error('usage: node scripts/run-ts.mjs scripts/<name>.ts [args…]');
  process.exit(2);
}
process.argv.splice(2, 1);
// Inside the repository's node_modules, so packages left external (@action-validator/core loads a .wasm file
// next to its own sources, which a bundle cannot carry) resolve from there.
const cache = join(process.cwd(), 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const out = join(mkdtempSync(join(cache, 'charter-script-')), `${basename(entry, '.ts')}.mjs`);
await build({
  entryPoints: [entry],
  outfile: out,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  external: ['@action-validator/core'],
  // Keep the bundle next to the sources' assets: templates and schemas are found by walking up from cwd.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  define: { 'import.meta.url': JSON.stringify(pathToFileURL(resolve(entry.replace(/\.ts$/, '.mjs'))).href) },
});
await import(pathToFileURL(out).href);
