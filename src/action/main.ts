// The bundle's banner has turned source maps on; code imported from here on is mapped back to src/ in stacks.
const { run } = await import('./run.js');
await run();
