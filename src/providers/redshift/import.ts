/**
 * `charter import`: the spec that describes a live database, so that planning it right after gives no
 * changes. It covers what Charter would manage: identity providers, roles and users that are neither
 * ignored nor system principals, their memberships, and their privileges inside the managed schemas.
 */
import type { Json } from '../../core/json.js';
import type { ImportedPolicy } from '../../core/provider.js';
import { systemPrincipalTest } from './diff.js';
import { granteeKeyOf, ignoreMatcher, PUBLIC_KEY } from './model.js';
import { COLUMN_PRIVILEGES, DATABASE_PRIVILEGES, isSystemRoleName, nameKey, SCHEMA_PRIVILEGES, TABLE_PRIVILEGES } from './rules.js';
import { sortPrivileges, type PrivilegeTarget } from './sql.js';
import type { LiveState } from './state.js';
import type { PolicyDocument } from '../../core/document.js';
import type { RedshiftGrantsSpec } from './spec.generated.js';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A variable name for a provider's secret the user must set (the value cannot be read back). */
export function secretEnvName(provider: string): string {
  const base = provider.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return `${/^[A-Z_]/.test(base) ? '' : '_'}${base}_CLIENT_SECRET`;
}

export function importPolicy(doc: PolicyDocument<RedshiftGrantsSpec>, live: LiveState): ImportedPolicy {
  const spec = doc.spec;
  const dialect = spec.connection.dialect;
  const key = (n: string) => nameKey(n, dialect);
  const ignored = ignoreMatcher(spec.manage?.ignorePrincipals ?? [], dialect);
  const isSystem = systemPrincipalTest(live, key);
  const kept = live.principals.filter((p) => !isSystem(p.name) && !ignored(p.name)).sort((a, b) => cmp(key(a.name), key(b.name)));
  const keptKeys = new Set(kept.map((p) => key(p.name)));
  const notices: string[] = [];
  const comments: ImportedPolicy['comments'] = [];

  const identityProviders = [...live.identityProviders]
    .sort((a, b) => cmp(key(a.name), key(b.name)))
    .map((p, i) => {
      const envName = secretEnvName(p.name);
      notices.push(`identity provider ${p.name}: Redshift cannot return its client secret; set ${envName} (or rename clientSecretFromEnv) before planning`);
      comments.push({ path: ['identityProviders', i, 'clientSecretFromEnv'], text: ` Placeholder: Redshift cannot return the client secret. Set ${envName} to it (write-only).` });
      const out: Record<string, Json> = { name: p.name, type: p.type || 'azure', namespace: p.namespace, issuer: p.issuer, clientId: p.clientId, audience: p.audience, clientSecretFromEnv: envName };
      if (!p.enabled) out.enabled = false;
      return out;
    });
  const namespaces = new Map(live.identityProviders.map((p) => [p.namespace.toLowerCase(), p.name]));

  // Memberships Charter manages: in declared roles or (Redshift) system roles, never in ignored or system principals.
  const memberOf = new Map<string, string[]>();
  const adminOf = new Map<string, Set<string>>();
  for (const m of live.memberships) {
    if (!keptKeys.has(key(m.member)) || ignored(m.role)) continue;
    if (!keptKeys.has(key(m.role)) && !(dialect === 'redshift' && isSystemRoleName(m.role))) continue;
    const list = memberOf.get(key(m.member)) ?? [];
    // PostgreSQL 16+ may list a membership once per grantor.
    if (!list.some((r) => key(r) === key(m.role))) list.push(m.role);
    memberOf.set(key(m.member), list);
    if (m.admin) adminOf.set(key(m.member), (adminOf.get(key(m.member)) ?? new Set()).add(m.role));
  }

  // By grantee key: PUBLIC's privileges in managed schemas are imported too (under spec.public).
  const gk = granteeKeyOf(key);
  const byGrantee = new Map<string, Array<{ target: PrivilegeTarget; privilege: string; grantOption?: boolean }>>();
  for (const p of live.privileges) {
    const k = gk(p.grantee, p.granteeKind);
    if (p.granteeKind === 'public' ? p.target.type === 'system' : !keptKeys.has(k)) continue;
    // PUBLIC's database privileges are Charter's only under manage.database.
    if (p.granteeKind === 'public' && p.target.type === 'database' && !spec.manage?.database) continue;
    const list = byGrantee.get(k) ?? [];
    list.push({ target: p.target, privilege: p.privilege, grantOption: p.grantOption });
    byGrantee.set(k, list);
  }
  const tablesOf = (schema: string) => live.schemas.get(key(schema))?.tables ?? [];
  /** `name(argument types)` as LiveSchema.routines keys it. */
  const signatureKey = (signature: string) => {
    const open = signature.indexOf('(');
    return `${key(signature.slice(0, open))}${signature.slice(open)}`;
  };
  const known = new Set<string>(TABLE_PRIVILEGES[dialect]);
  const knownColumn = new Set<string>(COLUMN_PRIVILEGES[dialect]);
  const knownSchema = new Set<string>(SCHEMA_PRIVILEGES[dialect]);
  const knownDatabase = new Set<string>(DATABASE_PRIVILEGES[dialect]);

  const privilegesOf = (name: string, granteeKey = key(name)): Json | undefined => {
    const held = byGrantee.get(granteeKey) ?? [];
    const system = [...new Set(held.filter((h) => h.target.type === 'system').map((h) => h.privilege.toUpperCase()))].sort();
    const schemaPrivs = new Map<string, Set<string>>();
    const tablePrivs = new Map<string, Map<string, Set<string>>>();
    const future = new Map<string, { objects: 'tables' | 'functions' | 'procedures'; schema: string; owner: string; privileges: Set<string> }>();
    // By schema and table: each column's privileges.
    const columnPrivs = new Map<string, { schema: string; table: string; columns: Map<string, Set<string>> }>();
    // By schema: the signatures the grantee may EXECUTE.
    const functionPrivs = new Map<string, Set<string>>();
    const procedurePrivs = new Map<string, Set<string>>();
    const databasePrivs = new Set<string>();
    // By datashare database: USAGE.
    const datashareDatabases = new Map<string, Set<string>>();
    // Privileges held WITH GRANT OPTION: database privileges; schema ones by schema; table ones by schema and table; routine signatures.
    const databaseOption = new Set<string>();
    const schemaOption = new Map<string, Set<string>>();
    const tableOption = new Map<string, Map<string, Set<string>>>();
    const routineOption = new Set<string>();
    const scopedTables = new Map<string, Set<string>>();
    const scopedFunctions = new Map<string, Set<string>>();
    for (const h of held) {
      const t = h.target;
      const expressible =
        t.type === 'system' ||
        (t.type === 'sharedDatabase' && h.privilege === 'usage') ||
        (t.type === 'scoped' ? (t.objects === 'functions' ? h.privilege === 'execute' : known.has(h.privilege)) : t.type === 'future' && t.objects !== undefined ? h.privilege === 'execute' : t.type === 'database' ? knownDatabase.has(h.privilege) : t.type === 'schema' ? knownSchema.has(h.privilege) : t.type === 'column' ? knownColumn.has(h.privilege) : t.type === 'routine' ? h.privilege === 'execute' : known.has(h.privilege));
      if (!expressible) {
        // A policy cannot declare it, so the next plan revokes it: say so rather than hide it.
        notices.push(`${name} holds ${h.privilege.toUpperCase()} ${t.type === 'database' || t.type === 'sharedDatabase' ? `on database ${t.database}` : t.type === 'schema' ? `on schema ${t.schema}` : `in schema ${t.schema}`}, which a policy cannot declare: the next plan revokes it`);
        continue;
      }
      if (t.type === 'sharedDatabase') {
        datashareDatabases.set(t.database, (datashareDatabases.get(t.database) ?? new Set()).add(h.privilege));
      } else if (t.type === 'database') {
        databasePrivs.add(h.privilege);
        if (h.grantOption) databaseOption.add(h.privilege);
      } else if (t.type === 'schema') {
        const set = schemaPrivs.get(t.schema) ?? new Set();
        set.add(h.privilege);
        schemaPrivs.set(t.schema, set);
        if (h.grantOption) schemaOption.set(t.schema, (schemaOption.get(t.schema) ?? new Set()).add(h.privilege));
      } else if (t.type === 'table' && t.table !== null) {
        for (const [map, held] of [[tablePrivs, true], [tableOption, h.grantOption === true]] as const) {
          if (!held) continue;
          const tables = map.get(t.schema) ?? new Map<string, Set<string>>();
          tables.set(t.table, (tables.get(t.table) ?? new Set()).add(h.privilege));
          map.set(t.schema, tables);
        }
      } else if (t.type === 'routine') {
        const byKind = t.kind === 'function' ? functionPrivs : procedurePrivs;
        const list = byKind.get(t.schema) ?? new Set<string>();
        list.add(`${t.name}(${t.args})`);
        byKind.set(t.schema, list);
        if (h.grantOption) routineOption.add(`${t.kind}\u0000${t.schema}\u0000${t.name}(${t.args})`);
      } else if (t.type === 'column') {
        const id = `${t.schema}\u0000${t.table}`;
        const entry = columnPrivs.get(id) ?? { schema: t.schema, table: t.table, columns: new Map<string, Set<string>>() };
        const set = entry.columns.get(t.column) ?? new Set();
        set.add(h.privilege);
        entry.columns.set(t.column, set);
        columnPrivs.set(id, entry);
      } else if (t.type === 'scoped') {
        const byScope = t.objects === 'functions' ? scopedFunctions : scopedTables;
        byScope.set(t.schema, (byScope.get(t.schema) ?? new Set()).add(h.privilege));
      } else if (t.type === 'future') {
        const id = `${t.objects ?? 'tables'}\u0000${t.schema}\u0000${t.owner}`;
        const f = future.get(id) ?? { objects: t.objects ?? 'tables', schema: t.schema, owner: t.owner, privileges: new Set() };
        f.privileges.add(h.privilege);
        future.set(id, f);
      }
    }
    const out: Record<string, Json> = {};
    if (system.length && dialect === 'redshift') out.system = system;
    /** An entry's withGrantOption: true when every privilege has it, else the ones that do. */
    const optionOf = (privileges: string[], option: Set<string> | undefined): Record<string, Json> => {
      const held = privileges.filter((p) => option?.has(p));
      return !held.length ? {} : { withGrantOption: held.length === privileges.length ? true : held };
    };
    if (databasePrivs.size) out.database = sortPrivileges(databasePrivs);
    if (databaseOption.size) out.databaseWithGrantOption = sortPrivileges(databaseOption);
    if (datashareDatabases.size) out.datashareDatabases = [...datashareDatabases].sort(([a], [b]) => cmp(a, b)).map(([database, set]) => ({ database, privileges: sortPrivileges(set) }));
    const schemas = [...schemaPrivs].sort(([a], [b]) => cmp(a, b)).map(([schema, set]) => ({ schema, privileges: sortPrivileges(set), ...optionOf(sortPrivileges(set), schemaOption.get(schema)) }));
    if (schemas.length) out.schemas = schemas;
    const tables: Json[] = [];
    for (const [schema, byTable] of [...tablePrivs].sort(([a], [b]) => cmp(a, b))) {
      const all = tablesOf(schema);
      const options = tableOption.get(schema);
      // Privileges held on every table of the schema become one allTables entry (with the grant option where
      // every table has that too); the rest are named.
      const everywhere = sortPrivileges([...(byTable.get(all[0]) ?? [])].filter((p) => all.every((t) => byTable.get(t)?.has(p))));
      const optionEverywhere = new Set(everywhere.filter((p) => all.every((t) => options?.get(t)?.has(p))));
      if (all.length && everywhere.length) tables.push({ schema, allTables: true, privileges: everywhere, ...optionOf(everywhere, optionEverywhere) });
      const groups = new Map<string, string[]>();
      for (const [table, set] of [...byTable].sort(([a], [b]) => cmp(a, b))) {
        // A privilege the allTables entry covers is named again only for a grant option that entry lacks.
        const rest = sortPrivileges([...set].filter((p) => !everywhere.includes(p) || (options?.get(table)?.has(p) && !optionEverywhere.has(p))));
        if (!rest.length) continue;
        const id = `${rest.join(',')}|${rest.filter((p) => options?.get(table)?.has(p)).join(',')}`;
        groups.set(id, [...(groups.get(id) ?? []), table]);
      }
      for (const [id, names] of [...groups].sort(([a], [b]) => cmp(a, b))) {
        const [privileges, option] = id.split('|').map((l) => (l ? l.split(',') : []));
        tables.push({ schema, names, privileges, ...optionOf(privileges, new Set(option)) });
      }
    }
    if (tables.length) out.tables = tables;
    // Columns with the same privileges on one table share an entry.
    const columns: Json[] = [];
    for (const entry of [...columnPrivs.values()].sort((a, b) => cmp(a.schema, b.schema) || cmp(a.table, b.table))) {
      const groups = new Map<string, string[]>();
      for (const [column, set] of [...entry.columns].sort(([a], [b]) => cmp(a, b))) {
        const id = sortPrivileges(set).join(',');
        groups.set(id, [...(groups.get(id) ?? []), column]);
      }
      for (const [id, names] of [...groups].sort(([a], [b]) => cmp(a, b))) columns.push({ schema: entry.schema, table: entry.table, columns: names, privileges: id.split(',') });
    }
    if (columns.length) out.columns = columns;
    for (const [field, kind, byKind] of [['functions', 'function', functionPrivs], ['procedures', 'procedure', procedurePrivs]] as const) {
      // Per schema: one entry for the signatures held without the grant option, one for those held with it.
      const entries = [...byKind].sort(([a], [b]) => cmp(a, b)).flatMap(([schema, names]): Json[] => {
        const sorted = [...names].sort(cmp);
        const withOption = sorted.filter((n) => routineOption.has(`${kind}\u0000${schema}\u0000${n}`));
        const without = sorted.filter((n) => !withOption.includes(n));
        // EXECUTE on every routine of the kind (two or more, the grantee's own aside) becomes one allInSchema entry
        // (with the grant option when every one has it); one routine stays named.
        const existing = [...(live.schemas.get(key(schema))?.routines ?? new Map<string, { kind: string; owner?: string }>())]
          .filter(([, r]) => r.kind === kind && !(r.owner !== undefined && key(r.owner) === granteeKey))
          .map(([signature]) => signature);
        const heldKeys = new Set(sorted.map(signatureKey));
        if (existing.length >= 2 && existing.every((k) => heldKeys.has(k))) {
          const optionKeys = new Set(withOption.map(signatureKey));
          const allOption = existing.every((k) => optionKeys.has(k));
          return [
            { schema, allInSchema: true, privileges: ['execute'], ...(allOption ? { withGrantOption: true } : {}) },
            // A grant option the allInSchema entry lacks is named.
            ...(!allOption && withOption.length ? [{ schema, names: withOption, privileges: ['execute'], withGrantOption: true }] : []),
          ];
        }
        return [
          ...(without.length ? [{ schema, names: without, privileges: ['execute'] }] : []),
          ...(withOption.length ? [{ schema, names: withOption, privileges: ['execute'], withGrantOption: true }] : []),
        ];
      });
      if (entries.length) out[field] = entries;
    }
    for (const [field, byScope] of [['scopedTables', scopedTables], ['scopedFunctions', scopedFunctions]] as const) {
      const list = [...byScope].sort(([a], [b]) => cmp(a, b)).map(([schema, set]) => ({ schema, privileges: sortPrivileges(set) }));
      if (list.length) out[field] = list;
    }
    for (const [objects, field] of [['tables', 'futureTables'], ['functions', 'futureFunctions'], ['procedures', 'futureProcedures']] as const) {
      const list = [...future.values()]
        .filter((f) => f.objects === objects)
        .sort((a, b) => cmp(a.schema, b.schema) || cmp(a.owner, b.owner))
        .map((f) => ({ schema: f.schema, owner: f.owner, privileges: sortPrivileges(f.privileges) }));
      if (list.length) out[field] = list;
    }
    return Object.keys(out).length ? out : undefined;
  };

  const entry = (name: string, extra: Record<string, Json | undefined>, listKey: 'memberOf' | 'roles'): Json => {
    const out: Record<string, Json> = { name };
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
    const roles = (memberOf.get(key(name)) ?? []).sort((a, b) => cmp(key(a), key(b)));
    if (roles.length) out[listKey] = roles;
    const admin = [...(adminOf.get(key(name)) ?? [])].sort((a, b) => cmp(key(a), key(b)));
    if (admin.length) out.withAdminOption = admin;
    const privileges = privilegesOf(name);
    if (privileges) out.privileges = privileges;
    return out;
  };
  const roles = kept.filter((p) => p.kind === 'role').map((p) => entry(p.name, { externalId: dialect === 'redshift' ? p.externalId : undefined }, 'memberOf'));
  const users = kept
    .filter((p) => p.kind === 'user')
    .map((p) => {
      const ns = p.name.includes(':') ? p.name.slice(0, p.name.indexOf(':')).toLowerCase() : undefined;
      // Attributes are written only where they differ from the defaults (NOCREATEDB, no connection limit, SYSLOG ACCESS RESTRICTED, no expiry).
      const a = p.attributes;
      return entry(
        p.name,
        {
          identityProvider: ns ? namespaces.get(ns) : undefined,
          createdb: a?.createdb ? true : undefined,
          connectionLimit: a && a.connectionLimit !== 'unlimited' ? a.connectionLimit : undefined,
          syslogAccess: dialect === 'redshift' && a?.syslogAccess === 'unrestricted' ? 'unrestricted' : undefined,
          validUntil: a?.validUntil !== undefined && a.validUntil !== 'infinity' ? a.validUntil : undefined,
        },
        'roles',
      );
    });

  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(spec as unknown as Record<string, Json>)) {
    if (k !== 'identityProviders' && k !== 'public' && k !== 'roles' && k !== 'users') out[k] = v;
  }
  if (identityProviders.length) out.identityProviders = identityProviders;
  const publicPrivileges = privilegesOf('PUBLIC', PUBLIC_KEY);
  if (publicPrivileges) out.public = { privileges: publicPrivileges };
  out.roles = roles;
  out.users = users;
  return { spec: out, notices, comments };
}
