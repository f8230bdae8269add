/**
 * Records every response the sandbox sends (service, operation, status, headers, body), one JSON line per
 * response, so a contract test can check them against AWS's own service models after a test run.
 * Off unless a sandbox is started with `recordTo` (or CHARTER_SANDBOX_RECORD names a directory).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface RecordedResponse {
  service: string;
  operation: string;
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The body as text for XML/JSON responses and errors; omitted for object payloads (S3 GetObject). */
  body?: string;
  /** True when fault injection produced the answer (not something the sandbox claims AWS would say). */
  injected: boolean;
}

/** Bodies larger than this are not recorded (they are object payloads, not API documents). */
const MAX_BODY = 1024 * 1024;

let sequence = 0;

/** A recorder appending to `<dir>/<pid>-<n>.jsonl`; synchronous so nothing is lost when a test process exits. */
export function fileRecorder(dir: string): (entry: RecordedResponse) => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}-${++sequence}.jsonl`);
  return (entry) => appendFileSync(file, JSON.stringify(entry) + '\n');
}

export function recordable(contentType: string | undefined, status: number, body: Buffer): string | undefined {
  if (body.length > MAX_BODY) return undefined;
  if (status >= 300 || /xml|json/i.test(contentType ?? '')) return body.toString('utf8');
  return undefined;
}
