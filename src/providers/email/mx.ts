/**
 * MTA-STS mx patterns (RFC 8461 §3.2, matching per §4.1): a host name, or `*.` plus a host name where
 * the wildcard stands for exactly one leftmost label. Matching is on whole labels, case-insensitive.
 */
import { issue, type RecordIssue } from './records.js';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const MAX_NAME = 253;

/** Problems with one mx pattern; empty when it is valid. */
export function checkMxPattern(pattern: string): RecordIssue[] {
  const reason = mxPatternProblem(pattern);
  if (reason === undefined) return [];
  return [issue('email/mx-pattern-invalid', 'error', `mx pattern "${pattern}" is invalid: ${reason}`, 'Use a host name such as mx1.example.com or *.example.com (the * stands for one whole label).')];
}

function mxPatternProblem(pattern: string): string | undefined {
  if (pattern === '') return 'it is empty';
  if (!/^[\x21-\x7e]+$/.test(pattern)) return 'only ASCII letters, digits, "-", "." and a leading "*." are allowed (use the xn-- form of international names)';
  if (pattern.endsWith('.')) return 'remove the trailing dot';
  const wildcard = pattern.startsWith('*.');
  const host = wildcard ? pattern.slice(2) : pattern;
  if (host.includes('*')) return 'a wildcard may only be the whole leftmost label ("*." at the start), once';
  if (host.length > MAX_NAME) return `the name is longer than ${MAX_NAME} characters`;
  return hostProblem(host, wildcard);
}

function hostProblem(host: string, wildcard: boolean): string | undefined {
  const labels = host.split('.');
  if (labels.some((l) => l === '')) return 'it has an empty label';
  const long = labels.find((l) => l.length > 63);
  if (long) return `the label "${long.slice(0, 20)}…" is longer than 63 characters`;
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad) return `the label "${bad}" must be letters, digits and inner hyphens`;
  if (labels.length < 2) return wildcard ? 'a wildcard must be followed by at least two labels' : 'use a fully qualified host name';
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return 'it looks like an IP address; mx patterns are host names';
  return undefined;
}

function normalizeHost(name: string): string {
  return name.toLowerCase().replace(/\.+$/, '');
}

/** Does `host` match the mx pattern? Wildcards cover exactly one leftmost label; trailing dots ignored. */
export function mxMatches(pattern: string, host: string): boolean {
  const p = normalizeHost(pattern);
  const h = normalizeHost(host);
  if (!p.startsWith('*.')) return p === h;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

/** Live MX hosts no pattern matches (Null MX `.` is ignored: it means the domain takes no mail). */
export function uncoveredMx(patterns: readonly string[], liveMxHosts: readonly string[]): string[] {
  return liveMxHosts.filter((host) => normalizeHost(host) !== '' && !patterns.some((p) => mxMatches(p, host)));
}

/**
 * Cross-check against the zone's live MX records, for the plan step: a host outside the policy is an
 * error in enforce mode (senders would refuse to deliver to it) and a warning in testing mode.
 */
export function liveMxIssues(mode: 'enforce' | 'testing' | 'none', patterns: readonly string[], liveHosts: readonly string[]): RecordIssue[] {
  if (mode === 'none') return [];
  const severity = mode === 'enforce' ? 'error' : 'warning';
  return uncoveredMx(patterns, liveHosts).map((host) =>
    issue(
      'email/mx-not-covered',
      severity,
      `Live MX host ${normalizeHost(host)} is not matched by any mx pattern${mode === 'enforce' ? '; in enforce mode senders will refuse to deliver to it' : ''}`,
      `Add "${normalizeHost(host)}" (or a matching *. pattern) to mtaSts.mx.`,
    ),
  );
}
