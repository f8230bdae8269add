/**
 * Statement runs as the Data API sees them: a statement (or a batch, one transaction) is run at
 * submission against the database's catalog; its outcome is revealed after the configured number
 * of DescribeStatement polls. Statement records live in memory next to the state object (they
 * are not saved: the Data API keeps them for 24 hours, the sandbox for its lifetime).
 */
import { randomUUID } from 'node:crypto';
import { execute, findUser, type Session } from './catalog.js';
import { SqlError } from './errors.js';
import { cloneDatabase, type RsDatabase } from './model.js';
import { parseStatement } from './parser.js';
import type { ResultSet } from './views.js';

export type StatementStatus = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'ABORTED' | 'FAILED';

export interface SubStatementRecord {
  sql: string;
  status: 'FINISHED' | 'FAILED' | 'ABORTED';
  error?: string;
  result?: ResultSet;
  resultRows: number;
  durationNs: number;
}

export interface StatementRecord {
  id: string;
  batch: boolean;
  clusterIdentifier?: string;
  workgroupName?: string;
  database: string;
  dbUser?: string;
  secretArn?: string;
  statementName?: string;
  createdAt: Date;
  finishedAt: Date;
  /** DescribeStatement calls still answered STARTED. */
  pollsLeft: number;
  /** Until when the statements run (settings.redshift.statementRunMs each, one after another). */
  runsUntil: Date;
  status: 'FINISHED' | 'FAILED';
  error?: string;
  subs: SubStatementRecord[];
  pid: number;
  queryId: number;
}

interface Runtime {
  statements: Map<string, StatementRecord>;
  /** ClientToken → the request it came with (without the token) and the answer given. */
  clientTokens: Map<string, { request: string; response: unknown }>;
  nextPid: number;
  nextQueryId: number;
}

const runtimes = new WeakMap<object, Runtime>();

/** The statement store of one sandbox state. */
export function runtimeOf(state: object): Runtime {
  let r = runtimes.get(state);
  if (!r) runtimes.set(state, (r = { statements: new Map(), clientTokens: new Map(), nextPid: 1073815000, nextQueryId: 1000 }));
  return r;
}

function errorText(e: SqlError): string {
  return `ERROR: ${e.message}${e.position !== undefined && e.message.startsWith('syntax error') ? `\n  Position: ${e.position + 1}` : ''}`;
}

export interface RunRequest {
  /** undefined when the database does not exist. */
  db: RsDatabase | undefined;
  databaseName: string;
  user: string;
  sqls: string[];
  batch: boolean;
}

/**
 * Run the statements as one transaction: on the first failure nothing stays, the failing
 * statement is FAILED and the ones after it ABORTED. Returns whether the catalog changed.
 */
export function run(req: RunRequest): { subs: SubStatementRecord[]; error?: string; changed: boolean } {
  const fatal = !req.db
    ? `FATAL: database "${req.databaseName}" does not exist`
    : !findUser(req.db, req.user)
      ? `FATAL: user "${req.user}" does not exist in database "${req.databaseName}"`
      : undefined;
  if (fatal || !req.db) {
    return { subs: req.sqls.map((sql) => ({ sql, status: 'ABORTED', resultRows: -1, durationNs: 0 })), error: fatal, changed: false };
  }
  const work: RsDatabase = cloneDatabase(req.db);
  const session: Session = { user: req.user };
  const subs: SubStatementRecord[] = [];
  let failedAt = -1;
  let error: string | undefined;
  let mutated = false;
  for (const [i, sql] of req.sqls.entries()) {
    if (failedAt >= 0) {
      subs.push({ sql, status: 'ABORTED', resultRows: -1, durationNs: 0 });
      continue;
    }
    const t0 = process.hrtime.bigint();
    try {
      const st = parseStatement(sql);
      const r = execute(work, session, st);
      if (!r.resultSet) mutated = true;
      subs.push({ sql, status: 'FINISHED', ...(r.resultSet ? { result: r.resultSet } : {}), resultRows: r.resultSet ? r.rows : 0, durationNs: Number(process.hrtime.bigint() - t0) });
    } catch (e) {
      // A bug in the sandbox must not pass for an SQL error: it becomes an InternalFailure.
      if (!(e instanceof SqlError)) throw e;
      failedAt = i;
      const msg = errorText(e);
      subs.push({ sql, status: 'FAILED', error: msg, resultRows: -1, durationNs: Number(process.hrtime.bigint() - t0) });
      error = req.batch ? `${msg} (statement ${i + 1} of ${req.sqls.length} in the batch failed; the transaction was rolled back)` : msg;
    }
  }
  if (failedAt >= 0 || !mutated) return { subs, ...(error ? { error } : {}), changed: false };
  // Commit: the database object stays the same (it is referenced from the cluster).
  Object.assign(req.db, work);
  return { subs, changed: true };
}

export function newStatementId(): string {
  return randomUUID();
}

export function record(state: object, r: StatementRecord): void {
  runtimeOf(state).statements.set(r.id, r);
}

export function nextIds(state: object): { pid: number; queryId: number } {
  const rt = runtimeOf(state);
  return { pid: rt.nextPid++, queryId: rt.nextQueryId++ };
}
