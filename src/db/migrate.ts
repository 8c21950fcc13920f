// Applies the SQL files in migrations/ in name order, each once, each in its own transaction.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from './connection.js';
import { projectPath } from '../paths.js';

export const migrationsDir = projectPath('src', 'db', 'migrations');

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => {
      const text = readFileSync(`${dir}/${name}`, 'utf8');
      return { name, sql: text, checksum: createHash('sha256').update(text).digest('hex') };
    });
}

/** A fingerprint of all migrations: test databases built from an older set are rebuilt. */
export function migrationsFingerprint(migrations = readMigrations()): string {
  return createHash('sha256')
    .update(migrations.map((m) => `${m.name}:${m.checksum}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
}

export async function migrate(database: Database): Promise<string[]> {
  const { db } = database;
  await db.execute(sql`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const rows = await queryRows<{ name: string; checksum: string }>(db, sql`SELECT name, checksum FROM schema_migrations`);
  const applied = new Map(rows.map((r) => [r.name, r.checksum]));
  const done: string[] = [];
  for (const migration of readMigrations()) {
    const previous = applied.get(migration.name);
    if (previous !== undefined) {
      if (previous !== migration.checksum) {
        throw new Error(`migration ${migration.name} was changed after it was applied; add a new migration instead`);
      }
      continue;
    }
    const record = `INSERT INTO schema_migrations (name, checksum) VALUES ('${migration.name.replace(/'/g, "''")}', '${migration.checksum}');`;
    await database.runScript(`${migration.sql}\n${record}`);
    done.push(migration.name);
  }
  return done;
}
