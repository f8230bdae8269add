import type { AwsSettings, Logger, RuntimeContext } from '../core/provider.js';

/** The runtime half of a provider context: how to reach AWS and how patiently to wait for it. */
export function awsRuntime(aws: AwsSettings, log: Logger): Omit<RuntimeContext, 'now' | 'readLocalFile'> {
  const simulated = Boolean(aws.endpoint);
  return {
    aws,
    log,
    // Route 53 INSYNC and CloudFront invalidations take seconds to minutes on AWS, milliseconds on the sandbox.
    pollIntervalMs: simulated ? 20 : 2_000,
    waitTimeoutMs: simulated ? 30_000 : 15 * 60_000,
    // What AWS documents or usually shows: Route 53 propagates a change to all its name servers generally
    // within 60 s; an invalidation usually completes in a minute or two; ACM validates DNS records within
    // minutes of their publication (up to 30). The sandbox's delays are settable, so tests set their own.
    ...(simulated ? {} : { typicalWaitMs: { route53Insync: 60_000, invalidation: 90_000, certificateValidation: 5 * 60_000 } }),
    // Policies name variables (connection URLs, IdP secrets); the values stay in this object, never in output.
    env: process.env,
  };
}
