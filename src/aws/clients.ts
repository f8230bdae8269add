import type { AwsCredentials, AwsSettings } from '../core/provider.js';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { AwsCredentialsError, withCredentialsHelp } from './credentials.js';
import { proxyRequestHandler } from './proxy.js';
import { DEFAULT_RATES, limiterFor } from './rate-limit.js';

/** The SDK client constructor options Charter uses for every service. */
export interface ClientConfig {
  region: string;
  endpoint?: string;
  maxAttempts: number;
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  forcePathStyle?: boolean;
  /** Set only when the environment names a proxy (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY; NO_PROXY honoured). */
  requestHandler?: NodeHttpHandler;
}

// Charter's lockfile pins SDK versions that support Node 20; the SDK's notice about future versions is noise
// in every CLI run. Users can still opt in by setting the variable to "false".
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SANDBOX_CREDENTIALS = { accessKeyId: 'AKIDSANDBOX', secretAccessKey: 'sandbox' };

/**
 * Options for one service client. Credentials come from the default chain (OIDC in workflows) unless an
 * endpoint override points at the sandbox, which needs none.
 */
export function clientConfig(settings: AwsSettings, service: string, region?: string): ClientConfig {
  const config: ClientConfig = {
    region: region ?? settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    maxAttempts: settings.maxAttempts ?? 5,
  };
  const requestHandler = proxyRequestHandler();
  if (requestHandler) config.requestHandler = requestHandler;
  if (settings.endpoint) {
    config.endpoint = settings.endpoint;
    config.credentials = settings.credentials ?? SANDBOX_CREDENTIALS;
    if (service === 's3') config.forcePathStyle = true;
  } else if (settings.credentials) {
    config.credentials = settings.credentials;
  }
  return config;
}

const clients = new WeakMap<AwsSettings, Map<string, unknown>>();

/**
 * One SDK client per settings object and key (service and region): a client resolves its configuration and
 * builds its middleware stack when created, a tenth of a plan's CPU when the app made them per plan. Clients
 * are safe to share between concurrent calls; a settings object carries its own credentials, so a cached
 * client never acts with another repository's role.
 */
export function cachedClient<T>(settings: AwsSettings, key: string, make: () => T): T {
  let byKey = clients.get(settings);
  if (!byKey) clients.set(settings, (byKey = new Map()));
  let client = byKey.get(key) as T | undefined;
  if (client === undefined) byKey.set(key, (client = make()));
  return client;
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      options: { step: 'finalizeRequest'; name: string; priority: 'low' },
    ): void;
  };
}

/**
 * Adds the per-service rate limit below the SDK's retry middleware, so every attempt (retries too) waits
 * for its turn. Services whose quotas are per region (CodeArtifact, CodeBuild, CodePipeline) pass the
 * region, so three regions are read at three times the rate of one. Missing credentials are explained
 * (src/aws/credentials.ts) on every client made here.
 */
export function withRateLimit<T>(client: T, settings: AwsSettings, service: string, region?: string): T {
  const perSecond = settings.requestsPerSecond?.[service] ?? DEFAULT_RATES[service] ?? 10;
  const scope = settings.endpoint ?? 'aws';
  const limiter = limiterFor(region ? `${scope}|${region}` : scope, service, perSecond);
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next) => async (args) => {
      await limiter.take();
      return next(args);
    },
    { step: 'finalizeRequest', name: `charterRateLimit-${service}`, priority: 'low' },
  );
  return withCredentialsHelp(client, settings, service);
}

/** The message of an AWS error with its code, e.g. `InvalidChangeBatch: ...`; never includes credentials. */
export function awsErrorMessage(error: unknown): string {
  if (error instanceof AwsCredentialsError) return error.message;
  const e = error as { name?: string; message?: string; Code?: string };
  const code = e?.Code ?? e?.name ?? 'Error';
  return `${code}: ${e?.message ?? String(error)}`;
}
