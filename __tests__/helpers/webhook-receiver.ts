/**
 * A loopback chat webhook (Slack's incoming-webhook contract): accepts `POST` of a JSON body with a string
 * `text` and optional `blocks`, answers `ok`, and records what it got. `answer` makes it fail (a status) or
 * hang (no answer) to test that a notification failure stays a warning.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedNotification {
  path: string;
  contentType: string;
  body: { text: string; blocks?: Array<{ type: string; text?: { type: string; text: string }; elements?: Array<{ type: string; text: string }> }> };
  raw: string;
}

export interface WebhookReceiver {
  /** The webhook URL, with a secret-looking path as Slack's have. */
  url: string;
  secretPath: string;
  received: ReceivedNotification[];
  /** Requests that were not a valid Slack-compatible notification. */
  problems: string[];
  answer: 'ok' | number | 'hang';
  close(): Promise<void>;
}

async function read(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const secretPath = '/services/T0CHARTER/B0NOTIFY/s3cr3tW3bh00kT0k3n4Ch4rter';
  const receiver = { received: [], problems: [], answer: 'ok' } as unknown as WebhookReceiver;
  const server = createServer((req, res) => {
    void read(req).then((raw) => {
      const contentType = String(req.headers['content-type'] ?? '');
      const problem = (why: string) => {
        receiver.problems.push(why);
        res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
      };
      if (req.method !== 'POST') return problem(`method ${req.method}`);
      if (req.url !== secretPath) return problem(`path ${req.url}`);
      if (!contentType.startsWith('application/json')) return problem(`content-type ${contentType}`);
      let body: ReceivedNotification['body'];
      try {
        body = JSON.parse(raw) as ReceivedNotification['body'];
      } catch {
        return problem('body is not JSON');
      }
      if (typeof body.text !== 'string' || body.text === '') return problem('no text');
      if (body.blocks !== undefined && !Array.isArray(body.blocks)) return problem('blocks is not an array');
      for (const block of body.blocks ?? []) {
        if (block.type === 'section' && (block.text?.type !== 'mrkdwn' || block.text.text.length > 3000)) return problem('section text');
        if (block.type === 'context' && !block.elements?.length) return problem('context without elements');
        if (block.type !== 'section' && block.type !== 'context') return problem(`block type ${block.type}`);
      }
      receiver.received.push({ path: req.url, contentType, body, raw });
      if (receiver.answer === 'hang') return; // never answers: the sender's timeout must end it
      if (receiver.answer === 'ok') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      else res.writeHead(receiver.answer, { 'content-type': 'text/plain' }).end('no_service');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.secretPath = secretPath;
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${secretPath}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
