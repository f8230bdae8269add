// The README's Quick start, read from README.md: the commands a newcomer runs in a fresh clone. `.ci/run`
// runs them with `--run`, so CI runs exactly what the README says and the two cannot drift apart.
//   node scripts/quickstart.mjs [--readme FILE]         prints the command lines
//   node scripts/quickstart.mjs [--readme FILE] --run   runs them in order (each line in bash, stops at the first failure)
// No dependencies: it runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The line up to its shell comment: a `#` that starts a word outside quotes. */
function withoutComment(line) {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"') i++;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

/** The command lines of the first ```sh block under "## Quick start", without their `# comments`. */
function quickStartCommands(readme) {
  const lines = readme.split(/\r?\n/);
  const heading = lines.findIndex((l) => /^##\s+Quick start\s*$/i.test(l));
  if (heading < 0) throw new Error('README.md has no "## Quick start" section');
  const open = lines.findIndex((l, i) => i > heading && /^```(sh|bash|shell)\s*$/.test(l));
  const nextHeading = lines.findIndex((l, i) => i > heading && /^#{1,2}\s/.test(l));
  if (open < 0 || (nextHeading > 0 && open > nextHeading)) throw new Error('README.md\'s "## Quick start" has no ```sh block');
  const close = lines.findIndex((l, i) => i > open && /^```\s*$/.test(l));
  if (close < 0) throw new Error('README.md\'s Quick start ```sh block is not closed');
  const commands = lines
    .slice(open + 1, close)
    .map((l) => withoutComment(l).trim())
    .filter(Boolean);
  if (!commands.length) throw new Error('README.md\'s Quick start block holds no command');
  return commands;
}

const args = process.argv.slice(2);
const readmeAt = args.indexOf('--readme');
const file = readmeAt >= 0 ? args[readmeAt + 1] : 'README.md';
let commands;
try {
  commands = quickStartCommands(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`quickstart: ${file}: ${error.message}`);
  process.exit(1);
}
if (!args.includes('--run')) {
  for (const command of commands) console.log(command);
} else {
  for (const command of commands) {
    console.log(`$ ${command}`);
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', command], { stdio: 'inherit' });
    if (run.status !== 0) {
      console.error(`quickstart: \`${command}\` failed (exit ${run.status ?? run.signal})`);
      process.exit(run.status || 1);
    }
  }
}
