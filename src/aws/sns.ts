/**
 * Amazon SNS: the topic, email-subscription, access-policy and tag calls Charter makes for the approval topics it owns,
 * one client per region. Requests are rate-limited per service (default 5 requests/second,
 * `requestsPerSecond.sns` overrides it).
 */
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import type { AwsSettings } from '../core/provider.js';
import { cachedClient, clientConfig, withRateLimit } from './clients.js';

export function snsClient(settings: AwsSettings, region: string): SNSClient {
  return cachedClient(settings, `sns|${region}`, () => withRateLimit(new SNSClient(clientConfig(settings, 'sns', region)), settings, 'sns', region));
}

const errorName = (error: unknown): string | undefined => (error as { name?: string })?.name;
const tagList = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** Every topic ARN of the region, following NextToken (100 per page). */
export async function listTopics(client: SNSClient): Promise<string[]> {
  const out: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListTopicsCommand({ NextToken }));
    for (const t of page.Topics ?? []) if (t.TopicArn) out.push(t.TopicArn);
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** The topic's tags, or undefined when there is no such topic (ResourceNotFound / NotFound). */
export async function topicTags(client: SNSClient, arn: string): Promise<Record<string, string> | undefined> {
  try {
    const out = await client.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
    return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  } catch (error) {
    const name = errorName(error);
    if (name === 'ResourceNotFoundException' || name === 'NotFoundException') return undefined;
    throw error;
  }
}

export interface TopicSubscription {
  protocol: string;
  endpoint: string;
  /** False while the owner of the address has not clicked the confirmation link. */
  confirmed: boolean;
  /** The subscription's ARN once confirmed; SNS answers "PendingConfirmation" instead of an ARN before. */
  arn?: string;
}

export async function listSubscriptions(client: SNSClient, arn: string): Promise<TopicSubscription[]> {
  const out: TopicSubscription[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn, NextToken }));
    for (const s of page.Subscriptions ?? []) {
      const confirmed = !!s.SubscriptionArn && s.SubscriptionArn.startsWith('arn:');
      out.push({ protocol: s.Protocol ?? '', endpoint: s.Endpoint ?? '', confirmed, ...(confirmed ? { arn: s.SubscriptionArn } : {}) });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** CreateTopic with its tags (idempotent for the same name and tags); returns the topic ARN. */
export async function createTopic(client: SNSClient, name: string, tags: Record<string, string>): Promise<string> {
  const out = await client.send(new CreateTopicCommand({ Name: name, Tags: tagList(tags) }));
  return out.TopicArn ?? '';
}

export async function tagTopic(client: SNSClient, arn: string, tags: Record<string, string>): Promise<void> {
  const list = tagList(tags);
  if (list.length) await client.send(new TagResourceCommand({ ResourceArn: arn, Tags: list }));
}

/** An email subscription; SNS mails the address a confirmation link and the subscription stays pending until then. */
export async function subscribeEmail(client: SNSClient, arn: string, email: string): Promise<void> {
  await client.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: email }));
}

export async function deleteTopic(client: SNSClient, arn: string): Promise<void> {
  await client.send(new DeleteTopicCommand({ TopicArn: arn }));
}

/**
 * Deletes a confirmed subscription. A pending one has no ARN to name and cannot be deleted: SNS removes an
 * unconfirmed subscription by itself after 48 hours.
 */
export async function unsubscribe(client: SNSClient, subscriptionArn: string): Promise<void> {
  await client.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
}

/** The topic's access policy (the `Policy` attribute, a JSON document), or undefined when the topic does not exist. */
export async function topicPolicy(client: SNSClient, arn: string): Promise<string | undefined> {
  try {
    const out = await client.send(new GetTopicAttributesCommand({ TopicArn: arn }));
    return out.Attributes?.Policy ?? '';
  } catch (error) {
    if (errorName(error) === 'NotFoundException') return undefined;
    throw error;
  }
}

/** Replaces the topic's access policy. */
export async function setTopicPolicy(client: SNSClient, arn: string, policy: string): Promise<void> {
  await client.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Policy', AttributeValue: policy }));
}
