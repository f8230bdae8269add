/**
 * What every service's part of the sandbox account shares: the account core (id, settings, id counters),
 * the shape of one service's section of the state file, and small helpers the loaders use.
 *
 * A service adds its section by augmenting `SandboxState` (and `SandboxSettings` when it has settings)
 * from its own module, and by exporting a `StateSection` on its ServiceHandler; state.ts composes them.
 * So a new service is one module and one line in services/index.ts.
 */
import { describe, type Checker } from './checker.js';

/** Augmented by each service module (`declare module '../section.js' { interface SandboxState { … } }`). */
export interface SandboxState {
  version: 1;
  accountId: string;
  settings: SandboxSettings;
  /** Counters used to derive ids; keep them so ids stay unique across restarts. */
  counters: Record<string, number>;
}

/** Per-service simulation knobs (`settings.<service>` in the file); augmented by each service module. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by declaration merging
export interface SandboxSettings {}

export const DEFAULT_ACCOUNT_ID = '123456789012';

/** One service's part of the state file: its top-level key, its empty form and its loader. */
export interface StateSection<K extends keyof SandboxState = keyof SandboxState> {
  readonly key: K;
  empty(): SandboxState[K];
  /**
   * Validate the file's `key` section and put its normalised form into `state[key]`; every problem goes
   * to `c` with its JSON path. Runs after the account id and all settings are loaded. `iso` fills in
   * missing timestamps.
   */
  load(c: Checker, value: unknown, state: SandboxState, iso: string): void;
  /** `settings.<key>`, when the service has knobs. */
  readonly settings?: SettingsSection;
}

export interface SettingsSection<K extends keyof SandboxSettings = keyof SandboxSettings> {
  readonly key: K;
  defaults(): SandboxSettings[K];
  /** Validate `settings.<key>` and return the normalised settings (starting from `current`). */
  load(c: Checker, value: unknown, current: SandboxSettings[K]): SandboxSettings[K];
}

/** Type-checks a section against its key; the registry holds them as plain StateSections. */
export function defineSection<K extends keyof SandboxState>(section: StateSection<K>): StateSection {
  return section as unknown as StateSection;
}

export function defineSettings<K extends keyof SandboxSettings>(settings: SettingsSection<K>): SettingsSection {
  return settings as unknown as SettingsSection;
}

/** Next value of a named counter (1, 2, ...). */
export function nextCounter(state: SandboxState, kind: string): number {
  const n = (state.counters[kind] ?? 0) + 1;
  state.counters[kind] = n;
  return n;
}

export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export interface Tag {
  key: string;
  value?: string;
}

/** Tags as a list of `{key, value}` or as a `{key: value}` map. */
export function normalizeTags(c: Checker, value: unknown, path: string): Tag[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    const tags: Tag[] = [];
    value.forEach((t, i) => {
      const o = c.object(t, `${path}[${i}]`);
      if (!o) return;
      c.known(o, ['key', 'value'], `${path}[${i}]`);
      const key = c.string(o, 'key', `${path}[${i}]`, true);
      const val = c.string(o, 'value', `${path}[${i}]`);
      if (key !== undefined) tags.push(val === undefined ? { key } : { key, value: val });
    });
    return tags;
  }
  const o = c.object(value, path);
  if (!o) return [];
  const tags: Tag[] = [];
  for (const [key, val] of Object.entries(o)) {
    if (typeof val !== 'string') c.fail(`${path}.${key}`, `expected a string, got ${describe(val)}`);
    else tags.push({ key, value: val });
  }
  return tags;
}
