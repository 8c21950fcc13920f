// Test databases, built once and cloned: PGlite from a cached dump of a migrated (and optionally
// demo-seeded) database, or PostgreSQL (TEST_DATABASE_URL) from a template database.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { wrapPglite, wrapPostgres, type Database } from '../../src/db/connection.js';
import { migrate, migrationsFingerprint } from '../../src/db/migrate.js';
import { loadProgrammeDefinitions } from '../../src/programme-files.js';
import { recordProgrammeVersions } from '../../src/services/programmes.js';
import { seedDemo } from '../../src/services/demo.js';
import { projectPath } from '../../src/paths.js';

export const demoPassword = 'demo-password-for-tests';

export interface TestDatabaseOptions {
  /** Load the demo sites and users (password: demoPassword). */
  demo?: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []))
    .sort();
}

function fingerprint(options: TestDatabaseOptions): string {
  const hash = createHash('sha256').update(migrationsFingerprint());
  for (const def of loadProgrammeDefinitions()) hash.update(JSON.stringify(def));
  // Demo seeding runs through the services and domain, so any change there rebuilds the cached database.
  for (const file of sourceFiles(projectPath('src'))) hash.update(readFileSync(file));
  hash.update(options.demo ? 'demo' : 'empty');
  // Demo data is laid out relative to the day it is seeded (groups start next Monday), so rebuild daily.
  if (options.demo) hash.update(new Date().toISOString().slice(0, 10));
  return hash.digest('hex').slice(0, 16);
}

async function prepare(database: Database, options: TestDatabaseOptions): Promise<void> {
  await migrate(database);
  await recordProgrammeVersions(database.db, loadProgrammeDefinitions());
  if (options.demo) await seedDemo(database.db, { password: demoPassword, production: false });
}

async function pgliteDump(options: TestDatabaseOptions): Promise<Blob> {
  const dir = join(tmpdir(), 'sotp-test-databases');
  const file = join(dir, `pglite-${fingerprint(options)}.tar.gz`);
  if (!existsSync(file)) {
    const client = await PGlite.create();
    await prepare(wrapPglite(client), options);
    const dump = await client.dumpDataDir('gzip');
    await client.close();
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file); // atomic: parallel test processes never read half a file
  }
  return new Blob([readFileSync(file)]);
}

/** A copy of the prepared PGlite database in a folder on disk (for CLI tests that open DATA_DIR). */
export async function pgliteDataDir(options: TestDatabaseOptions = {}): Promise<string> {
  const dir = join(tmpdir(), `sotp-test-${randomBytes(6).toString('hex')}`);
  const client = await PGlite.create({ dataDir: dir, loadDataDir: await pgliteDump(options) });
  await client.close();
  return dir;
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * A backend that has just disconnected from the template can still be exiting, and PostgreSQL then
 * refuses the copy ("source database is being accessed by other users", 55006): wait and try again.
 */
async function createFromTemplate(admin: pg.Client, name: string, template: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt === 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

async function postgresDatabase(baseUrl: string, options: TestDatabaseOptions): Promise<{ database: Database; url: string }> {
  const template = `sotp_template_${fingerprint(options)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    // Serialises test processes building the same template.
    await admin.query('SELECT pg_advisory_lock(424242)');
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (!rowCount) {
      await admin.query(`CREATE DATABASE ${template}`);
      const pool = new pg.Pool({ connectionString: withDatabaseName(baseUrl, template), max: 2 });
      await prepare(wrapPostgres(pool), options);
      await pool.end();
    }
    const name = `sotp_test_${randomBytes(6).toString('hex')}`;
    await createFromTemplate(admin, name, template);
    await admin.query('SELECT pg_advisory_unlock(424242)');
    const url = withDatabaseName(baseUrl, name);
    const database = wrapPostgres(new pg.Pool({ connectionString: url, max: 5 }));
    return {
      url,
      database: {
        ...database,
        async close() {
          await database.close();
          const dropper = new pg.Client({ connectionString: baseUrl });
          await dropper.connect();
          await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await dropper.end();
        },
      },
    };
  } finally {
    await admin.end();
  }
}

export const testDatabaseKind = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

/** A fresh database for one test file (or one test): migrated, programme versions recorded, demo data when asked. */
export async function testDatabase(options: TestDatabaseOptions = {}): Promise<Database> {
  const baseUrl = process.env.TEST_DATABASE_URL;
  if (baseUrl) return (await postgresDatabase(baseUrl, options)).database;
  return wrapPglite(await PGlite.create({ loadDataDir: await pgliteDump(options) }));
}

/** Settings for a CLI child process that should use its own copy of the test database. */
export async function cliDatabaseEnv(options: TestDatabaseOptions = {}): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  const baseUrl = process.env.TEST_DATABASE_URL;
  if (baseUrl) {
    const { database, url } = await postgresDatabase(baseUrl, options);
    // The pool is closed by cleanup; the child process opens its own connections.
    // Without DATA_DIR the file store would default to ./data/files in the working copy: it gets a folder of its own.
    const files = join(tmpdir(), `sotp-test-files-${randomBytes(8).toString('hex')}`);
    return { env: { DATABASE_URL: url, FILE_STORE_DIR: files }, cleanup: () => database.close() };
  }
  const dir = await pgliteDataDir(options);
  return { env: { DATA_DIR: dir, DATABASE_URL: '' }, cleanup: async () => {} };
}
