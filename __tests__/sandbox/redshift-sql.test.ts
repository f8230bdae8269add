import { describe, expect, it } from 'vitest';
import { SqlError } from '../../src/sandbox/redshift/errors.js';
import { tokenize } from '../../src/sandbox/redshift/lexer.js';
import { parseStatement } from '../../src/sandbox/redshift/parser.js';

function syntaxError(sql: string): string {
  try {
    parseStatement(sql);
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    return (e as SqlError).message;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('tokenizer', () => {
  it('unescapes quoted identifiers and string literals, skips comments', () => {
    const t = tokenize(`-- c\nCREATE /* x */ ROLE "a""b" 'it''s' 42;`);
    expect(t.map((x) => [x.kind, x.value])).toEqual([
      ['word', 'CREATE'],
      ['word', 'ROLE'],
      ['qident', 'a"b'],
      ['string', "it's"],
      ['number', '42'],
      ['punct', ';'],
      ['eof', ''],
    ]);
  });

  it('reads backslash escapes in string literals as Redshift does', () => {
    const t = tokenize(String.raw`'a\\b' 'it\'s' 'x\ny' '\"q\"'`);
    expect(t.filter((x) => x.kind === 'string').map((x) => x.value)).toEqual(['a\\b', "it's", 'x\ny', '"q"']);
    // A backslash before the closing quote escapes it: the literal goes on.
    expect(() => tokenize(String.raw`'abc\'`)).toThrow(/unterminated quoted string/);
  });

  it('rejects unterminated quotes and comments, and empty identifiers', () => {
    expect(() => tokenize('"abc')).toThrow(/unterminated quoted identifier/);
    expect(() => tokenize("'abc")).toThrow(/unterminated quoted string/);
    expect(() => tokenize('/* abc')).toThrow(/unterminated \/\* comment/);
    expect(() => tokenize('CREATE ROLE ""')).toThrow(/zero-length delimited identifier/);
    expect(() => tokenize('CREATE ROLE a # b')).toThrow(/syntax error at or near "#"/);
  });
});

describe('parser', () => {
  it('folds identifiers to lower case and keeps quotes inside names', () => {
    expect(parseStatement('create role "X""; DROP TABLE t; --"')).toEqual({ kind: 'createRole', name: 'x"; drop table t; --' });
    expect(parseStatement('CREATE ROLE MyRole EXTERNALID "AbC"')).toEqual({ kind: 'createRole', name: 'myrole', externalId: 'AbC' });
    expect(parseStatement('GRANT ROLE "A", b TO "U" WITH ADMIN OPTION, ROLE C')).toEqual({
      kind: 'roleGrant',
      action: 'grant',
      roles: ['a', 'b'],
      grantees: [
        { type: 'user', name: 'u', withOption: true },
        { type: 'role', name: 'c', withOption: false },
      ],
      adminOptionOnly: false,
    });
  });

  it('tells system privileges from object privileges', () => {
    expect(parseStatement('GRANT CREATE OR REPLACE EXTERNAL FUNCTION, truncate table TO ROLE r')).toEqual({
      kind: 'systemPrivilege',
      action: 'grant',
      privileges: ['CREATE OR REPLACE EXTERNAL FUNCTION', 'TRUNCATE TABLE'],
      roles: ['r'],
    });
    expect(parseStatement('GRANT TRUNCATE ON s.t TO ROLE r')).toMatchObject({ kind: 'tablePrivilege', privileges: ['TRUNCATE'], tables: [{ schema: 's', name: 't' }] });
    expect(parseStatement('GRANT ALL PRIVILEGES TO ROLE r')).toMatchObject({ kind: 'systemPrivilege', privileges: expect.arrayContaining(['ACCESS SYSTEM TABLE', 'VACUUM']) });
    expect(parseStatement('REVOKE GRANT OPTION FOR SELECT ON ALL TABLES IN SCHEMA a, b FROM u')).toMatchObject({
      kind: 'tablePrivilege',
      action: 'revoke',
      allTablesInSchemas: ['a', 'b'],
      grantOptionOnly: true,
    });
    expect(parseStatement('GRANT ALL ON SCHEMA s TO PUBLIC')).toMatchObject({ kind: 'schemaPrivilege', privileges: ['CREATE', 'USAGE'], grantees: [{ type: 'public' }] });
    expect(parseStatement('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA a, "B" TO ROLE r WITH GRANT OPTION')).toMatchObject({ kind: 'functionPrivilege', routineKind: 'function', routines: [], allInSchemas: ['a', 'b'] });
    expect(parseStatement('REVOKE EXECUTE ON ALL PROCEDURES IN SCHEMA s FROM PUBLIC')).toMatchObject({ kind: 'functionPrivilege', action: 'revoke', routineKind: 'procedure', allInSchemas: ['s'], grantees: [{ type: 'public' }] });
    // Redshift has no ALL ROUTINES (PostgreSQL does): it reads as a table privilege.
    expect(syntaxError('GRANT EXECUTE ON ALL ROUTINES IN SCHEMA s TO ROLE r')).toMatch(/invalid privilege type EXECUTE for relation/);
    expect(syntaxError('GRANT SELECT ON ALL FUNCTIONS IN SCHEMA s TO ROLE r')).toMatch(/invalid privilege type SELECT for function/);
  });

  it('parses the SELECT subset', () => {
    expect(parseStatement("select Role_Name, role_id from PG_CATALOG.SVV_ROLES where role_owner = 'o''k' and role_id = 5 order by role_name desc, role_id;")).toEqual({
      kind: 'select',
      columns: ['role_name', 'role_id'],
      view: 'svv_roles',
      where: [
        { column: 'role_owner', value: { type: 'string', value: "o'k" } },
        { column: 'role_id', value: { type: 'number', value: 5 } },
      ],
      orderBy: [
        { column: 'role_name', desc: true },
        { column: 'role_id', desc: false },
      ],
    });
    expect(parseStatement('SELECT CURRENT_USER')).toEqual({ kind: 'selectCurrentUser' });
  });

  it('fails like Redshift on anything else', () => {
    expect(syntaxError('CREATE ROLE')).toBe('syntax error at end of input');
    expect(syntaxError('CREATE ROLE r EXTRA')).toBe('syntax error at or near "EXTRA"');
    expect(syntaxError('GRANT FLY TO ROLE r')).toBe('syntax error at or near "FLY"');
    expect(syntaxError('GRANT SELECT ON SCHEMA s TO ROLE r')).toBe('invalid privilege type SELECT for schema');
    expect(syntaxError('GRANT SELECT, ALL ON t TO ROLE r')).toMatch(/syntax error/);
    expect(syntaxError('GRANT TRUNCATE TABLE TO u')).toMatch(/only be granted to or revoked from roles/);
    expect(syntaxError('GRANT ROLE r TO PUBLIC')).toMatch(/PUBLIC/);
    expect(syntaxError('GRANT USAGE ON SCHEMA s TO GROUP g')).toMatch(/groups are not supported/);
    // USAGE on a database is for databases created from datashares (the catalog checks which); never part of ALL.
    expect(parseStatement('GRANT USAGE ON DATABASE d TO ROLE r')).toMatchObject({ kind: 'databasePrivilege', privileges: ['USAGE'], databases: ['d'] });
    expect(parseStatement('GRANT ALL ON DATABASE d TO ROLE r')).toMatchObject({ kind: 'databasePrivilege', privileges: ['CREATE', 'TEMP'] });
    expect(syntaxError('GRANT USAGE ON DATASHARE d TO ROLE r')).toMatch(/not supported/);
    expect(syntaxError('REVOKE ROLE r FROM u WITH ADMIN OPTION')).toMatch(/syntax error at or near "WITH"/);
    expect(syntaxError('SELECT role_name FROM other.svv_roles')).toMatch(/relation "other.svv_roles" does not exist/);
    expect(syntaxError('SELECT 1')).toMatch(/syntax error at or near "1"/);
    expect(syntaxError('CREATE ROLE a; CREATE ROLE b')).toMatch(/multiple commands/);
    expect(syntaxError('')).toBe('syntax error at end of input');
    expect(syntaxError('ALTER IDENTITY PROVIDER p')).toBe('syntax error at end of input');
    expect(syntaxError("CREATE IDENTITY PROVIDER p TYPE azure PARAMETERS '{}'")).toBe('syntax error at or near "PARAMETERS"');
  });
});
