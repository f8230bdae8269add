/**
 * Live state of one database as Charter sees it, the same shape for both dialects. Names are as the
 * catalog returns them; the diff compares them by nameKey.
 */
import type { Dialect } from './rules.js';
import type { GranteeKind, PrincipalKind, PrivilegeTarget, RoutineKind } from './sql.js';

export interface LivePrincipal {
  name: string;
  kind: PrincipalKind;
  superuser: boolean;
  externalId?: string;
  /**
   * Users, read only when the policy declares passwords: the stored verifier (md5…, SCRAM-SHA-256…,
   * sha256…, or a masked value), or null for no password.
   */
  password?: string | null;
  /** Users: their attributes as the catalog reports them (syslogAccess on Redshift only). */
  attributes?: { createdb: boolean; connectionLimit: number | 'unlimited'; syslogAccess?: 'restricted' | 'unrestricted' };
}

export interface LiveMembership {
  role: string;
  member: string;
  memberKind: PrincipalKind;
  /** Held WITH ADMIN OPTION (absent: not; Redshift reports it for users only). */
  admin?: boolean;
}

/** One privilege held directly by a role, a user or PUBLIC. Table targets always name a table here. */
export interface LivePrivilege {
  /** PUBLIC_NAME for PUBLIC. */
  grantee: string;
  granteeKind: GranteeKind;
  target: PrivilegeTarget;
  privilege: string;
}

export interface LiveIdentityProvider {
  name: string;
  type: string;
  namespace: string;
  issuer: string;
  clientId: string;
  audience: string[];
  enabled: boolean;
}

export interface LiveSchema {
  name: string;
  owner?: string;
  /** Tables (and views) of the schema: what "all tables in schema" means right now. */
  tables: string[];
  /** Table owners by table name (PostgreSQL): an owner's implicit privileges are not Charter's. */
  tableOwners: Map<string, string>;
  /** Column names by table name (PostgreSQL only: Redshift's reader does not list columns, so they are not checked there). */
  columns?: Map<string, string[]>;
  /** Functions and procedures by `routineKey` (name key and normalised argument types), when the reader lists them. */
  routines?: Map<string, { kind: RoutineKind; owner?: string }>;
}

export interface LiveState {
  dialect: Dialect;
  currentUser: string;
  /** The database connected to, when known (its privileges are read only then). */
  database?: string;
  /** Owner of that database (PostgreSQL): its implicit privileges are not Charter's. */
  databaseOwner?: string;
  principals: LivePrincipal[];
  memberships: LiveMembership[];
  privileges: LivePrivilege[];
  identityProviders: LiveIdentityProvider[];
  /**
   * Managed schemas found, by nameKey. `complete` says whether a schema missing here is known not to
   * exist (PostgreSQL reads pg_namespace; Redshift only sees schemas that hold tables or grants).
   */
  schemas: Map<string, LiveSchema>;
  schemasComplete: boolean;
  /** Catalog queries this read took. */
  queries: number;
}

/** Raised when the connecting user cannot see the whole catalog: reported as a plan error, never as drift. */
export class PartialVisibilityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartialVisibilityError';
  }
}
