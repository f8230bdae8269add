/**
 * AWS STS (Query protocol: form-encoded `Action=...&Version=2011-06-15`, XML answers, signing name `sts`):
 * AssumeRole and GetCallerIdentity. Any well-formed role ARN can be assumed (the sandbox has no IAM); the
 * sessions handed out are remembered per sandbox state, so tests can see which roles were assumed under
 * which session names and GetCallerIdentity answers with the assumed role of the signing key, as AWS does.
 * Everything STS needs lives in this file: its state is kept beside the sandbox state, not in it.
 */
import { randomBytes } from 'node:crypto';
import { SandboxError } from '../errors.js';
import { alnumId } from '../ids.js';
import type { SandboxState } from '../state.js';
import { el, type XmlContent } from '../xml.js';
import { errorResponse, rootElement, xmlResponse } from './common.js';
import type { ServiceHandler, ServiceRequest, ServiceResponse } from './types.js';

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const SANDBOX_ACCOUNT = '123456789012';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::([0-9]{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** A session made with credentials that are themselves an assumed role lasts at most an hour (role chaining). */
const CHAINED_MAX_SECONDS = 3600;

/** One AssumeRole answer the sandbox handed out. */
export interface StsSession {
  roleArn: string;
  sessionName: string;
  accessKeyId: string;
  /** The assumed-role ARN, `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  arn: string;
  /** The access key that signed the AssumeRole call (a chained session names its parent's key). */
  callerAccessKeyId?: string;
  expiration: Date;
}

const sessions = new WeakMap<SandboxState, StsSession[]>();

function sessionsOf(state: SandboxState): StsSession[] {
  let list = sessions.get(state);
  if (!list) sessions.set(state, (list = []));
  return list;
}

/** The roles assumed so far against this sandbox state, oldest first. */
export function stsSessions(state: SandboxState): readonly StsSession[] {
  return [...sessionsOf(state)];
}

function validation(message: string): SandboxError {
  return new SandboxError(400, 'ValidationError', message);
}

function params(req: ServiceRequest): URLSearchParams {
  const form = new URLSearchParams(req.body.toString('utf8'));
  for (const [k, v] of req.query) if (!form.has(k)) form.set(k, v);
  return form;
}

function signingKey(req: ServiceRequest): string | undefined {
  const auth = req.headers.authorization;
  const credential = typeof auth === 'string' ? /Credential=([^/,\s]+)\//.exec(auth)?.[1] : undefined;
  return credential ?? req.query.get('X-Amz-Credential')?.split('/')[0];
}

function respond(action: string, req: ServiceRequest, ...result: XmlContent[]): ServiceResponse {
  return xmlResponse(
    200,
    rootElement(`${action}Response`, NAMESPACE, el(`${action}Result`, ...result), el('ResponseMetadata', el('RequestId', req.requestId))),
    { 'x-amzn-requestid': req.requestId },
  );
}

function assumeRole(req: ServiceRequest, state: SandboxState, now: Date): ServiceResponse {
  const p = params(req);
  const roleArn = p.get('RoleArn');
  const sessionName = p.get('RoleSessionName');
  if (roleArn === null) throw validation("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  if (sessionName === null) throw validation("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  const match = ROLE_ARN.exec(roleArn);
  if (roleArn.length < 20 || roleArn.length > 2048 || !match) throw validation(`${roleArn} is invalid`);
  if (!SESSION_NAME.test(sessionName)) {
    throw validation(`1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
  }
  const caller = signingKey(req);
  const parent = sessionsOf(state).find((s) => s.accessKeyId === caller);
  const rawDuration = p.get('DurationSeconds');
  const duration = rawDuration === null ? 3600 : Number(rawDuration);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    throw validation(`1 validation error detected: Value '${rawDuration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
  }
  if (parent && duration > CHAINED_MAX_SECONDS) throw validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  const [, account, , roleName] = match;
  const accessKeyId = `ASIA${alnumId(16, roleArn, sessionName, randomBytes(8).toString('hex'))}`;
  const session: StsSession = {
    roleArn,
    sessionName,
    accessKeyId,
    arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    callerAccessKeyId: caller,
    expiration: new Date(now.getTime() + duration * 1000),
  };
  sessionsOf(state).push(session);
  return respond(
    'AssumeRole',
    req,
    el(
      'Credentials',
      el('AccessKeyId', accessKeyId),
      el('SecretAccessKey', randomBytes(30).toString('base64')),
      el('SessionToken', randomBytes(96).toString('base64')),
      el('Expiration', session.expiration.toISOString()),
    ),
    el('AssumedRoleUser', el('AssumedRoleId', `AROA${alnumId(17, roleArn)}:${sessionName}`), el('Arn', session.arn)),
    el('PackedPolicySize', '0'),
  );
}

function callerIdentity(req: ServiceRequest, state: SandboxState): ServiceResponse {
  const key = signingKey(req);
  const session = sessionsOf(state).find((s) => s.accessKeyId === key);
  const arn = session?.arn ?? `arn:aws:iam::${SANDBOX_ACCOUNT}:user/sandbox`;
  const account = /^arn:aws[a-z-]*:(?:sts|iam)::([0-9]{12}):/.exec(arn)?.[1] ?? SANDBOX_ACCOUNT;
  return respond('GetCallerIdentity', req, el('UserId', session ? `AROA${alnumId(17, session.roleArn)}:${session.sessionName}` : 'AIDASANDBOX'), el('Account', account), el('Arn', arn));
}

export const sts: ServiceHandler = {
  name: 'sts',
  matches: (req) => req.method === 'POST' && /(^|&)Version=2011-06-15(&|$)/.test(req.body.toString('utf8')),
  operation(req) {
    const action = params(req).get('Action');
    return action === 'AssumeRole' || action === 'GetCallerIdentity' ? action : 'Unknown';
  },
  isMutating: (op) => op === 'AssumeRole',
  handle(op, req, ctx) {
    if (op === 'AssumeRole') return assumeRole(req, ctx.state, ctx.now());
    if (op === 'GetCallerIdentity') return callerIdentity(req, ctx.state);
    throw new SandboxError(400, 'InvalidAction', `The Charter sandbox does not implement the STS action ${params(req).get('Action') ?? '(none)'}`);
  },
  renderError: (err, req) => errorResponse(NAMESPACE, err, req),
  throttleError: () => new SandboxError(400, 'Throttling', 'Rate exceeded'),
  defaultWriteFailure: () => new SandboxError(403, 'AccessDenied', 'Injected failure (sandbox failNthWrite)'),
};
