/**
 * Amazon SNS (Query protocol: form-encoded `Action=...&Version=2010-03-31`, XML answers, signing name `sns`):
 * the topic, email-subscription and tag calls Charter makes. As AWS documents them: CreateTopic is idempotent
 * (same name, same tags → same ARN; other tags → InvalidParameter), an email subscription stays
 * "PendingConfirmation" until its owner clicks the link (a test confirms one through the state file's
 * `confirmed: true`) and has no ARN, so it cannot be unsubscribed (SNS deletes it unconfirmed after 48 hours),
 * a topic's access policy is AWS's default until SetTopicAttributes replaces it, DeleteTopic of a topic
 * that does not exist is no error, and pages hold 100 entries.
 */
import { join, type Checker } from '../checker.js';
import { SandboxError } from '../errors.js';
import { defineSection, normalizeTags, type SandboxState, type Tag } from '../section.js';
import { el, type XmlContent } from '../xml.js';
import { errorResponse, rootElement, xmlResponse } from './common.js';
import type { ServiceContext, ServiceHandler, ServiceRequest, ServiceResponse } from './types.js';

// ---------------------------------------------------------------------------------------------
// State: the `sns` section of the account file

export interface Subscription {
  protocol: string;
  endpoint: string;
  /** Its ARN once confirmed; a pending subscription has none. */
  arn?: string;
}

export interface Topic {
  region: string;
  name: string;
  arn: string;
  tags: Tag[];
  subscriptions: Subscription[];
  /** The access policy set through SetTopicAttributes; AWS's default policy when absent. */
  policy?: string;
}

export interface SnsState {
  topics: Topic[];
}

declare module '../section.js' {
  interface SandboxState {
    sns: SnsState;
  }
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const PENDING = 'PendingConfirmation';
const PAGE = 100;

const topicArn = (region: string, account: string, name: string) => `arn:aws:sns:${region}:${account}:${name}`;

function loadSns(c: Checker, value: unknown, state: SandboxState): void {
  const o = c.object(value, 'sns');
  if (!o) return;
  c.known(o, ['topics'], 'sns');
  c.array(o, 'topics', 'sns').forEach((v, i) => {
    const path = `sns.topics[${i}]`;
    const t = c.object(v, path);
    if (!t) return;
    c.known(t, ['region', 'name', 'arn', 'tags', 'subscriptions', 'policy'], path);
    const name = c.string(t, 'name', path, true);
    if (name === undefined) return;
    if (!TOPIC_NAME.test(name)) c.fail(join(path, 'name'), `invalid topic name ${JSON.stringify(name)}`);
    const region = c.string(t, 'region', path) ?? 'us-east-1';
    if (state.sns.topics.some((x) => x.region === region && x.name === name)) c.fail(path, `duplicate topic ${name} in ${region}`);
    const arn = topicArn(region, state.accountId, name);
    if (t.arn !== undefined && t.arn !== arn) c.fail(join(path, 'arn'), `expected ${arn} (region, account and name)`);
    const subscriptions = c.array(t, 'subscriptions', path).flatMap((s, j) => {
      const sp = `${path}.subscriptions[${j}]`;
      const so = c.object(s, sp);
      if (!so) return [];
      // `confirmed: true` in a hand-written file; a saved one keeps the confirmed subscription's `arn`.
      c.known(so, ['protocol', 'endpoint', 'confirmed', 'arn'], sp);
      const endpoint = c.string(so, 'endpoint', sp, true);
      if (endpoint === undefined) return [];
      const sub: Subscription = { protocol: c.string(so, 'protocol', sp) ?? 'email', endpoint };
      const saved = c.string(so, 'arn', sp);
      if (saved !== undefined) sub.arn = saved;
      else if (c.boolean(so, 'confirmed', sp)) sub.arn = `${arn}:${j + 1}`;
      return [sub];
    });
    const topic: Topic = { region, name, arn, tags: normalizeTags(c, t.tags, join(path, 'tags')), subscriptions };
    const policy = c.string(t, 'policy', path);
    if (policy !== undefined) {
      if (policyProblem(policy)) c.fail(join(path, 'policy'), `not a policy document: ${policyProblem(policy)}`);
      topic.policy = policy;
    }
    state.sns.topics.push(topic);
  });
}

/** Why `text` is not an access policy document (a JSON object with a Statement), or undefined. */
function policyProblem(text: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return 'not a JSON object';
  const statement = (doc as { Statement?: unknown }).Statement;
  if (!statement || typeof statement !== 'object') return 'no Statement';
  return undefined;
}

/** The access policy SNS gives a new topic: the owner account may use it (AWS:SourceOwner). */
function defaultPolicy(topic: Topic, account: string): string {
  const actions = ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'];
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [{ Sid: '__default_statement_ID', Effect: 'Allow', Principal: { AWS: '*' }, Action: actions, Resource: topic.arn, Condition: { StringEquals: { 'AWS:SourceOwner': account } } }],
  });
}

const snsState = defineSection({ key: 'sns', empty: () => ({ topics: [] }), load: loadSns });

// ---------------------------------------------------------------------------------------------
// Operations

const NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';
const OPERATIONS = ['CreateTopic', 'GetTopicAttributes', 'SetTopicAttributes', 'ListTopics', 'Subscribe', 'Unsubscribe', 'ListSubscriptionsByTopic', 'TagResource', 'ListTagsForResource', 'DeleteTopic'] as const;
type Operation = (typeof OPERATIONS)[number];
const MUTATING = new Set(['CreateTopic', 'SetTopicAttributes', 'Subscribe', 'Unsubscribe', 'TagResource', 'DeleteTopic']);
/** Subscription ARNs: the topic's ARN and one more segment. */
const SUBSCRIPTION_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}:[A-Za-z0-9_-]{1,100}$/;

const invalid = (message: string) => new SandboxError(400, 'InvalidParameter', `Invalid parameter: ${message}`);
const notFound = () => new SandboxError(404, 'NotFound', 'Topic does not exist');

function params(req: ServiceRequest): URLSearchParams {
  const form = new URLSearchParams(req.body.toString('utf8'));
  for (const [k, v] of req.query) if (!form.has(k)) form.set(k, v);
  return form;
}

function required(p: URLSearchParams, name: string): string {
  const v = p.get(name);
  if (v === null) throw invalid(`${name} Reason: must not be null`);
  return v;
}

/** `Tags.member.N.Key` / `.Value`, in N order. */
function tagsOf(p: URLSearchParams): Tag[] {
  const tags: Tag[] = [];
  for (let n = 1; p.has(`Tags.member.${n}.Key`); n++) {
    const key = p.get(`Tags.member.${n}.Key`)!;
    const value = p.get(`Tags.member.${n}.Value`) ?? '';
    if (key.length < 1 || key.length > 128 || value.length > 256) throw invalid('Tags Reason: keys are 1-128 characters, values 0-256');
    tags.push({ key, value });
  }
  if (tags.length > 50) throw new SandboxError(400, 'TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded');
  return tags;
}

function mergeTags(topic: Topic, tags: Tag[]): void {
  for (const t of tags) {
    const existing = topic.tags.find((x) => x.key === t.key);
    if (existing) existing.value = t.value;
    else topic.tags.push(t);
  }
  if (topic.tags.length > 50) throw new SandboxError(400, 'TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded');
}

function findTopic(ctx: ServiceContext, region: string, arn: string): Topic | undefined {
  return ctx.state.sns.topics.find((t) => t.region === region && t.arn === arn);
}

function respond(action: string, req: ServiceRequest, ...result: XmlContent[]): ServiceResponse {
  const children: XmlContent[] = result.length ? [el(`${action}Result`, ...result)] : [];
  return xmlResponse(200, rootElement(`${action}Response`, NAMESPACE, ...children, el('ResponseMetadata', el('RequestId', req.requestId))), { 'x-amzn-requestid': req.requestId });
}

/** A page of `items` from the opaque NextToken (an index here). */
function page<T>(items: T[], token: string | null): { items: T[]; next?: string } {
  const start = token === null ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw invalid('NextToken');
  const end = start + PAGE;
  return { items: items.slice(start, end), ...(end < items.length ? { next: String(end) } : {}) };
}

const sameTags = (a: Tag[], b: Tag[]) => a.length === b.length && a.every((t) => b.some((u) => u.key === t.key && (u.value ?? '') === (t.value ?? '')));

function handle(op: Operation, req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const p = params(req);
  const region = req.region;
  switch (op) {
    case 'CreateTopic': {
      const name = required(p, 'Name');
      if (!TOPIC_NAME.test(name)) throw invalid('Topic Name');
      const tags = tagsOf(p);
      const arn = topicArn(region, ctx.state.accountId, name);
      const existing = findTopic(ctx, region, arn);
      if (existing) {
        if (tags.length && !sameTags(tags, existing.tags)) throw invalid('Tags Reason: Topic already exists with different tags');
        return respond(op, req, el('TopicArn', arn));
      }
      ctx.state.sns.topics.push({ region, name, arn, tags, subscriptions: [] });
      ctx.changed();
      return respond(op, req, el('TopicArn', arn));
    }
    case 'GetTopicAttributes': {
      const t = findTopic(ctx, region, required(p, 'TopicArn'));
      if (!t) throw notFound();
      const attrs: Record<string, string> = {
        TopicArn: t.arn,
        Owner: ctx.state.accountId,
        DisplayName: '',
        SubscriptionsConfirmed: String(t.subscriptions.filter((s) => s.arn).length),
        SubscriptionsPending: String(t.subscriptions.filter((s) => !s.arn).length),
        SubscriptionsDeleted: '0',
        Policy: t.policy ?? defaultPolicy(t, ctx.state.accountId),
      };
      return respond(op, req, el('Attributes', ...Object.entries(attrs).map(([k, v]) => el('entry', el('key', k), el('value', v)))));
    }
    case 'SetTopicAttributes': {
      const t = findTopic(ctx, region, required(p, 'TopicArn'));
      if (!t) throw notFound();
      const name = required(p, 'AttributeName');
      const value = p.get('AttributeValue') ?? '';
      if (name !== 'Policy') throw invalid(`AttributeName Reason: the Charter sandbox sets the Policy attribute only, not ${name}`);
      const problem = policyProblem(value);
      if (problem) throw invalid(`Policy Error: ${problem}`);
      t.policy = value;
      ctx.changed();
      return respond(op, req);
    }
    case 'ListTopics': {
      const { items, next } = page(ctx.state.sns.topics.filter((t) => t.region === region), p.get('NextToken'));
      return respond(op, req, el('Topics', ...items.map((t) => el('member', el('TopicArn', t.arn)))), ...(next ? [el('NextToken', next)] : []));
    }
    case 'Subscribe': {
      const t = findTopic(ctx, region, required(p, 'TopicArn'));
      if (!t) throw notFound();
      const protocol = required(p, 'Protocol');
      const endpoint = p.get('Endpoint') ?? '';
      if (protocol === 'email' && !/^[^@\s]+@[^@\s]+$/.test(endpoint)) throw invalid('Invalid SMTP email address');
      let sub = t.subscriptions.find((s) => s.protocol === protocol && s.endpoint === endpoint);
      if (!sub) {
        sub = { protocol, endpoint };
        t.subscriptions.push(sub);
        ctx.changed();
      }
      // Without ReturnSubscriptionArn, a subscription awaiting confirmation answers "pending confirmation".
      const arn = sub.arn ?? (p.get('ReturnSubscriptionArn') === 'true' ? `${t.arn}:pending-${t.subscriptions.indexOf(sub) + 1}` : 'pending confirmation');
      return respond(op, req, el('SubscriptionArn', arn));
    }
    case 'Unsubscribe': {
      const arn = required(p, 'SubscriptionArn');
      // "PendingConfirmation" (what listings show for an unconfirmed subscription) is no ARN.
      if (!SUBSCRIPTION_ARN.test(arn)) throw invalid('SubscriptionArn');
      const topic = ctx.state.sns.topics.find((t) => t.region === region && t.subscriptions.some((s) => s.arn === arn));
      if (!topic) throw new SandboxError(404, 'NotFound', 'Subscription does not exist');
      topic.subscriptions = topic.subscriptions.filter((s) => s.arn !== arn);
      ctx.changed();
      return respond(op, req);
    }
    case 'ListSubscriptionsByTopic': {
      const t = findTopic(ctx, region, required(p, 'TopicArn'));
      if (!t) throw notFound();
      const { items, next } = page(t.subscriptions, p.get('NextToken'));
      const members = items.map((s) => el('member', el('TopicArn', t.arn), el('Protocol', s.protocol), el('SubscriptionArn', s.arn ?? PENDING), el('Owner', ctx.state.accountId), el('Endpoint', s.endpoint)));
      return respond(op, req, el('Subscriptions', ...members), ...(next ? [el('NextToken', next)] : []));
    }
    case 'TagResource': {
      const t = findTopic(ctx, region, required(p, 'ResourceArn'));
      if (!t) throw new SandboxError(404, 'ResourceNotFound', 'Resource does not exist');
      mergeTags(t, tagsOf(p));
      ctx.changed();
      return respond(op, req, '');
    }
    case 'ListTagsForResource': {
      const t = findTopic(ctx, region, required(p, 'ResourceArn'));
      if (!t) throw new SandboxError(404, 'ResourceNotFound', 'Resource does not exist');
      return respond(op, req, el('Tags', ...t.tags.map((x) => el('member', el('Key', x.key), el('Value', x.value ?? '')))));
    }
    case 'DeleteTopic': {
      const arn = required(p, 'TopicArn');
      const before = ctx.state.sns.topics.length;
      ctx.state.sns.topics = ctx.state.sns.topics.filter((t) => !(t.region === region && t.arn === arn));
      if (ctx.state.sns.topics.length !== before) ctx.changed();
      return respond(op, req);
    }
  }
}

export const sns: ServiceHandler = {
  state: snsState,
  name: 'sns',
  matches: (req) => req.method === 'POST' && /(^|&)Version=2010-03-31(&|$)/.test(req.body.toString('utf8')),
  operation(req) {
    const action = params(req).get('Action');
    return (OPERATIONS as readonly string[]).includes(action ?? '') ? action! : 'Unknown';
  },
  isMutating: (op) => MUTATING.has(op),
  handle(op, req, ctx) {
    if (!(OPERATIONS as readonly string[]).includes(op)) throw new SandboxError(400, 'InvalidAction', `The Charter sandbox does not implement the SNS action ${params(req).get('Action') ?? '(none)'}`);
    return handle(op as Operation, req, ctx);
  },
  renderError: (err, req) => errorResponse(NAMESPACE, err, req),
  throttleError: () => new SandboxError(400, 'Throttling', 'Rate exceeded'),
  defaultWriteFailure: () => new SandboxError(403, 'AuthorizationError', 'Injected failure (sandbox failNthWrite)'),
};
