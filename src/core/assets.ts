import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The directory that holds Charter's own `templates/` and `policies/schemas/`. Found by walking up from
 * this module, so it works from `src/core` (tests), from `dist/` (the Action and CLI bundles) and from an
 * installed package alike.
 */
export function charterRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'templates')) && existsSync(join(dir, 'policies', 'schemas'))) return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Charter cannot find its templates/ and policies/schemas/ directories');
    dir = parent;
  }
}

export function assetPath(...segments: string[]): string {
  return join(charterRoot(), ...segments);
}
