/**
 * Charter sandbox: a simulated AWS account (Route 53, ACM, S3, CloudFront, Shield, ...) served over
 * loopback HTTP, for the real AWS SDK v3 clients to talk to through an endpoint override.
 * See docs/sandbox.md.
 */
import { access } from 'node:fs/promises';
import { SandboxError, SandboxStateError, type InjectedError } from './errors.js';
import { Faults, type FaultController } from './faults.js';
import { fileRecorder } from './recorder.js';
import { SandboxServer } from './server.js';
import {
  emptyState,
  loadSandboxState,
  normalizeState,
  writeStateFile,
  type SandboxState,
  type SandboxStateInput,
} from './state.js';
import { StatsRecorder, type RequestStats } from './stats.js';

export interface SandboxOptions {
  /** Initial state (validated and normalised; takes precedence over stateFile's content). */
  state?: SandboxState | SandboxStateInput;
  /** State file: loaded if it exists; the target of save() and of persist. */
  stateFile?: string;
  /** 0 (default) = ephemeral port. The server always binds 127.0.0.1. */
  port?: number;
  /** Write the state back to stateFile after each call that changed it. */
  persist?: boolean;
  /**
   * Append every response to a JSON-lines file in this directory (see recorder.ts). Defaults to the
   * CHARTER_SANDBOX_RECORD environment variable, which the test run sets for the contract test.
   */
  recordTo?: string;
}

export interface Sandbox {
  /** e.g. http://127.0.0.1:43123 */
  endpoint: string;
  /** Live, mutable in-memory state. */
  state: SandboxState;
  faults: FaultController;
  stats: RequestStats;
  /** Write the state to `file` (default: stateFile). */
  save(file?: string): Promise<void>;
  close(): Promise<void>;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  if (opts.persist && !opts.stateFile) throw new TypeError('startSandbox: persist requires stateFile');
  let state: SandboxState;
  if (opts.state !== undefined) state = normalizeState(opts.state, 'options.state');
  else if (opts.stateFile !== undefined && (await exists(opts.stateFile))) state = await loadSandboxState(opts.stateFile);
  else state = emptyState();

  const faults = new Faults();
  const stats = new StatsRecorder();
  // The sandbox is a development and test tool; this is its one environment switch (docs/sandbox.md).
  const recordTo = opts.recordTo ?? process.env.CHARTER_SANDBOX_RECORD;
  let writing: Promise<void> = Promise.resolve();
  const save = (file?: string): Promise<void> => {
    const target = file ?? opts.stateFile;
    if (!target) return Promise.reject(new TypeError('save: no file given and the sandbox has no stateFile'));
    // Serialise writes so they land in order.
    const next = writing.then(() => writeStateFile(target, sandbox.state));
    writing = next.catch(() => undefined);
    return next;
  };

  const server = new SandboxServer({
    getState: () => sandbox.state,
    faults,
    stats,
    onChanged: () => (opts.persist ? save() : Promise.resolve()),
    ...(recordTo ? { record: fileRecorder(recordTo) } : {}),
  });
  const endpoint = await server.listen(opts.port ?? 0);
  const sandbox: Sandbox = {
    endpoint,
    state,
    faults,
    stats,
    save,
    close: async () => {
      await server.close();
      await writing;
    },
  };
  return sandbox;
}

/**
 * Client configuration pointing an AWS SDK v3 client at the sandbox (dummy credentials;
 * `forcePathStyle` matters only to S3 and is ignored by the other clients).
 *
 *   new S3Client(sandboxClientConfig(sb.endpoint))
 */
export function sandboxClientConfig(
  endpoint: string,
  region = 'us-east-1',
): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; forcePathStyle: true } {
  return { endpoint, region, credentials: { accessKeyId: 'AKIDSANDBOX', secretAccessKey: 'sandbox' }, forcePathStyle: true };
}

export { loadSandboxState, normalizeState, SandboxError, SandboxStateError };
export type { RecordedResponse } from './recorder.js';
export type { FaultController, InjectedError, RequestStats, SandboxState, SandboxStateInput };
export type { SandboxSettings, Tag } from './section.js';
export type { AliasTarget, ChangeRecord, HostedZone, RecordSet } from './services/route53.js';
export type { Certificate, CertificateStatus } from './services/acm.js';
export type { Bucket, S3Object } from './services/s3.js';
export type { Distribution, Invalidation, Origin } from './services/cloudfront.js';
export { canonicalName, encodeTxtValue, formatName, parseTxtValue } from './dns.js';
export type { ShieldProtection, ShieldProtectionGroup, ShieldResourceType, ShieldState, ShieldSubscription } from './services/shield.js';
export type {
  RedshiftSettings,
  RedshiftState,
  RsCluster,
  RsDatabase,
  RsIdentityProvider,
  RsRole,
  RsUser,
  RsWorkgroup,
} from './redshift/model.js';
