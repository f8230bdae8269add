/**
 * Amazon Redshift Data API (JSON 1.1, `X-Amz-Target: RedshiftData.<Operation>`, signing name
 * `redshift-data`): ExecuteStatement, BatchExecuteStatement, DescribeStatement and
 * GetStatementResult over the in-memory catalogs of src/sandbox/redshift/.
 */
import { SandboxError } from '../errors.js';
import { run, newStatementId, nextIds, record, runtimeOf, type StatementRecord, type SubStatementRecord } from '../redshift/engine.js';
import { defaultRedshiftSettings, emptyRedshiftState, type RedshiftSettings, type RedshiftState, type RsDatabase } from '../redshift/model.js';
import { normalizeRedshift, normalizeRedshiftSettings } from '../redshift/normalize.js';
import { defineSection, defineSettings } from '../section.js';
import type { Value } from '../redshift/views.js';
import { jsonErrorResponse, jsonTargetRouting, memberMustNotBeNull, parseJsonBody, stringMember, type JsonObject } from './json-protocol.js';
import type { ServiceContext, ServiceHandler, ServiceRequest, ServiceResponse } from './types.js';

const TARGET_PREFIX = 'RedshiftData.';
const MUTATING = new Set(['ExecuteStatement', 'BatchExecuteStatement']);
const MAX_SQLS = 40;
/** The Data API's limit on the size of a query statement. */
const MAX_SQL_BYTES = 100 * 1024;
const ID_RE = /^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\d+)?$/;

type Json = JsonObject;

const validation = (message: string): SandboxError => new SandboxError(400, 'ValidationException', message);

function json(body: unknown): ServiceResponse {
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) };
}

const epoch = (d: Date): number => d.getTime() / 1000;

function str(body: Json, key: string, required = false): string | undefined {
  return stringMember(body, key, required ? memberMustNotBeNull : undefined);
}

// ---------------------------------------------------------------------------------------------
// Submitting statements

interface Target {
  clusterIdentifier?: string;
  workgroupName?: string;
  database: string;
  dbUser?: string;
  secretArn?: string;
  user: string;
  db: RsDatabase | undefined;
}

function resolveTarget(body: Json, req: ServiceRequest, ctx: ServiceContext): Target {
  const clusterIdentifier = str(body, 'ClusterIdentifier');
  const workgroupName = str(body, 'WorkgroupName');
  const secretArn = str(body, 'SecretArn');
  const dbUser = str(body, 'DbUser');
  const database = str(body, 'Database', true)!;
  if (clusterIdentifier !== undefined && workgroupName !== undefined) throw validation('Either ClusterIdentifier or WorkgroupName must be specified, but not both.');
  if (clusterIdentifier === undefined && workgroupName === undefined) throw validation('Either ClusterIdentifier or WorkgroupName must be specified.');
  if (secretArn !== undefined && dbUser !== undefined) throw validation('Either SecretArn or DbUser must be specified, but not both.');
  if (body.SessionId !== undefined || body.SessionKeepAliveSeconds !== undefined) throw validation('Sessions (SessionId, SessionKeepAliveSeconds) are not supported by the Charter sandbox.');
  if (body.ResultFormat !== undefined && body.ResultFormat !== 'JSON') throw validation('The Charter sandbox supports only ResultFormat JSON.');
  if (body.Parameters !== undefined) throw validation('Parameters are not supported by the Charter sandbox: quote literals in the SQL text.');
  if (database.length < 1 || database.length > 127) throw validation("1 validation error detected: Value at 'database' failed to satisfy constraint: Member must have length between 1 and 127");
  const { redshift } = ctx.state;
  let databases: RsDatabase[];
  if (clusterIdentifier !== undefined) {
    if (secretArn === undefined && dbUser === undefined) throw validation('Either SecretArn or DbUser must be specified when connecting to a cluster.');
    const cluster = redshift.clusters.find((c) => c.identifier === clusterIdentifier.toLowerCase() && c.region === req.region);
    if (!cluster) throw validation(`Cluster ${clusterIdentifier} not found in ${req.region}: Redshift endpoint doesn't exist in this region.`);
    databases = cluster.databases;
  } else {
    if (dbUser !== undefined) throw validation('DbUser is not supported when connecting to a serverless workgroup; use SecretArn or IAM credentials.');
    if (secretArn === undefined) throw validation('The Charter sandbox needs SecretArn to connect to a serverless workgroup.');
    const wg = redshift.workgroups.find((w) => w.name === workgroupName && w.region === req.region);
    if (!wg) throw new SandboxError(400, 'ResourceNotFoundException', `Workgroup ${workgroupName} not found in ${req.region}.`, { ResourceId: workgroupName! });
    databases = wg.databases;
  }
  let user: string;
  if (secretArn !== undefined) {
    const secret = redshift.secrets[secretArn];
    if (!secret) throw validation(`Secrets Manager can't find the specified secret ${secretArn} (define it in the sandbox state under redshift.secrets).`);
    user = secret.username;
  } else user = dbUser!.toLowerCase();
  const db = databases.find((d) => d.name === database.toLowerCase());
  return {
    ...(clusterIdentifier !== undefined ? { clusterIdentifier } : {}),
    ...(workgroupName !== undefined ? { workgroupName } : {}),
    database,
    ...(dbUser !== undefined ? { dbUser } : {}),
    ...(secretArn !== undefined ? { secretArn } : {}),
    user,
    db,
  };
}

function checkSql(sql: unknown, key: string): string {
  if (typeof sql !== 'string') throw new SandboxError(400, 'SerializationException', `${key} must be a string`);
  if (sql.length < 1) throw validation(`1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  if (Buffer.byteLength(sql, 'utf8') > MAX_SQL_BYTES) throw validation(`The query statement is too large: the maximum size is ${MAX_SQL_BYTES} bytes.`);
  return sql;
}

function submit(req: ServiceRequest, ctx: ServiceContext, batch: boolean): ServiceResponse {
  const body = parseJsonBody(req);
  // Idempotency: the SDK fills ClientToken and keeps it across retries; a repeated request gets
  // the first answer instead of running the SQL again.
  const clientToken = str(body, 'ClientToken');
  const tokens = runtimeOf(ctx.state).clientTokens;
  const { ClientToken: _token, ...rest } = body;
  void _token;
  const fingerprint = JSON.stringify({ op: batch ? 'batch' : 'single', ...rest });
  if (clientToken !== undefined) {
    const seen = tokens.get(clientToken);
    if (seen) {
      if (seen.request !== fingerprint) throw validation(`ClientToken ${clientToken} was already used for a different request.`);
      return json(seen.response);
    }
  }
  let sqls: string[];
  if (batch) {
    const raw = body.Sqls;
    if (raw === undefined || raw === null) throw memberMustNotBeNull('Sqls');
    if (!Array.isArray(raw)) throw new SandboxError(400, 'SerializationException', 'Sqls must be a list');
    if (raw.length < 1 || raw.length > MAX_SQLS) {
      throw validation(`1 validation error detected: Value at 'sqls' failed to satisfy constraint: Member must have length less than or equal to ${MAX_SQLS} and greater than or equal to 1`);
    }
    sqls = raw.map((s, i) => checkSql(s, `sqls.${i + 1}.member`));
    if (body.ExecutionMode !== undefined && body.ExecutionMode !== 'TRANSACTION') throw validation('The Charter sandbox supports only ExecutionMode TRANSACTION.');
  } else {
    sqls = [checkSql(str(body, 'Sql', true), 'sql')];
  }
  const statementName = str(body, 'StatementName');
  if (statementName !== undefined && statementName.length > 500) throw validation("1 validation error detected: Value at 'statementName' failed to satisfy constraint: Member must have length less than or equal to 500");
  if (body.WithEvent !== undefined && typeof body.WithEvent !== 'boolean') throw new SandboxError(400, 'SerializationException', 'WithEvent must be a boolean');
  const target = resolveTarget(body, req, ctx);

  const now = ctx.now();
  const outcome = run({ db: target.db, databaseName: target.database, user: target.user, sqls, batch });
  if (outcome.changed) ctx.changed();
  const ids = nextIds(ctx.state);
  const runsUntil = new Date(now.getTime() + sqls.length * ctx.state.settings.redshift.statementRunMs);
  const rec: StatementRecord = {
    id: newStatementId(),
    batch,
    ...(target.clusterIdentifier !== undefined ? { clusterIdentifier: target.clusterIdentifier } : {}),
    ...(target.workgroupName !== undefined ? { workgroupName: target.workgroupName } : {}),
    database: target.database,
    ...(target.dbUser !== undefined ? { dbUser: target.dbUser } : {}),
    ...(target.secretArn !== undefined ? { secretArn: target.secretArn } : {}),
    ...(statementName !== undefined ? { statementName } : {}),
    createdAt: now,
    finishedAt: new Date(Math.max(runsUntil.getTime(), now.getTime() + Math.round(outcome.subs.reduce((n, s) => n + s.durationNs, 0) / 1e6))),
    pollsLeft: ctx.state.settings.redshift.statementFinishAfterPolls,
    runsUntil,
    status: outcome.error ? 'FAILED' : 'FINISHED',
    ...(outcome.error ? { error: outcome.error } : {}),
    subs: outcome.subs,
    pid: ids.pid,
    queryId: ids.queryId,
  };
  record(ctx.state, rec);
  const out: Json = { Id: rec.id, CreatedAt: epoch(now), Database: target.database };
  if (target.clusterIdentifier !== undefined) out.ClusterIdentifier = target.clusterIdentifier;
  if (target.workgroupName !== undefined) out.WorkgroupName = target.workgroupName;
  if (target.dbUser !== undefined) out.DbUser = target.dbUser;
  if (target.secretArn !== undefined) out.SecretArn = target.secretArn;
  if (clientToken !== undefined) tokens.set(clientToken, { request: fingerprint, response: out });
  return json(out);
}

// ---------------------------------------------------------------------------------------------
// Reading statements

function lookup(ctx: ServiceContext, id: string): { rec: StatementRecord; sub?: number } {
  if (!ID_RE.test(id)) throw validation(`1 validation error detected: Value '${id}' at 'id' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\\d+)?$`);
  const [base, n] = id.split(':');
  const rec = runtimeOf(ctx.state).statements.get(base);
  const notFound = () => new SandboxError(400, 'ResourceNotFoundException', 'Query does not exist.', { ResourceId: id });
  if (!rec) throw notFound();
  if (n === undefined) return { rec };
  const sub = Number(n);
  if (!rec.batch || sub < 1 || sub > rec.subs.length) throw notFound();
  return { rec, sub };
}

function hasResult(s: SubStatementRecord): boolean {
  return s.result !== undefined;
}

function describeStatement(req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const body = parseJsonBody(req);
  const { rec, sub } = lookup(ctx, str(body, 'Id', true)!);
  const now = ctx.now();
  const polling = rec.pollsLeft > 0;
  if (polling) rec.pollsLeft--;
  const running = polling || now < rec.runsUntil;
  const updatedAt = running ? rec.createdAt : rec.finishedAt;
  // While the run time lasts, a batch's statements before the running one are FINISHED, the one running
  // STARTED and those after it SUBMITTED, as the Data API reports them.
  const runMs = ctx.state.settings.redshift.statementRunMs;
  const current = runMs > 0 ? Math.floor((now.getTime() - rec.createdAt.getTime()) / runMs) : 0;
  const runningStatus = (i: number): string => (polling || runMs === 0 ? 'STARTED' : i < current ? 'FINISHED' : i === current ? 'STARTED' : 'SUBMITTED');
  const base: Json = {
    Database: rec.database,
    CreatedAt: epoch(rec.createdAt),
    UpdatedAt: epoch(updatedAt),
    RedshiftPid: rec.pid,
    ResultFormat: 'JSON',
  };
  if (rec.clusterIdentifier !== undefined) base.ClusterIdentifier = rec.clusterIdentifier;
  if (rec.workgroupName !== undefined) base.WorkgroupName = rec.workgroupName;
  if (rec.dbUser !== undefined) base.DbUser = rec.dbUser;
  if (rec.secretArn !== undefined) base.SecretArn = rec.secretArn;

  const subJson = (s: SubStatementRecord, i: number): Json => {
    const o: Json = {
      Id: `${rec.id}:${i + 1}`,
      Status: running ? runningStatus(i) : s.status,
      QueryString: s.sql,
      HasResultSet: running ? false : hasResult(s),
      ResultRows: running ? -1 : s.resultRows,
      ResultSize: running || !s.result ? -1 : Buffer.byteLength(JSON.stringify(s.result.rows)),
      Duration: running ? -1 : s.durationNs,
      CreatedAt: epoch(rec.createdAt),
      UpdatedAt: epoch(updatedAt),
      RedshiftQueryId: running || s.status === 'ABORTED' ? 0 : rec.queryId * 100 + i,
    };
    if (!running && s.error !== undefined) o.Error = s.error;
    return o;
  };

  if (sub !== undefined) {
    const s = rec.subs[sub - 1];
    const sj = subJson(s, sub - 1);
    return json({ ...base, ...sj, Id: sj.Id });
  }
  const out: Json = {
    ...base,
    Id: rec.id,
    Status: running ? 'STARTED' : rec.status,
    QueryString: rec.batch ? rec.subs.map((s) => s.sql).join('; ') : rec.subs[0].sql,
    HasResultSet: running ? false : rec.subs.some(hasResult),
    ResultRows: running ? -1 : rec.batch ? rec.subs.reduce((n, s) => n + Math.max(0, s.resultRows), 0) : rec.subs[0].resultRows,
    ResultSize: -1,
    Duration: running ? -1 : rec.subs.reduce((n, s) => n + s.durationNs, 0),
    RedshiftQueryId: running ? 0 : rec.queryId * 100,
  };
  if (!running && rec.error !== undefined) out.Error = rec.error;
  if (rec.batch) {
    out.SubStatements = rec.subs.map(subJson);
  }
  return json(out);
}

function field(v: Value): Json {
  if (v === null) return { isNull: true };
  if (typeof v === 'boolean') return { booleanValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { longValue: v } : { doubleValue: v };
  return { stringValue: v };
}

function encodeToken(id: string, offset: number): string {
  return Buffer.from(`sandbox:${id}:${offset}`, 'utf8').toString('base64');
}

function decodeToken(token: string, id: string): number {
  const text = Buffer.from(token, 'base64').toString('utf8');
  const prefix = `sandbox:${id}:`;
  const offset = text.startsWith(prefix) ? Number(text.slice(prefix.length)) : NaN;
  if (!Number.isInteger(offset) || offset < 0) throw validation('The NextToken is invalid.');
  return offset;
}

function getStatementResult(req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const body = parseJsonBody(req);
  const id = str(body, 'Id', true)!;
  const { rec, sub } = lookup(ctx, id);
  if (rec.pollsLeft > 0 || ctx.now() < rec.runsUntil) throw validation('Query has not finished yet: poll DescribeStatement until its status is FINISHED.');
  let s: SubStatementRecord;
  if (sub !== undefined) s = rec.subs[sub - 1];
  else if (rec.batch) {
    throw validation(`Query does not have a result: the results of a batch belong to its sub-statements (${rec.id}:1 .. ${rec.id}:${rec.subs.length}).`);
  } else s = rec.subs[0];
  if (s.status === 'FAILED' || (rec.status === 'FAILED' && !s.result)) throw validation(`Query failed: ${s.error ?? rec.error ?? 'statement did not run'}`);
  if (s.status === 'ABORTED') throw validation('Query was aborted: the transaction was rolled back.');
  if (!s.result) throw new SandboxError(400, 'ResourceNotFoundException', 'Query does not have result. Please check query status with DescribeStatement.', { ResourceId: id });
  const token = str(body, 'NextToken');
  const offset = token === undefined ? 0 : decodeToken(token, id);
  const pageSize = ctx.state.settings.redshift.resultPageSize;
  const rows = s.result.rows.slice(offset, offset + pageSize);
  const out: Json = {
    Records: rows.map((r) => r.map(field)),
    TotalNumRows: s.result.rows.length,
  };
  if (offset === 0) {
    out.ColumnMetadata = s.result.columns.map((c) => ({
      name: c.name,
      label: c.name,
      typeName: c.type,
      isCaseSensitive: c.type === 'text' || c.type === 'varchar' || c.type === 'name',
      isCurrency: false,
      isSigned: c.type === 'int4' || c.type === 'int8',
      nullable: 1,
      precision: c.type === 'int4' ? 10 : c.type === 'bool' ? 1 : 256,
      scale: 0,
      schemaName: '',
      tableName: '',
      length: 0,
    }));
  } else {
    out.ColumnMetadata = s.result.columns.map((c) => ({ name: c.name, label: c.name, typeName: c.type }));
  }
  if (offset + pageSize < s.result.rows.length) out.NextToken = encodeToken(id, offset + pageSize);
  return json(out);
}

// ---------------------------------------------------------------------------------------------

// The `redshift` section of the account file (clusters and workgroups with their catalogs, the secrets the
// Data API resolves) and `settings.redshift` (statement polling and result paging); shapes in redshift/model.ts.
declare module '../section.js' {
  interface SandboxState {
    redshift: RedshiftState;
  }
  interface SandboxSettings {
    redshift: RedshiftSettings;
  }
}

const redshiftState = defineSection({
  key: 'redshift',
  empty: emptyRedshiftState,
  load(c, value, state) {
    state.redshift = normalizeRedshift(c.problems, value);
  },
  settings: defineSettings({
    key: 'redshift',
    defaults: defaultRedshiftSettings,
    load: (c, value) => normalizeRedshiftSettings(c.problems, value, 'settings.redshift'),
  }),
});

export const redshiftData: ServiceHandler = {
  state: redshiftState,
  name: 'redshift-data',
  ...jsonTargetRouting(TARGET_PREFIX),
  isMutating: (op) => MUTATING.has(op),
  handle(op, req, ctx) {
    switch (op) {
      case 'ExecuteStatement':
        return submit(req, ctx, false);
      case 'BatchExecuteStatement':
        return submit(req, ctx, true);
      case 'DescribeStatement':
        return describeStatement(req, ctx);
      case 'GetStatementResult':
        return getStatementResult(req, ctx);
      default:
        throw new SandboxError(400, 'UnknownOperationException', `The Charter sandbox does not implement Redshift Data API operation ${op}`);
    }
  },
  renderError: (err, req) => jsonErrorResponse(err, req, { Message: err.message, ...err.fields }),
  throttleError: () => new SandboxError(400, 'ThrottlingException', 'Rate exceeded'),
  defaultWriteFailure: () => new SandboxError(400, 'ValidationException', 'Injected failure (sandbox failNthWrite)'),
};
