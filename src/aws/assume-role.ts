/**
 * Credentials from STS AssumeRole, for one repository or one account role: never the one credential set
 * of the process for everyone. The session name names the repository, so CloudTrail says who acted.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentials, AwsSettings } from '../core/provider.js';
import { clientConfig } from './clients.js';
import { withCredentialsHelp } from './credentials.js';

/** Renewed this long before they expire, so no call starts with credentials about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** One hour: the most a chained session (a role assumed with an assumed role's credentials) may last. */
const DURATION_SECONDS = 3600;

/** `charter@owner+repo` within STS's rules (2–64 characters of `[\w+=,.@-]`). */
export function roleSessionName(repository: string): string {
  const name = `charter@${repository.replace('/', '+')}`.replace(/[^\w+=,.@-]/g, '-');
  return name.slice(0, 64);
}

/**
 * `base` with credentials that assume `roleArn` (through `base`'s own credentials, so an account role is
 * chained from the repository's role). Credentials are fetched on first use and renewed before expiry.
 */
export function assumeRoleSettings(base: AwsSettings, roleArn: string, sessionName: string): AwsSettings {
  const sts = withCredentialsHelp(new STSClient(clientConfig(base, 'sts')), base, 'sts');
  let current: AwsCredentials | undefined;
  let pending: Promise<AwsCredentials> | undefined;
  const fetch = async (): Promise<AwsCredentials> => {
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: DURATION_SECONDS }));
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };
  const credentials = async (): Promise<AwsCredentials> => {
    if (current && (!current.expiration || current.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS)) return current;
    pending ??= fetch()
      .then((c) => (current = c))
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  return { ...base, credentials };
}
