/**
 * The sandbox account state: its JSON file format, validation/normalisation on load, and saving. The
 * in-memory state and the file share one shape (see docs/sandbox.md). Each service owns its section
 * (shape, empty form, loader) in its own module (services/*.ts, see section.ts); this file composes
 * them in the order of the registry.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { Checker, describe } from './checker.js';
import { SandboxStateError } from './errors.js';
import { DEFAULT_ACCOUNT_ID, type SandboxSettings, type SandboxState } from './section.js';
import { SERVICES } from './services/index.js';

export { DEFAULT_ACCOUNT_ID, nextCounter, type SandboxSettings, type SandboxState, type Tag } from './section.js';

/**
 * What a hand-written file (or a test) may pass: every section and most fields are optional;
 * see docs/sandbox.md. `loadSandboxState`/`startSandbox` turn it into a `SandboxState`.
 */
export type SandboxStateInput = { [key: string]: unknown };

const sections = () => SERVICES.flatMap((s) => (s.state ? [s.state] : []));

export function defaultSettings(): SandboxSettings {
  const settings: Record<string, unknown> = {};
  for (const s of sections()) if (s.settings) settings[s.settings.key] = s.settings.defaults();
  return settings as unknown as SandboxSettings;
}

export function emptyState(): SandboxState {
  const state: Record<string, unknown> = { version: 1, accountId: DEFAULT_ACCOUNT_ID, settings: defaultSettings() };
  for (const s of sections()) state[s.key] = s.empty();
  state.counters = {};
  return state as unknown as SandboxState;
}

// ---------------------------------------------------------------------------------------------
// Validation / normalisation (the Checker is in checker.ts)

/**
 * Validate and normalise a state object (from a file or a test). Throws SandboxStateError
 * listing every problem with its JSON path. `now` fills in missing timestamps.
 */
export function normalizeState(input: unknown, source = '', now: Date = new Date()): SandboxState {
  const c = new Checker();
  const root = c.object(input, '');
  if (!root) throw new SandboxStateError(source, c.problems);
  const all = sections();
  c.known(root, ['$schema', 'version', 'accountId', 'settings', ...all.map((s) => s.key), 'counters'], '');
  const state = emptyState();
  if (root.version !== undefined && root.version !== 1) c.fail('version', `unsupported version ${describe(root.version)} (expected 1)`);
  const accountId = c.string(root, 'accountId', '');
  if (accountId !== undefined) {
    if (!/^\d{12}$/.test(accountId)) c.fail('accountId', `expected 12 digits, got ${JSON.stringify(accountId)}`);
    else state.accountId = accountId;
  }
  if (root.counters !== undefined) {
    const counters = c.object(root.counters, 'counters');
    for (const [k, v] of Object.entries(counters ?? {})) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) c.fail(`counters.${k}`, `expected a non-negative integer, got ${describe(v)}`);
      else state.counters[k] = v;
    }
  }
  if (root.settings !== undefined) {
    const s = c.object(root.settings, 'settings');
    if (s) {
      const withSettings = all.flatMap((x) => (x.settings ? [x.settings] : []));
      c.known(s, withSettings.map((x) => x.key), 'settings');
      const out = state.settings as unknown as Record<string, unknown>;
      for (const x of withSettings) {
        if (s[x.key] !== undefined) out[x.key] = x.load(c, s[x.key], out[x.key] as never);
      }
    }
  }
  const iso = now.toISOString();
  for (const section of all) {
    if (root[section.key] !== undefined) section.load(c, root[section.key], state, iso);
  }
  if (c.problems.length > 0) throw new SandboxStateError(source, c.problems);
  return state;
}

// ---------------------------------------------------------------------------------------------
// Files

function jsonErrorLocation(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m || /line \d+/.test(message)) return message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

/** Read, validate and normalise a state file. Errors name the file and every problem found. */
export async function loadSandboxState(file: string): Promise<SandboxState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SandboxStateError(file, [code === 'ENOENT' ? 'file not found' : `cannot read file: ${(e as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new SandboxStateError(file, [`not valid JSON: ${jsonErrorLocation(text, (e as Error).message)}`]);
  }
  return normalizeState(json, file);
}

export function serializeState(state: SandboxState): string {
  return JSON.stringify(state, null, 2) + '\n';
}

/** Write atomically (temp file + rename) so a reader never sees half a file. */
export async function writeStateFile(file: string, state: SandboxState): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, serializeState(state), 'utf8');
  await rename(tmp, file);
}
