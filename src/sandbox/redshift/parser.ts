/**
 * Recursive-descent parser for exactly the Redshift statement forms the sandbox executes (see
 * docs/sandbox.md, "Redshift Data API"). Keywords are case-insensitive; identifiers, quoted or
 * not, are folded to lower case as Redshift does by default. Anything else is a syntax error.
 */
import { SqlError } from './errors.js';
import { tokenize, type Token } from './lexer.js';
import { SCHEMA_PRIVILEGES, SYSTEM_PRIVILEGES, TABLE_PRIVILEGES } from './privileges.js';

export interface QName {
  /** undefined = resolve through the search path ('$user', public). */
  schema?: string;
  name: string;
}

export interface Grantee {
  type: 'user' | 'role' | 'public';
  /** Lower-cased name; 'public' for PUBLIC. */
  name: string;
  /** WITH GRANT OPTION / WITH ADMIN OPTION given for this grantee. */
  withOption: boolean;
}

export interface UserOptions {
  password?: { disabled: true } | { value: string };
  createdb?: boolean;
  superuser?: boolean;
  syslogAccess?: 'RESTRICTED' | 'UNRESTRICTED';
  connectionLimit?: number | 'UNLIMITED';
  /** null = RESET SESSION TIMEOUT. */
  sessionTimeout?: number | null;
  validUntil?: string;
  externalId?: string;
  rename?: string;
}

export type GrantAction = 'grant' | 'revoke';

export type WhereValue = { type: 'string'; value: string } | { type: 'number'; value: number } | { type: 'boolean'; value: boolean } | { type: 'current_user' };

/** A constant select item: `NULL[::type] AS name` or `'text' AS name`. */
export interface SelectConstant {
  value: string | null;
  as: string;
}

/** A renamed column: `col AS name`. */
export interface SelectAlias {
  column: string;
  as: string;
}

/** One SELECT of a `UNION ALL` chain. */
export interface SelectPart {
  /** '*' or column names (lower case), renamed columns and constants. */
  columns: Array<string | SelectAlias | SelectConstant> | '*';
  view: string;
  where: Array<{ column: string; value: WhereValue }>;
}

export type Statement =
  | { kind: 'createRole'; name: string; externalId?: string }
  | { kind: 'alterRole'; name: string; rename?: string; owner?: string; externalId?: string }
  | { kind: 'dropRole'; name: string; mode: 'force' | 'restrict' }
  | { kind: 'createUser'; name: string; options: UserOptions }
  | { kind: 'alterUser'; name: string; options: UserOptions }
  | { kind: 'dropUser'; names: string[]; ifExists: boolean }
  | { kind: 'createIdp'; name: string; type: string; namespace: string; params?: string; enabled: boolean }
  | { kind: 'alterIdp'; name: string; namespace?: string; params?: string; enabled?: boolean }
  | { kind: 'dropIdp'; name: string; cascade: boolean }
  | { kind: 'roleGrant'; action: GrantAction; roles: string[]; grantees: Grantee[]; adminOptionOnly: boolean }
  | { kind: 'systemPrivilege'; action: GrantAction; privileges: string[]; roles: string[] }
  | { kind: 'schemaPrivilege'; action: GrantAction; privileges: string[]; schemas: string[]; grantees: Grantee[]; grantOptionOnly: boolean; scope?: 'TABLES' | 'FUNCTIONS' }
  | {
      kind: 'tablePrivilege';
      action: GrantAction;
      privileges: string[];
      tables?: QName[];
      allTablesInSchemas?: string[];
      grantees: Grantee[];
      grantOptionOnly: boolean;
    }
  | {
      kind: 'columnPrivilege';
      action: GrantAction;
      /** Each privilege (SELECT or UPDATE) with its columns (lower case). */
      privileges: Array<{ privilege: string; columns: string[] }>;
      tables: QName[];
      grantees: Grantee[];
      grantOptionOnly: boolean;
    }
  | { kind: 'databasePrivilege'; action: GrantAction; privileges: string[]; databases: string[]; grantees: Grantee[]; grantOptionOnly: boolean }
  | {
      kind: 'functionPrivilege';
      action: GrantAction;
      routineKind: 'function' | 'procedure';
      /** Each with its argument types, lower case, `, `-separated. */
      routines: Array<QName & { args: string }>;
      /** `ON ALL FUNCTIONS | ALL PROCEDURES IN SCHEMA s[, ...]`: every routine of that kind in these schemas (routines is empty). */
      allInSchemas?: string[];
      grantees: Grantee[];
      grantOptionOnly: boolean;
    }
  | {
      kind: 'defaultPrivilege';
      action: GrantAction;
      forUsers: string[];
      schemas: string[];
      /** ON TABLES unless FUNCTIONS or PROCEDURES. */
      objects?: 'FUNCTIONS' | 'PROCEDURES';
      privileges: string[];
      grantees: Grantee[];
      grantOptionOnly: boolean;
    }
  | { kind: 'createSchema'; name: string; ifNotExists: boolean; authorization?: string }
  | { kind: 'dropSchema'; names: string[]; ifExists: boolean; cascade: boolean }
  | { kind: 'createTable'; name: QName; ifNotExists: boolean; columns?: string[] }
  | { kind: 'dropTable'; names: QName[]; ifExists: boolean; cascade: boolean }
  | { kind: 'selectCurrentUser' }
  | (SelectPart & {
      kind: 'select';
      /** Further SELECTs whose rows are appended (`UNION ALL`), by position. */
      unionAll?: SelectPart[];
      orderBy: Array<{ column: string; desc: boolean }>;
    });

export { SCHEMA_PRIVILEGES, SYSTEM_PRIVILEGES, TABLE_PRIVILEGES };

class Parser {
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  error(t: Token = this.peek()): SqlError {
    return t.kind === 'eof' ? new SqlError('syntax error at end of input', t.pos) : new SqlError(`syntax error at or near "${t.raw}"`, t.pos);
  }

  isWord(kw: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'word' && t.value.toUpperCase() === kw;
  }

  accept(kw: string): boolean {
    if (!this.isWord(kw)) return false;
    this.i++;
    return true;
  }

  expect(kw: string): void {
    if (!this.accept(kw)) throw this.error();
  }

  acceptPunct(p: string): boolean {
    const t = this.peek();
    if (t.kind === 'punct' && t.value === p) {
      this.i++;
      return true;
    }
    return false;
  }

  expectPunct(p: string): void {
    if (!this.acceptPunct(p)) throw this.error();
  }

  /** An identifier, quoted or not, folded to lower case. */
  ident(): string {
    const t = this.peek();
    if (t.kind === 'word' || t.kind === 'qident') {
      this.i++;
      return t.value.toLowerCase();
    }
    throw this.error(t);
  }

  identList(): string[] {
    const out = [this.ident()];
    while (this.acceptPunct(',')) out.push(this.ident());
    return out;
  }

  string(): string {
    const t = this.peek();
    if (t.kind !== 'string') throw this.error(t);
    this.i++;
    return t.value;
  }

  integer(): number {
    const t = this.peek();
    if (t.kind !== 'number') throw this.error(t);
    this.i++;
    return Number(t.value);
  }

  qname(): QName {
    const first = this.ident();
    if (this.acceptPunct('.')) return { schema: first, name: this.ident() };
    return { name: first };
  }

  /** End of statement: optional `;` then nothing. */
  end(): void {
    this.acceptPunct(';');
    const t = this.peek();
    if (t.kind === 'eof') return;
    if (this.tokens.slice(this.i).some((x) => x.kind !== 'eof')) {
      // A second statement after `;` (the Data API runs one statement per ExecuteStatement / Sqls entry).
      if (this.tokens[this.i - 1]?.value === ';') throw new SqlError('cannot insert multiple commands into a prepared statement', t.pos);
    }
    throw this.error(t);
  }

  // --- statements --------------------------------------------------------------------------

  statement(): Statement {
    const t = this.peek();
    if (t.kind !== 'word') throw this.error(t);
    const kw = t.value.toUpperCase();
    let st: Statement;
    switch (kw) {
      case 'CREATE':
        this.next();
        st = this.create();
        break;
      case 'ALTER':
        this.next();
        st = this.alter();
        break;
      case 'DROP':
        this.next();
        st = this.drop();
        break;
      case 'GRANT':
        this.next();
        st = this.grantOrRevoke('grant');
        break;
      case 'REVOKE':
        this.next();
        st = this.grantOrRevoke('revoke');
        break;
      case 'SELECT':
        this.next();
        st = this.select();
        break;
      case 'BEGIN':
      case 'START':
      case 'COMMIT':
      case 'END':
      case 'ROLLBACK':
        throw new SqlError(`${kw} is not supported by the Charter sandbox: a BatchExecuteStatement call is the transaction`, t.pos);
      default:
        throw this.error(t);
    }
    this.end();
    return st;
  }

  create(): Statement {
    if (this.accept('ROLE')) {
      const name = this.ident();
      const st: Statement = { kind: 'createRole', name };
      if (this.accept('EXTERNALID')) st.externalId = this.externalId();
      return st;
    }
    if (this.accept('USER')) {
      const name = this.ident();
      const options = this.userOptions(true);
      if (options.password === undefined) throw this.error();
      return { kind: 'createUser', name, options };
    }
    if (this.accept('IDENTITY')) {
      this.expect('PROVIDER');
      const name = this.ident();
      this.expect('TYPE');
      const type = this.ident();
      this.expect('NAMESPACE');
      const namespace = this.string();
      let params: string | undefined;
      let enabled = true;
      for (;;) {
        if (params === undefined && this.accept('PARAMETERS')) params = this.string();
        else if (this.accept('DISABLE')) enabled = false;
        else if (this.accept('ENABLE')) enabled = true;
        else if (this.isWord('APPLICATION_ARN') || this.isWord('IAM_ROLE') || this.isWord('AUTO_CREATE_ROLES')) {
          throw new SqlError(`${this.peek().value.toUpperCase()} is not supported by the Charter sandbox (azure providers only)`, this.peek().pos);
        } else break;
      }
      return { kind: 'createIdp', name, type, namespace, ...(params !== undefined ? { params } : {}), enabled };
    }
    if (this.accept('SCHEMA')) {
      const ifNotExists = this.ifNotExists();
      const name = this.ident();
      const st: Statement = { kind: 'createSchema', name, ifNotExists };
      if (this.accept('AUTHORIZATION')) st.authorization = this.ident();
      return st;
    }
    if (this.accept('TABLE')) {
      const ifNotExists = this.ifNotExists();
      const name = this.qname();
      const columns = this.columnDefinitions();
      return { kind: 'createTable', name, ifNotExists, ...(columns.length ? { columns } : {}) };
    }
    throw this.error();
  }

  ifNotExists(): boolean {
    if (this.isWord('IF') && this.isWord('NOT', 1) && this.isWord('EXISTS', 2)) {
      this.i += 3;
      return true;
    }
    return false;
  }

  ifExists(): boolean {
    if (this.isWord('IF') && this.isWord('EXISTS', 1)) {
      this.i += 2;
      return true;
    }
    return false;
  }

  /**
   * The column list of CREATE TABLE: the name of each top-level element that is a column (not a table
   * constraint); types and attributes are skipped (balanced parentheses).
   */
  columnDefinitions(): string[] {
    this.expectPunct('(');
    const columns: string[] = [];
    const CONSTRAINTS = ['PRIMARY', 'UNIQUE', 'FOREIGN', 'CONSTRAINT', 'CHECK', 'LIKE', 'DISTKEY', 'SORTKEY'];
    for (;;) {
      const first = this.peek();
      if (first.kind === 'word' && !CONSTRAINTS.includes(first.value.toUpperCase())) columns.push(this.ident());
      else if (first.kind === 'qident') columns.push(this.ident());
      let depth = 0;
      for (;;) {
        const t = this.peek();
        if (t.kind === 'eof') throw this.error(t);
        if (t.kind === 'punct' && depth === 0 && (t.value === ',' || t.value === ')')) break;
        this.next();
        if (t.kind === 'punct' && t.value === '(') depth++;
        if (t.kind === 'punct' && t.value === ')') depth--;
      }
      if (this.acceptPunct(')')) return columns;
      this.expectPunct(',');
    }
  }

  /** The column list of CREATE TABLE: balanced parentheses, content ignored. */
  skipParenthesized(): void {
    this.expectPunct('(');
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.kind === 'eof') throw this.error(t);
      if (t.kind === 'punct' && t.value === '(') depth++;
      if (t.kind === 'punct' && t.value === ')') depth--;
    }
  }

  externalId(): string {
    const t = this.peek();
    if (t.kind === 'string' || t.kind === 'qident') {
      this.i++;
      return t.value;
    }
    if (t.kind === 'word' || t.kind === 'number') {
      this.i++;
      return t.kind === 'word' ? t.value.toLowerCase() : t.value;
    }
    throw this.error(t);
  }

  userOptions(create: boolean): UserOptions {
    const o: UserOptions = {};
    this.accept('WITH');
    let any = false;
    for (;;) {
      if (this.accept('PASSWORD')) {
        if (this.accept('DISABLE')) o.password = { disabled: true };
        else o.password = { value: this.string() };
        if (this.accept('VALID')) {
          this.expect('UNTIL');
          o.validUntil = this.string();
        }
      } else if (this.accept('CREATEDB')) o.createdb = true;
      else if (this.accept('NOCREATEDB')) o.createdb = false;
      else if (this.accept('CREATEUSER')) o.superuser = true;
      else if (this.accept('NOCREATEUSER')) o.superuser = false;
      else if (this.accept('SYSLOG')) {
        this.expect('ACCESS');
        if (this.accept('RESTRICTED')) o.syslogAccess = 'RESTRICTED';
        else if (this.accept('UNRESTRICTED')) o.syslogAccess = 'UNRESTRICTED';
        else throw this.error();
      } else if (create && this.accept('VALID')) {
        // ALTER USER takes VALID UNTIL only after PASSWORD (above); CREATE USER also as an option of its own.
        this.expect('UNTIL');
        o.validUntil = this.string();
      } else if (this.accept('CONNECTION')) {
        this.expect('LIMIT');
        o.connectionLimit = this.accept('UNLIMITED') ? 'UNLIMITED' : this.integer();
      } else if (this.accept('SESSION')) {
        this.expect('TIMEOUT');
        o.sessionTimeout = this.integer();
      } else if (!create && this.isWord('RESET') && this.isWord('SESSION', 1)) {
        this.i += 2;
        this.expect('TIMEOUT');
        o.sessionTimeout = null;
      } else if (this.accept('EXTERNALID')) o.externalId = this.externalId();
      else if (!create && this.accept('RENAME')) {
        this.expect('TO');
        o.rename = this.ident();
      } else if (create && this.isWord('IN') && this.isWord('GROUP', 1)) {
        throw new SqlError('user groups are not supported by the Charter sandbox (use roles)', this.peek().pos);
      } else break;
      any = true;
      this.acceptPunct(',');
    }
    if (!any) throw this.error();
    return o;
  }

  alter(): Statement {
    if (this.accept('ROLE')) {
      const name = this.ident();
      this.accept('WITH');
      const st: Extract<Statement, { kind: 'alterRole' }> = { kind: 'alterRole', name };
      let any = false;
      for (;;) {
        if (this.accept('RENAME')) {
          this.expect('TO');
          st.rename = this.ident();
        } else if (this.accept('OWNER')) {
          this.expect('TO');
          st.owner = this.ident();
        } else if (this.accept('EXTERNALID')) {
          this.expect('TO');
          st.externalId = this.externalId();
        } else break;
        any = true;
        this.acceptPunct(',');
      }
      if (!any) throw this.error();
      return st;
    }
    if (this.accept('USER')) {
      const name = this.ident();
      return { kind: 'alterUser', name, options: this.userOptions(false) };
    }
    if (this.accept('IDENTITY')) {
      this.expect('PROVIDER');
      const name = this.ident();
      const st: Extract<Statement, { kind: 'alterIdp' }> = { kind: 'alterIdp', name };
      let any = false;
      for (;;) {
        if (st.params === undefined && this.accept('PARAMETERS')) st.params = this.string();
        else if (st.namespace === undefined && this.accept('NAMESPACE')) st.namespace = this.string();
        else if (st.enabled === undefined && this.accept('DISABLE')) st.enabled = false;
        else if (st.enabled === undefined && this.accept('ENABLE')) st.enabled = true;
        else if (this.isWord('IAM_ROLE') || this.isWord('AUTO_CREATE_ROLES')) {
          throw new SqlError(`${this.peek().value.toUpperCase()} is not supported by the Charter sandbox (azure providers only)`, this.peek().pos);
        } else break;
        any = true;
      }
      if (!any) throw this.error();
      return st;
    }
    if (this.accept('DEFAULT')) {
      this.expect('PRIVILEGES');
      return this.alterDefaultPrivileges();
    }
    throw this.error();
  }

  alterDefaultPrivileges(): Statement {
    let forUsers: string[] = [];
    let schemas: string[] = [];
    if (this.accept('FOR')) {
      this.expect('USER');
      forUsers = this.identList();
    }
    if (this.accept('IN')) {
      this.expect('SCHEMA');
      schemas = this.identList();
    }
    let action: GrantAction;
    if (this.accept('GRANT')) action = 'grant';
    else if (this.accept('REVOKE')) action = 'revoke';
    else throw this.error();
    const grantOptionOnly = action === 'revoke' && this.grantOptionFor('GRANT');
    const items = this.privilegeItems();
    this.expect('ON');
    let objects: 'FUNCTIONS' | 'PROCEDURES' | undefined;
    let privileges: string[];
    if (this.accept('TABLES')) privileges = this.checkObjectPrivileges(items, TABLE_PRIVILEGES, 'table');
    else if (this.isWord('FUNCTIONS') || this.isWord('PROCEDURES')) {
      objects = this.next().value.toUpperCase() as 'FUNCTIONS' | 'PROCEDURES';
      privileges = this.checkObjectPrivileges(items, ['EXECUTE'], objects === 'FUNCTIONS' ? 'function' : 'procedure');
    } else throw this.error();
    this.expect(action === 'grant' ? 'TO' : 'FROM');
    const grantees = this.grantees(action === 'grant' ? 'GRANT' : null);
    if (action === 'revoke') this.accept('RESTRICT');
    return { kind: 'defaultPrivilege', action, forUsers, schemas, ...(objects ? { objects } : {}), privileges, grantees, grantOptionOnly };
  }

  drop(): Statement {
    if (this.accept('ROLE')) {
      const name = this.ident();
      let mode: 'force' | 'restrict' = 'restrict';
      if (this.accept('FORCE')) mode = 'force';
      else this.accept('RESTRICT');
      return { kind: 'dropRole', name, mode };
    }
    if (this.accept('USER')) {
      const ifExists = this.ifExists();
      return { kind: 'dropUser', names: this.identList(), ifExists };
    }
    if (this.accept('IDENTITY')) {
      this.expect('PROVIDER');
      const name = this.ident();
      return { kind: 'dropIdp', name, cascade: this.accept('CASCADE') };
    }
    if (this.accept('SCHEMA')) {
      const ifExists = this.ifExists();
      const names = this.identList();
      const cascade = this.accept('CASCADE');
      if (!cascade) this.accept('RESTRICT');
      return { kind: 'dropSchema', names, ifExists, cascade };
    }
    if (this.accept('TABLE')) {
      const ifExists = this.ifExists();
      const names = [this.qname()];
      while (this.acceptPunct(',')) names.push(this.qname());
      const cascade = this.accept('CASCADE');
      if (!cascade) this.accept('RESTRICT');
      return { kind: 'dropTable', names, ifExists, cascade };
    }
    throw this.error();
  }

  /** `GRANT OPTION FOR` / `ADMIN OPTION FOR` at the start of a REVOKE. */
  grantOptionFor(word: 'GRANT' | 'ADMIN'): boolean {
    if (this.isWord(word) && this.isWord('OPTION', 1) && this.isWord('FOR', 2)) {
      this.i += 3;
      return true;
    }
    return false;
  }

  /** Privilege items: words up to ',' / ON / TO / FROM. */
  privilegeItems(): Array<{ words: string[]; token: Token; columns?: string[] }> {
    const items: Array<{ words: string[]; token: Token; columns?: string[] }> = [];
    for (;;) {
      const token = this.peek();
      const words: string[] = [];
      while (this.peek().kind === 'word' && !this.isWord('ON') && !this.isWord('TO') && !this.isWord('FROM') && !this.isWord('FOR')) {
        words.push(this.next().value.toUpperCase());
      }
      if (words.length === 0) throw this.error();
      // Column privileges: SELECT (a, b)
      if (this.acceptPunct('(')) {
        const columns = this.identList();
        this.expectPunct(')');
        items.push({ words, token, columns });
      } else {
        items.push({ words, token });
      }
      if (!this.acceptPunct(',')) break;
    }
    return items;
  }

  objectPrivileges(allowed: readonly string[], what: string): string[] {
    const items = this.privilegeItems();
    return this.checkObjectPrivileges(items, allowed, what);
  }

  checkObjectPrivileges(items: Array<{ words: string[]; token: Token }>, allowed: readonly string[], what: string, all: readonly string[] = allowed): string[] {
    const out: string[] = [];
    for (const { words, token } of items) {
      const text = words.join(' ');
      if (text === 'ALL' || text === 'ALL PRIVILEGES') {
        if (items.length > 1) throw new SqlError(`syntax error at or near "${token.raw}"`, token.pos);
        return [...all];
      }
      if (words.length !== 1) throw new SqlError(`syntax error at or near "${words[1]}"`, token.pos);
      if (!allowed.includes(text)) throw new SqlError(`invalid privilege type ${text} for ${what}`, token.pos);
      if (!out.includes(text)) out.push(text);
    }
    return out;
  }

  /** Grantee list: `ROLE r`, `PUBLIC`, or a user name, each with an optional WITH <opt> OPTION. */
  grantees(option: 'GRANT' | 'ADMIN' | null, rolesOnly = false): Grantee[] {
    const out: Grantee[] = [];
    do {
      let g: Grantee;
      if (this.accept('ROLE')) g = { type: 'role', name: this.ident(), withOption: false };
      else if (this.isWord('GROUP')) throw new SqlError('user groups are not supported by the Charter sandbox (use roles)', this.peek().pos);
      else if (this.accept('PUBLIC')) g = { type: 'public', name: 'public', withOption: false };
      else {
        if (rolesOnly) throw this.error();
        g = { type: 'user', name: this.ident(), withOption: false };
      }
      if (option && this.isWord('WITH') && this.isWord(option, 1) && this.isWord('OPTION', 2)) {
        this.i += 3;
        g.withOption = true;
      }
      out.push(g);
    } while (this.acceptPunct(','));
    return out;
  }

  grantOrRevoke(action: GrantAction): Statement {
    // Role grants: GRANT ROLE r[, ...] TO ... / REVOKE [ADMIN OPTION FOR] ROLE r[, ...] FROM ...
    const adminOptionOnly = action === 'revoke' && this.grantOptionFor('ADMIN');
    if (this.accept('ROLE')) {
      const roles = this.identList();
      this.expect(action === 'grant' ? 'TO' : 'FROM');
      const grantees = this.grantees(action === 'grant' ? 'ADMIN' : null);
      if (grantees.some((g) => g.type === 'public')) throw new SqlError('roles cannot be granted to PUBLIC', this.peek().pos);
      return { kind: 'roleGrant', action, roles, grantees, adminOptionOnly };
    }
    if (adminOptionOnly) throw this.error();
    const grantOptionOnly = action === 'revoke' && this.grantOptionFor('GRANT');
    const items = this.privilegeItems();
    if (items.some((item) => item.columns)) return this.columnPrivilege(action, items, grantOptionOnly);
    // Scoped permissions: GRANT privileges FOR {TABLES | FUNCTIONS} IN SCHEMA s [, ...] TO ...
    if (this.accept('FOR')) {
      const scope = this.accept('TABLES') ? 'TABLES' : (this.expect('FUNCTIONS'), 'FUNCTIONS');
      this.expect('IN');
      this.expect('SCHEMA');
      const privileges = this.checkObjectPrivileges(items, scope === 'TABLES' ? TABLE_PRIVILEGES : ['EXECUTE'], scope === 'TABLES' ? 'tables' : 'functions');
      const schemas = this.identList();
      this.expect(action === 'grant' ? 'TO' : 'FROM');
      const grantees = this.grantees(action === 'grant' ? 'GRANT' : null);
      return { kind: 'schemaPrivilege', action, privileges, schemas, grantees, grantOptionOnly, scope };
    }
    if (this.accept('ON')) {
      if ((this.isWord('FUNCTION') || this.isWord('PROCEDURE')) && this.peek(1).kind !== 'eof') return this.functionPrivilege(action, items, grantOptionOnly);
      if (this.isWord('ALL') && (this.isWord('FUNCTIONS', 1) || this.isWord('PROCEDURES', 1))) return this.functionPrivilege(action, items, grantOptionOnly);
      if (this.accept('DATABASE')) {
        // TEMPORARY is TEMP; ALL is CREATE and TEMP; USAGE is for databases created from datashares.
        const privileges = this.checkObjectPrivileges(
          items.map((i) => ({ ...i, words: i.words.map((w) => (w === 'TEMPORARY' ? 'TEMP' : w)) })),
          ['CREATE', 'TEMP', 'USAGE'],
          'database',
          ['CREATE', 'TEMP'],
        );
        const databases = this.identList();
        this.expect(action === 'grant' ? 'TO' : 'FROM');
        const grantees = this.grantees(action === 'grant' ? 'GRANT' : null);
        if (action === 'revoke') this.accept('RESTRICT');
        return { kind: 'databasePrivilege', action, privileges, databases, grantees, grantOptionOnly };
      }
      for (const kw of ['DATABASE', 'FUNCTION', 'FUNCTIONS', 'PROCEDURE', 'PROCEDURES', 'LANGUAGE', 'DATASHARE', 'MODEL', 'COPY', 'TEMPLATE', 'EXTERNAL']) {
        if (this.isWord(kw)) throw new SqlError(`${action.toUpperCase()} ON ${kw} is not supported by the Charter sandbox`, this.peek().pos);
      }
      if (this.accept('SCHEMA')) {
        const privileges = this.checkObjectPrivileges(items, SCHEMA_PRIVILEGES, 'schema', ['CREATE', 'USAGE']);
        const schemas = this.identList();
        this.expect(action === 'grant' ? 'TO' : 'FROM');
        const grantees = this.grantees(action === 'grant' ? 'GRANT' : null);
        if (action === 'revoke') this.accept('RESTRICT');
        return { kind: 'schemaPrivilege', action, privileges, schemas, grantees, grantOptionOnly };
      }
      const privileges = this.checkObjectPrivileges(items, TABLE_PRIVILEGES, 'relation');
      let tables: QName[] | undefined;
      let allTablesInSchemas: string[] | undefined;
      if (this.isWord('ALL') && this.isWord('TABLES', 1)) {
        this.i += 2;
        this.expect('IN');
        this.expect('SCHEMA');
        allTablesInSchemas = this.identList();
      } else {
        if (this.isWord('ALL')) throw this.error(this.peek(1));
        this.accept('TABLE');
        tables = [this.qname()];
        while (this.acceptPunct(',')) tables.push(this.qname());
      }
      this.expect(action === 'grant' ? 'TO' : 'FROM');
      const grantees = this.grantees(action === 'grant' ? 'GRANT' : null);
      if (action === 'revoke') this.accept('RESTRICT');
      return {
        kind: 'tablePrivilege',
        action,
        privileges,
        ...(tables ? { tables } : {}),
        ...(allTablesInSchemas ? { allTablesInSchemas } : {}),
        grantees,
        grantOptionOnly,
      };
    }
    // System privileges: GRANT priv[, ...] | ALL [PRIVILEGES] TO ROLE r[, ...]
    if (grantOptionOnly) throw this.error();
    const privileges: string[] = [];
    for (const { words, token } of items) {
      const text = words.join(' ');
      if (text === 'ALL' || text === 'ALL PRIVILEGES') {
        if (items.length > 1) throw new SqlError(`syntax error at or near "${token.raw}"`, token.pos);
        privileges.push(...SYSTEM_PRIVILEGES);
        break;
      }
      if (!SYSTEM_PRIVILEGES.includes(text)) {
        // Mirror the parser: an unknown privilege is a syntax error at its first unexpected word.
        throw new SqlError(`syntax error at or near "${token.raw}"`, token.pos);
      }
      if (!privileges.includes(text)) privileges.push(text);
    }
    const kwTok = this.peek();
    this.expect(action === 'grant' ? 'TO' : 'FROM');
    const grantees = this.grantees(null);
    if (grantees.some((g) => g.type !== 'role')) {
      throw new SqlError('system permissions can only be granted to or revoked from roles (use ROLE <name>)', kwTok.pos);
    }
    return { kind: 'systemPrivilege', action, privileges, roles: grantees.map((g) => g.name) };
  }

  /** `GRANT EXECUTE ON {FUNCTION | PROCEDURE} f(type [, ...]) [, ...] TO ...` (after ON). */
  functionPrivilege(action: GrantAction, items: Array<{ words: string[]; token: Token }>, grantOptionOnly: boolean): Statement {
    for (const { words, token } of items) {
      const text = words.join(' ');
      if (text !== 'EXECUTE' && text !== 'ALL' && text !== 'ALL PRIVILEGES') throw new SqlError(`invalid privilege type ${text} for function`, token.pos);
    }
    if (this.accept('ALL')) {
      // GRANT EXECUTE ON ALL FUNCTIONS | ALL PROCEDURES IN SCHEMA s[, ...]
      const routineKind = this.accept('FUNCTIONS') ? 'function' : (this.expect('PROCEDURES'), 'procedure');
      this.expect('IN');
      this.expect('SCHEMA');
      const allInSchemas = this.identList();
      this.expect(action === 'grant' ? 'TO' : 'FROM');
      const grantees = this.grantees(action === 'grant' ? 'GRANT' : null);
      if (action === 'revoke') this.accept('RESTRICT');
      return { kind: 'functionPrivilege', action, routineKind, routines: [], allInSchemas, grantees, grantOptionOnly };
    }
    let routineKind: 'function' | 'procedure' = 'function';
    if (!this.accept('FUNCTION')) {
      this.expect('PROCEDURE');
      routineKind = 'procedure';
    }
    const routines: Array<QName & { args: string }> = [];
    do {
      const name = this.qname();
      this.expectPunct('(');
      const types: string[] = [];
      if (!this.acceptPunct(')')) {
        for (;;) {
          const words: string[] = [];
          while (this.peek().kind === 'word') words.push(this.next().value.toLowerCase());
          if (!words.length) throw this.error();
          types.push(words.join(' '));
          if (this.acceptPunct(')')) break;
          this.expectPunct(',');
        }
      }
      routines.push({ ...name, args: types.join(', ') });
    } while (this.acceptPunct(','));
    this.expect(action === 'grant' ? 'TO' : 'FROM');
    const grantees = this.grantees(action === 'grant' ? 'GRANT' : null);
    if (action === 'revoke') this.accept('RESTRICT');
    return { kind: 'functionPrivilege', action, routineKind, routines, grantees, grantOptionOnly };
  }

  /** `GRANT SELECT (a, b), UPDATE (c) ON [TABLE] t[, ...] TO ...`: Redshift takes SELECT and UPDATE (or ALL) on columns. */
  columnPrivilege(action: GrantAction, items: Array<{ words: string[]; token: Token; columns?: string[] }>, grantOptionOnly: boolean): Statement {
    const privileges: Array<{ privilege: string; columns: string[] }> = [];
    for (const { words, token, columns } of items) {
      if (!columns) throw new SqlError(`syntax error at or near "${token.raw}"`, token.pos);
      const text = words.join(' ');
      const list = text === 'ALL' || text === 'ALL PRIVILEGES' ? ['SELECT', 'UPDATE'] : [text];
      for (const privilege of list) {
        if (privilege !== 'SELECT' && privilege !== 'UPDATE') throw new SqlError(`invalid privilege type ${privilege} for column`, token.pos);
        privileges.push({ privilege, columns });
      }
    }
    this.expect('ON');
    if (this.isWord('ALL') || this.isWord('SCHEMA')) throw this.error();
    this.accept('TABLE');
    const tables = [this.qname()];
    while (this.acceptPunct(',')) tables.push(this.qname());
    this.expect(action === 'grant' ? 'TO' : 'FROM');
    const grantees = this.grantees(action === 'grant' ? 'GRANT' : null);
    if (action === 'revoke') this.accept('RESTRICT');
    return { kind: 'columnPrivilege', action, privileges, tables, grantees, grantOptionOnly };
  }

  select(): Statement {
    if (this.isWord('CURRENT_USER') && this.peekEndsAfter(1)) {
      this.next();
      return { kind: 'selectCurrentUser' };
    }
    const first = this.selectPart();
    const unionAll: SelectPart[] = [];
    while (this.isWord('UNION') && this.isWord('ALL', 1)) {
      this.i += 2;
      this.expect('SELECT');
      unionAll.push(this.selectPart());
    }
    const orderBy: Array<{ column: string; desc: boolean }> = [];
    if (this.accept('ORDER')) {
      this.expect('BY');
      do {
        const column = this.ident();
        let desc = false;
        if (this.accept('DESC')) desc = true;
        else this.accept('ASC');
        orderBy.push({ column, desc });
      } while (this.acceptPunct(','));
    }
    return { kind: 'select', ...first, ...(unionAll.length ? { unionAll } : {}), orderBy };
  }

  /** `NULL[::type] AS name` or `'text' AS name`; undefined when the next item is a column. */
  selectConstant(): SelectConstant | undefined {
    let value: string | null;
    if (this.peek().kind === 'string') value = this.next().value;
    else if (this.accept('NULL')) value = null;
    else return undefined;
    if (this.peek().kind === 'punct' && this.peek().value === ':' && this.peek(1).kind === 'punct' && this.peek(1).value === ':') {
      this.i += 2;
      this.ident();
    }
    this.expect('AS');
    return { value, as: this.ident() };
  }

  selectPart(): SelectPart {
    let columns: Array<string | SelectAlias | SelectConstant> | '*';
    if (this.acceptPunct('*')) columns = '*';
    else {
      columns = [];
      do {
        const constant = this.selectConstant();
        if (constant) {
          columns.push(constant);
          continue;
        }
        const column = this.ident();
        columns.push(this.accept('AS') ? { column, as: this.ident() } : column);
      } while (this.acceptPunct(','));
    }
    this.expect('FROM');
    let view = this.ident();
    if (this.acceptPunct('.')) {
      if (view !== 'pg_catalog') throw new SqlError(`relation "${view}.${this.peek().value.toLowerCase()}" does not exist`, this.peek().pos);
      view = this.ident();
    }
    const where: Array<{ column: string; value: WhereValue }> = [];
    if (this.accept('WHERE')) {
      do {
        const column = this.ident();
        this.expectPunct('=');
        where.push({ column, value: this.whereValue() });
      } while (this.accept('AND'));
    }
    return { columns, view, where };
  }

  peekEndsAfter(n: number): boolean {
    const t = this.peek(n);
    return t.kind === 'eof' || (t.kind === 'punct' && t.value === ';');
  }

  whereValue(): WhereValue {
    const t = this.peek();
    if (t.kind === 'string') {
      this.i++;
      return { type: 'string', value: t.value };
    }
    if (t.kind === 'number') {
      this.i++;
      return { type: 'number', value: Number(t.value) };
    }
    if (this.accept('TRUE')) return { type: 'boolean', value: true };
    if (this.accept('FALSE')) return { type: 'boolean', value: false };
    if (this.accept('CURRENT_USER')) return { type: 'current_user' };
    throw this.error(t);
  }
}

/** Parse one statement (an optional trailing `;` is allowed). Throws SqlError. */
export function parseStatement(sql: string): Statement {
  const tokens = tokenize(sql);
  if (tokens.length === 1) throw new SqlError('syntax error at end of input', 0);
  return new Parser(tokens).statement();
}
