// Bundles the Action (dist/index.js), the CLI (dist/cli.js) and the GitHub App (dist/app.js, run by
// `npm start`) with esbuild, each with a source map. Provider runtimes (and so the
// AWS SDK) are dynamic imports split into dist/chunks, so `charter validate` never loads the SDK.
// `node scripts/build.mjs --outdir DIR` builds elsewhere (used by the staleness check).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

const at = process.argv.indexOf('--outdir');
const outdir = at > 0 ? process.argv[at + 1] : 'dist';

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { index: 'src/action/main.ts', cli: 'src/cli/main.ts', app: 'src/app/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // Linked source maps without the sources' text (dist stays small): Node maps a crash's stack back to
  // src/…ts lines, enabled by the banner below; keepNames keeps function names in the minified code.
  sourcemap: 'linked',
  sourcesContent: false,
  minify: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Some CommonJS dependencies call require() for Node built-ins; give the ESM bundle a real require.
  banner: { js: "import { createRequire as __charterCreateRequire } from 'node:module';\nconst require = __charterCreateRequire(import.meta.url);\nprocess.setSourceMapsEnabled(true);" },
});
console.log(`built ${outdir}/index.js, ${outdir}/cli.js and ${outdir}/app.js`);
