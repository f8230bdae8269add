/**
 * Missing AWS credentials, said so a user can fix them. The SDK's own text ("Could not load credentials
 * from any providers") names neither the sources it tried nor how to set one up; this error does both,
 * with the advice of the host Charter runs in (the Action, the CLI, the app: `AwsSettings.credentialsHelp`).
 */
import type { AwsSettings } from '../core/provider.js';

/** What the SDK throws when no source in the default chain (or a named profile) gives credentials. */
export function isCredentialsProviderError(error: unknown): boolean {
  return Boolean(error && typeof error === 'object' && (error as { name?: unknown }).name === 'CredentialsProviderError');
}

export class AwsCredentialsError extends Error {
  override readonly name = 'AwsCredentialsError';
  constructor(
    /** What is missing and which sources were tried. */
    readonly problem: string,
    /** How to give Charter credentials where it runs. */
    readonly hint: string,
  ) {
    super(`${problem}\n${hint}`);
  }
}

/** The default chain's sources in the SDK's order, with what this environment sets for each. */
export function triedSources(env: Record<string, string | undefined> = process.env): string[] {
  const profile = env.AWS_PROFILE || 'default';
  const config = env.AWS_CONFIG_FILE || '~/.aws/config';
  const shared = env.AWS_SHARED_CREDENTIALS_FILE || '~/.aws/credentials';
  const imds = (env.AWS_EC2_METADATA_DISABLED ?? '').toLowerCase() === 'true';
  return [
    'environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    `profile "${profile}" in ${config} and ${shared} (static keys, SSO, assumed role, credential_process)`,
    `web identity (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN${env.AWS_WEB_IDENTITY_TOKEN_FILE ? '' : ', not set'})`,
    `the ECS/EKS container endpoint (AWS_CONTAINER_CREDENTIALS_*${env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI ? '' : ', not set'})`,
    `EC2 instance metadata${imds ? ' (skipped: AWS_EC2_METADATA_DISABLED=true)' : ''}`,
  ];
}

/** The advice when no host said what to do (e.g. a library caller). */
export const GENERIC_CREDENTIALS_HELP =
  'Give Charter credentials through one of these sources: in a GitHub workflow, aws-actions/configure-aws-credentials with role-to-assume (OIDC, permissions id-token: write); locally, AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.';

/** `error` as an AwsCredentialsError when it is a credentials problem of `service`; otherwise `error` itself. */
export function explainCredentials(error: unknown, settings: AwsSettings, service: string): unknown {
  if (!isCredentialsProviderError(error)) return error;
  const said = (error as Error).message ?? '';
  const generic = /^Could not load credentials from any providers/.test(said);
  const message =
    `No AWS credentials for ${service}: ${generic ? 'none of the sources the SDK tries gave any' : said}. ` +
    `Tried: ${triedSources().join('; ')}.`;
  return new AwsCredentialsError(message, settings.credentialsHelp ?? GENERIC_CREDENTIALS_HELP);
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

/** Turns the client's credential failures into AwsCredentialsError (outermost, so retries are inside). */
export function withCredentialsHelp<T>(client: T, settings: AwsSettings, service: string): T {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw explainCredentials(error, settings, service);
      }
    },
    { step: 'initialize', name: `charterCredentialsHelp-${service}`, priority: 'high' },
  );
  return client;
}
