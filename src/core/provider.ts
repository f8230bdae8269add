import type { Diagnostic } from './diagnostics.js';
import type { PathSegment, PolicyDocument } from './document.js';
import type { Json } from './json.js';
import type { Change, ChangeResult } from './plan.js';
import type { Reach, Reference } from './reach.js';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/** What offline lint may use: no network, no AWS. */
export interface LintContext {
  now: Date;
  /**
   * Reads a file next to a policy (paths relative to the policy file) through the file gate (core/files.ts):
   * confined to the repository, regular files only, byte-capped. Refusals throw FileRefusedError, whose
   * message is safe to show (it quotes nothing of the file).
   */
  readLocalFile(doc: PolicyDocument, relativePath: string): Promise<Uint8Array | undefined>;
}

/** AWS credentials as the SDK takes them (plain data). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** How to reach AWS: plain data, so src/core never imports the SDK. */
export interface AwsSettings {
  /** Endpoint override for every service (the sandbox in tests and demos). */
  endpoint?: string;
  region?: string;
  /** Extra attempts for retryable errors (throttling), on top of the first. */
  maxAttempts?: number;
  /**
   * Credentials: static ones (the sandbox), or a provider function (an assumed role, refreshed by the SDK).
   * Unset: the SDK's default chain.
   */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /** Per-service request rate caps (requests per second); defaults follow AWS's documented limits. */
  requestsPerSecond?: Partial<Record<string, number>>;
  /** How to give Charter AWS credentials where it runs (the Action, the CLI, the app): said when there are none. */
  credentialsHelp?: string;
}

/** A repository's branches as GitHub lists them. */
export interface BranchList {
  defaultBranch: string;
  branches: string[];
}

/**
 * Where BranchPipelines learns a repository's branches: the adapters wrap GitHub (the Action's token, the
 * app's installation, the CLI's GITHUB_TOKEN), so src/core and the providers never import Octokit.
 */
export interface BranchSource {
  /** `repository` is `owner/name`; every branch, all pages. */
  listBranches(repository: string): Promise<BranchList>;
}

export interface RuntimeContext extends LintContext {
  aws: AwsSettings;
  log: Logger;
  /** Polling interval for eventually consistent AWS operations (INSYNC, certificate validation), ms. */
  pollIntervalMs: number;
  /** Upper bound for one wait, ms. */
  waitTimeoutMs: number;
  /** How long each awaited AWS operation typically takes (ms): SDK waiters poll at a tenth of it. */
  typicalWaitMs?: TypicalWaits;
  /**
   * Environment variables policies may name (connection URLs, IdP client secrets). Values are secrets:
   * providers never print them. Adapters fill it from process.env; when absent, process.env is used.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Called with every secret value a provider reads from `env` (a connection URL and its password, a
   * client secret), so an adapter can mask it wherever it logs (the Action: `core.setSecret`).
   */
  maskSecret?(value: string): void;
  /**
   * What the policies of this run may reach (src/core/reach.ts). Unset (the CLI, run by the person whose
   * environment it is): anything. Set, the engine refuses every policy naming something else before any read.
   */
  reach?: Reach;
  /** AWS settings for an account role from `reach.accounts` (the adapter assumes the role through STS). */
  accountAws?(account: string, roleArn: string): AwsSettings;
  /** Key of the HMAC that puts each secret a policy uses into the fingerprint (never the value itself). */
  secretHashKey?: string;
  /** The repositories' branches (BranchPipelines); plan reports an error for those policies when absent. */
  branches?: BranchSource;
  /**
   * Every policy the run read (`Kind/name`), including those scope `changed` left out of the plan. Only a
   * policy absent from it counts as removed. Set by the engine's plan.
   */
  policiesOfRun?: ReadonlySet<string>;
}

/** Typical durations (ms) of the operations apply waits for, per kind of wait. */
export interface TypicalWaits {
  /** A Route 53 change batch from PENDING to INSYNC. */
  route53Insync?: number;
  /** A CloudFront invalidation from InProgress to Completed. */
  invalidation?: number;
  /** An ACM certificate from its validation records in DNS to ISSUED. */
  certificateValidation?: number;
}

/** Result of comparing desired policies with live state. */
export interface DiffResult {
  changes: Change[];
  diagnostics: Diagnostic[];
  /** Live values the changes depend on, keyed by `<kind>/<name>`; covered by the fingerprint. */
  inputs: Record<string, Json>;
  /**
   * How many live things each policy owns, keyed by `<kind>/<name>`: the managed items the provider read
   * (record sets, files, certificates, groups, grants, pipelines …). The base of the safety threshold
   * (src/core/safety.ts): a plan updating or deleting too large a share of them is refused unless forced.
   */
  owned?: Record<string, number>;
}

/** An apply as it happens (start and end of each change, long waits), for adapters to print; core prints nothing. */
export type ApplyEvent =
  | { type: 'start'; change: Change }
  | { type: 'end'; change: Change; result: ChangeResult }
  /** A change still running after `stillWaitingMs`, and every `stillWaitingMs` after that. */
  | { type: 'waiting'; change: Change; elapsedMs: number };

/**
 * How a provider's changes may run concurrently: which change waits for which (the MTA-STS TXT after the
 * policy file is served), and which ready changes are applied together (one Route 53 batch per zone).
 * Without one, a kind's policies apply one after another, each in plan order, as `apply` does.
 */
export interface ChangeGraph {
  /** Addresses of changes of the same apply (and kind) that must be applied before `change`. */
  dependsOn(change: Change, changes: readonly Change[]): string[];
  /**
   * Changes with the same key at the same dependency level (longest chain of dependencies below them) are
   * handed to `applyGroup` together, once all of them are ready; undefined: the change goes alone.
   */
  groupKey?(change: Change): string | undefined;
  /**
   * How long the change takes relative to the others (its waits; any unit, ordering only). Ready changes
   * whose longest chain of weights from them onwards is longest start first, so a long wait (a certificate)
   * is not queued behind quick ones. Undefined: 1.
   */
  weight?(change: Change): number;
}

/** The part of a provider that is loaded only when AWS is needed (plan, apply, drift). */
export interface ProviderRuntime<Spec = unknown> {
  /** Reads live state for all policies of this kind at once (bulk, paginated) and compares. */
  plan(docs: PolicyDocument<Spec>[], ctx: RuntimeContext): Promise<DiffResult>;
  /**
   * Executes the changes of one policy in plan order. Must stop at the first failure, except in parts
   * that cannot depend on the failed change (another region); changes it returns no result for are
   * reported as not attempted.
   */
  apply(changes: Change[], docs: PolicyDocument<Spec>[], ctx: RuntimeContext): Promise<ChangeResult[]>;
  /** Optional: the dependencies between this kind's changes; with it the engine calls `applyGroup`, not `apply`. */
  graph?: ChangeGraph;
  /**
   * With `graph`: applies changes whose dependencies are all applied, together (of one or several policies
   * of one account; `docs` are their policies). Returns a result for each; one missing is not attempted.
   */
  applyGroup?(changes: Change[], docs: PolicyDocument<Spec>[], ctx: RuntimeContext): Promise<ChangeResult[]>;
  /**
   * Optional: executes the changes of one policy exactly like apply, inside a transaction that is then
   * rolled back, proving they would succeed without changing anything. Throws when the target cannot
   * roll back.
   */
  dryApply?(changes: Change[], docs: PolicyDocument<Spec>[], ctx: RuntimeContext): Promise<ChangeResult[]>;
  /** Optional: reads live state and returns the spec that describes it (`charter import`). */
  importPolicy?(doc: PolicyDocument<Spec>, ctx: RuntimeContext, options: ImportOptions): Promise<ImportedPolicy>;
}

/** What the user chose on the `charter import` command line, beyond the policy file itself. */
export interface ImportOptions {
  /** ProtectionGroups: ids of groups to import whoever owns them (naming a group is the explicit choice to adopt it). */
  groups?: readonly string[];
  /** ProtectionGroups: also import every group no Charter policy owns (no `charter:policy` tag). */
  adoptUnowned?: boolean;
}

/** What `importPolicy` returns: the whole spec, what the user must know, and comments for the YAML. */
export interface ImportedPolicy {
  spec: Json;
  notices: string[];
  /** Live values the spec cannot hold as they are (each names its record or resource, and what the first plan does). */
  warnings?: string[];
  /** YAML comments on the scalar at each path below `spec` (e.g. placeholders to fill in). */
  comments: Array<{ path: PathSegment[]; text: string }>;
}

/** A policy kind: its schema and offline rules, with the AWS side loaded lazily. */
export interface Provider<Spec = unknown> {
  kind: string;
  /** Address prefix, e.g. `email`. */
  prefix: string;
  /** File name under policies/schemas. */
  schemaFile: string;
  /** Position of this kind in plan order. */
  order: number;
  lint(docs: PolicyDocument<Spec>[], ctx: LintContext): Promise<Diagnostic[]>;
  /**
   * What a policy reaches besides environment variables (found for every kind by `envReferences`): AWS,
   * database targets. Pure; the engine checks them against the run's allowlist before anything is read.
   */
  references?(doc: PolicyDocument<Spec>): Reference[];
  /**
   * Lint codes about fields `charter import` fills in from live state: they block plan as errors, but not
   * import, so a policy given to import may leave those fields out.
   */
  importFills?: readonly string[];
  loadRuntime(): Promise<ProviderRuntime<Spec>>;
}
