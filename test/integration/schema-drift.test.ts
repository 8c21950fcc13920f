// The Drizzle schema (src/db/schema.ts) against the database the SQL migrations build, read from the catalogue:
// tables, columns, types, nullability, defaults and identity, primary keys, unique constraints, foreign keys
// (with their ON DELETE) and indexes (with uniqueness and key order). Runs on PGlite and on PostgreSQL in CI.
// Not compared: CHECK constraints and triggers (Drizzle does not need them), and an index's WHERE text — only
// whether it is partial, because PostgreSQL rewrites predicates (NOT IN becomes <> ALL (ARRAY[...])).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { is, sql, SQL } from 'drizzle-orm';
import { getTableConfig, IndexedColumn, PgDialect, PgTable, type PgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../../src/db/connection.js';
import { queryRows } from '../../src/db/connection.js';
import * as schema from '../../src/db/schema.js';
import { testDatabase } from '../support/database.js';

/** The migration runner's own bookkeeping table: not part of the application's schema. */
const runnerTables = new Set(['schema_migrations']);

const dialect = new PgDialect();
/** SQL text compared loosely: no quotes, table prefixes, casts, brackets, spaces or case. */
const loose = (text: string) =>
  text
    .replace(/"[a-z_0-9]+"\./g, '')
    .replace(/::[a-z ]+(\[\])?/g, '')
    .replace(/["()\s]/g, '')
    .toLowerCase();
const sqlText = (value: SQL) => dialect.sqlToQuery(value).sql;

interface Catalogue {
  /** `table.column` → `type, null|not null, default …, identity …` */
  columns: Map<string, string>;
  /** One line per primary key, unique constraint, foreign key and index. */
  constraints: Set<string>;
}

function drizzleDefault(column: PgColumn): string {
  if (column.generatedIdentity) return `identity ${column.generatedIdentity.type === 'always' ? 'always' : 'by default'}`;
  if (!column.hasDefault || column.default === undefined) return 'no default';
  const value = column.default;
  if (is(value, SQL)) return `default ${loose(sqlText(value))}`;
  return `default ${loose(typeof value === 'object' ? JSON.stringify(value) : String(value))}`;
}

function fromDrizzle(): Catalogue {
  const columns = new Map<string, string>();
  const constraints = new Set<string>();
  const tables: PgTable[] = Object.values(schema).filter((v) => is(v, PgTable));
  for (const table of tables) {
    const config = getTableConfig(table);
    const t = config.name;
    for (const c of config.columns) {
      columns.set(`${t}.${c.name}`, `${c.getSQLType()}, ${c.notNull ? 'not null' : 'null'}, ${drizzleDefault(c)}`);
      if (c.primary) constraints.add(`${t}: primary key (${c.name})`);
      if (c.isUnique) constraints.add(`${t}: unique (${c.name})`);
    }
    for (const pk of config.primaryKeys) constraints.add(`${t}: primary key (${pk.columns.map((c) => c.name).join(', ')})`);
    for (const u of config.uniqueConstraints) constraints.add(`${t}: unique (${u.columns.map((c) => c.name).join(', ')})`);
    for (const fk of config.foreignKeys) {
      const r = fk.reference();
      const target = `${getTableConfig(r.foreignTable).name}(${r.foreignColumns.map((c) => c.name).join(', ')})`;
      constraints.add(`${t}: foreign key (${r.columns.map((c) => c.name).join(', ')}) references ${target} on delete ${fk.onDelete ?? 'no action'}`);
    }
    for (const { config: i } of config.indexes) {
      const keys = i.columns
        .map((c) => (is(c, IndexedColumn) ? `${c.name}${c.indexConfig.order === 'desc' ? 'desc' : ''}` : loose(sqlText(c as SQL))))
        .join(',');
      constraints.add(`${t}: ${i.unique ? 'unique ' : ''}index ${i.name} on (${keys})${i.where ? ' partial' : ''}`);
    }
  }
  return { columns, constraints };
}

const onDelete: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

async function fromDatabase(database: Database): Promise<Catalogue> {
  const db = database.db;
  const columns = new Map<string, string>();
  const constraints = new Set<string>();
  const columnRows = await queryRows<{ table: string; column: string; type: string; not_null: boolean; default: string | null; identity: string }>(
    db,
    sql`SELECT c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS "type", a.attnotnull AS not_null,
               pg_get_expr(d.adbin, d.adrelid) AS "default", a.attidentity AS "identity"
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  for (const r of columnRows) {
    if (runnerTables.has(r.table)) continue;
    const fallback =
      r.identity === 'a'
        ? 'identity always'
        : r.identity === 'd'
          ? 'identity by default'
          : r.default === null
            ? 'no default'
            : `default ${loose(r.default.replace(/^'(.*)'(::[a-z ]+)$/, '$1'))}`;
    columns.set(`${r.table}.${r.column}`, `${r.type}, ${r.not_null ? 'not null' : 'null'}, ${fallback}`);
  }
  const keyRows = await queryRows<{ table: string; type: string; columns: string; foreign_table: string | null; foreign_columns: string; on_delete: string }>(
    db,
    sql`SELECT c.relname AS "table", k.contype AS "type",
               array_to_string(ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(num, ord) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num ORDER BY u.ord), ', ') AS "columns",
               f.relname AS foreign_table,
               array_to_string(ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(num, ord) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num ORDER BY u.ord), ', ') AS foreign_columns,
               k.confdeltype AS on_delete
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_class f ON f.oid = k.confrelid
        WHERE n.nspname = current_schema() AND k.contype IN ('p', 'u', 'f')`,
  );
  for (const k of keyRows) {
    if (runnerTables.has(k.table)) continue;
    if (k.type === 'p') constraints.add(`${k.table}: primary key (${k.columns})`);
    if (k.type === 'u') constraints.add(`${k.table}: unique (${k.columns})`);
    if (k.type === 'f')
      constraints.add(`${k.table}: foreign key (${k.columns}) references ${k.foreign_table}(${k.foreign_columns}) on delete ${onDelete[k.on_delete]}`);
  }
  // Indexes of their own, not those PostgreSQL makes for primary keys and unique constraints.
  const indexRows = await queryRows<{ table: string; name: string; unique: boolean; definition: string; partial: boolean }>(
    db,
    sql`SELECT t.relname AS "table", i.relname AS "name", x.indisunique AS "unique", pg_get_indexdef(x.indexrelid) AS "definition", x.indpred IS NOT NULL AS partial
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = current_schema()
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u'))`,
  );
  for (const i of indexRows) {
    if (runnerTables.has(i.table)) continue;
    const keys = /USING \w+ \((.*?)\)(?: WHERE .*)?$/.exec(i.definition)?.[1] ?? i.definition;
    const loosened = keys
      .split(/,\s*/)
      .map((k) => loose(k.replace(/ DESC$/, 'desc')))
      .join(',');
    constraints.add(`${i.table}: ${i.unique ? 'unique ' : ''}index ${i.name} on (${loosened})${i.partial ? ' partial' : ''}`);
  }
  return { columns, constraints };
}

/** What one side has that the other lacks or describes differently, one line each. */
function differences(database: Catalogue, drizzle: Catalogue): string[] {
  const lines: string[] = [];
  for (const [key, actual] of database.columns) {
    const declared = drizzle.columns.get(key);
    if (declared === undefined) lines.push(`column ${key} is in the database (${actual}) but not in schema.ts`);
    else if (declared !== actual) lines.push(`column ${key} is ${actual} in the database but ${declared} in schema.ts`);
  }
  for (const [key, declared] of drizzle.columns) {
    if (!database.columns.has(key)) lines.push(`column ${key} is in schema.ts (${declared}) but not in the database`);
  }
  for (const c of database.constraints) if (!drizzle.constraints.has(c)) lines.push(`database has ${c}; schema.ts does not`);
  for (const c of drizzle.constraints) if (!database.constraints.has(c)) lines.push(`schema.ts has ${c}; the database does not`);
  return lines.sort();
}

let database: Database;
before(async () => {
  database = await testDatabase();
});
after(() => database.close());

test('schema.ts describes exactly the database the migrations build: columns, types, nullability, defaults, keys, foreign keys and indexes', async () => {
  const drift = differences(await fromDatabase(database), fromDrizzle());
  if (drift.length) assert.fail(`schema.ts and the migrations disagree:\n${drift.join('\n')}`);
});

test('the schema check sees what it compares: every table, and constraints of every kind', async () => {
  const catalogue = await fromDatabase(database);
  const tables = new Set([...catalogue.columns.keys()].map((k) => k.split('.')[0]));
  assert.equal(tables.size, Object.values(schema).filter((v) => is(v, PgTable)).length);
  for (const kind of ['primary key', 'unique (', 'foreign key', ': index', 'unique index', 'partial']) {
    assert.ok(
      [...catalogue.constraints].some((c) => c.includes(kind)),
      `the catalogue lists a ${kind}`,
    );
  }
});
