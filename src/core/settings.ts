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
