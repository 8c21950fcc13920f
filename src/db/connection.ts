// Opens the database: embedded PGlite in DATA_DIR by default, PostgreSQL when DATABASE_URL is set.
// Both speak the same SQL, so the rest of the code sees one Drizzle database either way.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema.js';
import { lockDataFolder, lockFileName } from './data-folder-lock.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or an open transaction: what a query needs to run. */
export type Executor = Db | Tx;

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  readonly kind: DatabaseKind;
  readonly db: Db;
  /** Runs a multi-statement SQL script in one transaction (migrations). */
  runScript(sql: string): Promise<void>;
  /**
   * Runs `work` while no other process runs exclusive work on this database: start-up's migrations and programme
   * versions, which two instances started at once on one PostgreSQL would otherwise both apply.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Any constant will do: it is the one lock that start-ups of every process on the database take.
const startUpLockKey = 963_852_741;

export function wrapPglite(client: PGlite): Database {
  return {
    kind: 'pglite',
    db: drizzlePglite(client, { schema }) as unknown as Db,
    async runScript(sql) {
      await client.transaction(async (tx) => {
        await tx.exec(sql);
      });
    },
    // The folder lock already makes this process the only one on the database.
    exclusive: (work) => work(),
    close: () => client.close(),
  };
}

export function wrapPostgres(pool: pg.Pool): Database {
  // An idle connection ended by the server (a restart, a failover, an administrator, a test dropping its database)
  // is dropped by the pool and the next query opens a new one; unheard, the pool's error event would stop the process.
  pool.on('error', () => {});
  return {
    kind: 'postgres',
    db: drizzlePg(pool, { schema }) as unknown as Db,
    async runScript(sql) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    async exclusive(work) {
      // A session lock, held across the work's own transactions on other connections of the pool.
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('SELECT pg_advisory_lock($1)', [startUpLockKey]);
        return await work();
      } finally {
        // Unlocking fails only on a broken connection, whose lock has gone with it; the work's own error matters more.
        await client.query('SELECT pg_advisory_unlock($1)', [startUpLockKey]).catch((error: Error) => (broken = error));
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

export interface ConnectionSettings {
  databaseUrl?: string;
  dataDir: string;
}

export async function openDatabase(settings: ConnectionSettings): Promise<Database> {
  if (settings.databaseUrl) {
    const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: 10 });
    await pool.query('SELECT 1');
    return wrapPostgres(pool);
  }
  mkdirSync(settings.dataDir, { recursive: true });
  const release = lockDataFolder(settings.dataDir);
  try {
    if (!existsSync(join(settings.dataDir, 'PG_VERSION'))) await createDatabaseIn(settings.dataDir);
    const database = wrapPglite(await PGlite.create(settings.dataDir));
    return {
      ...database,
      async close() {
        try {
          await database.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

export class DataFolderNotADatabase extends Error {
  constructor(readonly dataDir: string) {
    super(`DATA_DIR ${dataDir} is not empty and holds no sotp database: choose an empty folder or the folder of an existing sotp database`);
  }
}

const initialisingPrefix = '.initialising-';

/**
 * Creates a new database in a locked, empty folder — empty, or from a dump (`from`, a restore). PGlite only
 * initialises an empty folder, and ours already holds the lock file, so it is initialised in a subfolder and its
 * files moved up — all under the lock.
 * Anything else in the folder (a log, a .gitkeep) is refused: PGlite would stop with no reason given.
 */
export async function createDatabaseIn(dataDir: string, from?: Blob): Promise<void> {
  for (const name of readdirSync(dataDir)) {
    if (name.startsWith(initialisingPrefix)) rmSync(join(dataDir, name), { recursive: true, force: true }); // a crashed earlier attempt
  }
  if (readdirSync(dataDir).some((name) => name !== lockFileName)) throw new DataFolderNotADatabase(dataDir);
  const staging = join(dataDir, `${initialisingPrefix}${process.pid}`);
  const client = from ? await PGlite.create({ dataDir: staging, loadDataDir: from }) : await PGlite.create(staging);
  await client.close();
  for (const name of readdirSync(staging)) renameSync(join(staging, name), join(dataDir, name));
  rmSync(staging, { recursive: true });
}

/** Runs raw SQL and returns its rows: both drivers answer with `{ rows }`. */
export async function queryRows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
