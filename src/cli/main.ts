#!/usr/bin/env node
// The bundle's banner has turned source maps on; code imported from here on is mapped back to src/ in stacks.
const { main } = await import('./run.js');

process.exitCode = await main(process.argv.slice(2));
