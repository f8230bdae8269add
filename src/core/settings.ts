/** Parsing of adapter settings (Action inputs, app environment variables) that share one spelling. */

const TRUE = ['true', 'yes', '1', 'on'];
const FALSE = ['false', 'no', '0', 'off'];

/** A boolean setting: empty means `fallback`; `label` names the setting in the error. */
export function parseBoolean(value: string | undefined, fallback: boolean, label: string): boolean {
  const raw = (value ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (TRUE.includes(raw)) return true;
  if (FALSE.includes(raw)) return false;
  throw new Error(`${label} must be true or false, got "${raw}"`);
}

/** A list setting: items separated by newlines or commas, trimmed, empty items dropped. */
export function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * How many groups of changes apply at once (CLI `--concurrency`, Action input `concurrency`, the app's
 * `CHARTER_APPLY_CONCURRENCY` or `.github/charter.yml` `apply.concurrency`): a whole number from 1 to `max`;
 * empty means `fallback`. `label` names the setting in the error.
 */
export function parseConcurrency(value: string | number | undefined, fallback: number, max: number, label: string): number {
  const raw = typeof value === 'number' ? String(value) : (value ?? '').trim();
  if (raw === '') return fallback;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new Error(`${label} must be a whole number from 1 to ${max}, got "${raw.slice(0, 40)}"`);
  return Number(raw);
}
