/**
 * The RedshiftGrants runtime: connect (Data API or pg wire), read the catalog in bulk, diff, and execute
 * exactly the reviewed SQL (Data API: atomic batches of ≤ 40; pg wire: one transaction per policy).
 */
import { AwsCredentialsError } from '../../aws/credentials.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import { diagnosticAt, policyId, type PolicyDocument } from '../../core/document.js';
import { sha256, type Json } from '../../core/json.js';
import type { Change, ChangeResult } from '../../core/plan.js';
import type { DiffResult, ProviderRuntime, RuntimeContext } from '../../core/provider.js';
import { diffPolicy, ownedCount, type ChangeData } from './diff.js';
import { DATA_API_BATCH_SIZE, redact, urlSecrets, type Executor } from './executor.js';
import { importPolicy } from './import.js';
import { desiredState } from './model.js';
import { readPostgres } from './read-postgres.js';
import { readRedshift } from './read-redshift.js';
import { passwordDigest, passwordToSend } from './password.js';
import { nameKey } from './rules.js';
import { secretForms, withPassword, withSecret } from './sql.js';
import { PartialVisibilityError, type LiveState } from './state.js';
import type { RedshiftGrantsSpec } from './spec.generated.js';

export type Doc = PolicyDocument<RedshiftGrantsSpec>;

/** A problem that belongs to the policy (an unset variable, an unreachable database): reported as a diagnostic. */
export class ConnectionProblem extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly path: (string | number)[],
    readonly hint: string,
  ) {
    super(message);
  }
}

export interface Connection {
  db: Executor;
  /** Database name, to read only its tables (svv_all_tables lists every database of a cluster). */
  database?: string;
  /** Every secret this policy involves, for redaction. */
  secrets: string[];
}

function env(ctx: RuntimeContext): Readonly<Record<string, string | undefined>> {
  return ctx.env ?? process.env;
}

/** The IdP client secrets a policy names and the environment has, to keep them out of every message. */
function idpSecrets(doc: Doc, ctx: RuntimeContext): string[] {
  return (doc.spec.identityProviders ?? [])
    .map((p) => env(ctx)[p.clientSecretFromEnv])
    .filter((s): s is string => Boolean(s))
    .flatMap(secretForms);
}

/** The user passwords a policy names and the environment has: masked and redacted like every secret. */
function userPasswords(doc: Doc, ctx: RuntimeContext): string[] {
  return (doc.spec.users ?? []).map((u) => (u.password ? env(ctx)[u.password.fromEnv] : undefined)).filter((s): s is string => Boolean(s));
}

/** Whether the plan must read password verifiers (a superuser-only part of the catalog). */
function declaresPasswords(doc: Doc): boolean {
  return (doc.spec.users ?? []).some((u) => u.password !== undefined || u.passwordDisabled === true);
}

/** Opens the policy's connection; each executor module (pg, the AWS SDK) loads only when a policy uses it. */
export async function connect(doc: Doc, ctx: RuntimeContext): Promise<Connection> {
  const c = doc.spec.connection;
  const secrets = [...idpSecrets(doc, ctx), ...userPasswords(doc, ctx)];
  // Registered before anything can fail, so no error message can carry them unmasked.
  const mask = (values: string[]) => values.forEach((v) => ctx.maskSecret?.(v));
  mask(secrets);
  if (c.urlFromEnv) {
    const url = env(ctx)[c.urlFromEnv];
    if (!url) {
      throw new ConnectionProblem('redshift/connection-env-unset', `Environment variable ${c.urlFromEnv} (the connection URL) is not set`, ['spec', 'connection', 'urlFromEnv'], `Set ${c.urlFromEnv} to postgres://user:password@host:port/database before running Charter; it is never printed.`);
    }
    mask(urlSecrets(url));
    secrets.push(...urlSecrets(url));
    let database: string | undefined;
    try {
      database = decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || undefined;
    } catch {
      database = undefined;
    }
    const { PostgresExecutor } = await import('./postgres-executor.js');
    try {
      return { db: await PostgresExecutor.connect(url, secrets), database, secrets };
    } catch (error) {
      throw new ConnectionProblem('redshift/connection-failed', redact((error as Error).message, secrets), ['spec', 'connection', 'urlFromEnv'], `Check that the URL in ${c.urlFromEnv} points at a reachable server and that its user may log in.`);
    }
  }
  const { DataApiExecutor } = await import('./data-api-executor.js');
  const target = c.dataApi!;
  return { db: new DataApiExecutor({ aws: ctx.aws, target, pollIntervalMs: ctx.pollIntervalMs, waitTimeoutMs: ctx.waitTimeoutMs, secrets }), database: target.database, secrets };
}

export async function readLive(doc: Doc, conn: Connection): Promise<LiveState> {
  const schemas = doc.spec.manage?.schemas ?? [];
  const passwords = declaresPasswords(doc);
  // Redshift shows VALID UNTIL only in the superuser-only PG_USER_INFO: read only when the policy declares it.
  const validUntil = (doc.spec.users ?? []).some((u) => u.validUntil !== undefined);
  return doc.spec.connection.dialect === 'redshift' ? readRedshift(conn.db, schemas, conn.database, passwords, validUntil) : readPostgres(conn.db, schemas, passwords);
}

/** Runs `fn` with the policy's connection; connection and visibility problems become diagnostics. */
async function withLive<T>(doc: Doc, ctx: RuntimeContext, fn: (live: LiveState, conn: Connection) => Promise<T> | T): Promise<{ value?: T; diagnostics: Diagnostic[] }> {
  let conn: Connection;
  try {
    conn = await connect(doc, ctx);
  } catch (error) {
    if (error instanceof ConnectionProblem) return { diagnostics: [diagnosticAt(doc, error.path, error.code, 'error', error.message, error.hint)] };
    throw error;
  }
  try {
    const live = await readLive(doc, conn);
    ctx.log.debug(`${policyId(doc)}: read the catalog in ${live.queries} queries`);
    return { value: await fn(live, conn), diagnostics: [] };
  } catch (error) {
    if (error instanceof PartialVisibilityError) {
      return {
        diagnostics: [
          diagnosticAt(doc, ['spec', 'connection'], 'redshift/partial-catalog-visibility', 'error', `${error.message}; planning with a partial catalog would report false drift, so nothing was compared`, 'Connect as a superuser, or give the connecting user both ACCESS SYSTEM TABLE (directly or through a role such as sys:monitor) and SYSLOG ACCESS UNRESTRICTED (ALTER USER ... SYSLOG ACCESS UNRESTRICTED).'),
        ],
      };
    }
    if (error instanceof AwsCredentialsError) {
      return { diagnostics: [diagnosticAt(doc, ['spec', 'connection', 'dataApi'], 'redshift/aws-credentials-missing', 'error', error.problem, error.hint)] };
    }
    const message = redact((error as Error).message ?? String(error), conn.secrets);
    return { diagnostics: [diagnosticAt(doc, ['spec', 'connection'], 'redshift/catalog-read-failed', 'error', `Reading the catalog failed: ${message}`, 'Check the connection and that the connecting user may read the catalog.')] };
  } finally {
    await conn.db.close();
  }
}

async function plan(docs: Doc[], ctx: RuntimeContext): Promise<DiffResult> {
  const result: DiffResult = { changes: [], diagnostics: [], inputs: {} };
  // Policies usually point at different databases: read them concurrently.
  const outcomes = await Promise.all(docs.map((doc) => withLive(doc, ctx, (live) => planPolicy(doc, live, ctx, digestKey(doc, ctx)))));
  docs.forEach((doc, i) => {
    const o = outcomes[i];
    result.diagnostics.push(...o.diagnostics);
    if (!o.value) return;
    result.changes.push(...o.value.changes);
    result.diagnostics.push(...o.value.diagnostics);
    result.inputs[policyId(doc)] = o.value.inputs;
    (result.owned ??= {})[policyId(doc)] = o.value.owned;
  });
  return result;
}

/** The key of password digests: the connection URL when the policy has one (a secret the reader of a plan lacks). */
function digestKey(doc: Doc, ctx: RuntimeContext): string {
  const v = doc.spec.connection.urlFromEnv;
  return (v && env(ctx)[v]) || '';
}

/** Pure once the live state is read: the diff plus the live values the changes depend on. */
export function planPolicy(doc: Doc, live: LiveState, ctx: Pick<RuntimeContext, 'env'>, key = ''): { changes: Change[]; diagnostics: Diagnostic[]; inputs: Json; owned: number } {
  const vars = ctx.env ?? process.env;
  const values = new Map<string, string | undefined>();
  for (const u of doc.spec.users ?? []) if (u.password) values.set(u.password.fromEnv, vars[u.password.fromEnv] || undefined);
  const passwords = { values, digest: (user: string, password: string) => passwordDigest(key, `${policyId(doc)}\u0000${nameKey(user, doc.spec.connection.dialect)}`, password) };
  const desired = desiredState(doc);
  const { changes, diagnostics } = diffPolicy(doc as PolicyDocument<unknown>, desired, live, passwords);
  for (const c of changes) {
    const secretEnv = (c.data as unknown as ChangeData).secretEnv;
    if (secretEnv && !vars[secretEnv]) {
      const i = (doc.spec.identityProviders ?? []).findIndex((p) => p.clientSecretFromEnv === secretEnv);
      diagnostics.push(diagnosticAt(doc, ['spec', 'identityProviders', Math.max(i, 0), 'clientSecretFromEnv'], 'redshift/secret-env-unset', 'warning', `${c.address} sends the client secret, but ${secretEnv} is not set: apply will fail`, `Set ${secretEnv} where apply runs.`));
    }
  }
  // "All tables" grants depend on which tables exist: a table created after review changes the fingerprint.
  const tables = [...live.schemas.values()].map((s) => `${s.name}:${s.tables.join(',')}`).sort();
  return { changes, diagnostics, inputs: { currentUser: live.currentUser, tables: sha256(tables.join('\n')) }, owned: ownedCount(desired, live) };
}

/** The statements of each change, with the secret substituted: only here, just before sending. */
function statementsOf(changes: Change[], vars: Readonly<Record<string, string | undefined>>, dialect: Doc['spec']['connection']['dialect'], secrets: string[]): { statements: string[]; reviewed: string[]; owner: number[] } {
  const statements: string[] = [];
  const reviewed: string[] = [];
  const owner: number[] = [];
  changes.forEach((c, i) => {
    const data = c.data as unknown as ChangeData;
    let secret: string | undefined;
    if (data.secretEnv) {
      secret = vars[data.secretEnv];
      if (!secret) throw new Error(`${c.address}: environment variable ${data.secretEnv} (the client secret) is not set`);
    }
    let hash: string | undefined;
    if (data.passwordEnv) {
      const password = vars[data.passwordEnv];
      if (!password) throw new Error(`${c.address}: environment variable ${data.passwordEnv} (the password) is not set`);
      hash = passwordToSend(dialect, data.passwordUser!, password);
      secrets.push(hash);
    }
    for (const sql of data.sql) {
      const withSecrets = secret === undefined ? sql : withSecret(sql, secret);
      statements.push(hash === undefined ? withSecrets : withPassword(withSecrets, hash));
      reviewed.push(sql);
      owner.push(i);
    }
  });
  return { statements, reviewed, owner };
}

/**
 * Executes the changes and reports per change: units (the transaction, or each Data API batch) that
 * committed mark their changes applied; in the unit that failed, the change holding the failing
 * statement is failed and the ones before it were rolled back with it; later changes get no result
 * (the engine reports them not attempted).
 */
async function run(changes: Change[], docs: Doc[], ctx: RuntimeContext, rollback: boolean): Promise<ChangeResult[]> {
  if (!changes.length) return [];
  const doc = docs[0];
  const conn = await connect(doc, ctx).catch((error: unknown) => {
    throw new Error(error instanceof ConnectionProblem ? `${error.message} (${doc.file})` : String((error as Error).message ?? error));
  });
  try {
    if (rollback && !conn.db.canRollback) {
      throw new Error('dry-apply needs a transaction that can be rolled back; the Redshift Data API has none. Use a urlFromEnv connection (pg wire) to dry-apply.');
    }
    const { statements, reviewed, owner } = statementsOf(changes, env(ctx), doc.spec.connection.dialect, conn.secrets);
    const units = await conn.db.execute(statements, {
      rollback,
      onUnit: (i, total, r) => ctx.log.info(`${policyId(doc)}: ${unitName(conn, i, total)} ${r.error ? 'failed' : rollback ? 'succeeded and was rolled back' : 'committed'}`),
    });
    const results: ChangeResult[] = [];
    const status = new Map<number, ChangeResult>();
    let start = 0;
    units.forEach((unit, u) => {
      const size = conn.db.canRollback ? statements.length : Math.min(DATA_API_BATCH_SIZE, statements.length - start);
      const name = unitName(conn, u, conn.db.canRollback ? 1 : Math.ceil(statements.length / DATA_API_BATCH_SIZE));
      if (!unit.error) {
        for (let s = start; s < start + size; s++) {
          if (!status.has(owner[s])) status.set(owner[s], { address: changes[owner[s]].address, status: 'applied', detail: rollback ? `${name}: succeeded, rolled back (dry-apply)` : `${name} committed` });
        }
      } else {
        const failedAt = start + unit.executed;
        const failing = owner[Math.min(failedAt, statements.length - 1)];
        for (let s = start; s < failedAt; s++) {
          const i = owner[s];
          // A change split across two batches keeps what the earlier batch committed: say so.
          const split = start > 0 && owner[start - 1] === i ? 'partly committed by the previous batch, the rest ' : '';
          if (i !== failing) status.set(i, { address: changes[i].address, status: 'not-attempted', detail: `${split}rolled back with ${name}` });
        }
        const partly = start > 0 && owner[start - 1] === failing ? ' (its statements in the previous batch were committed)' : '';
        status.set(failing, { address: changes[failing].address, status: 'failed', error: redact(`${name} failed at ${reviewed[Math.min(failedAt, statements.length - 1)]}: ${unit.error}${partly}`, conn.secrets), detail: `${name} rolled back` });
      }
      start += size;
    });
    changes.forEach((c, i) => {
      const r = status.get(i);
      if (r) results.push(r);
      else if (units.some((u) => u.error)) results.push({ address: c.address, status: 'not-attempted' });
    });
    return results;
  } finally {
    await conn.db.close();
  }
}

function unitName(conn: Connection, i: number, total: number): string {
  return conn.db.canRollback ? 'transaction' : `batch ${i + 1}/${total}`;
}

export const redshiftRuntime: ProviderRuntime<RedshiftGrantsSpec> = {
  plan,
  apply: (changes, docs, ctx) => run(changes, docs, ctx, false),
  dryApply: (changes, docs, ctx) => run(changes, docs, ctx, true),
  importPolicy: async (doc, ctx) => {
    const { value, diagnostics } = await withLive(doc, ctx, (live) => importPolicy(doc, live));
    if (!value) throw new Error(diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'));
    return value;
  },
};
