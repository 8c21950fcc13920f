// Backups of the whole database and their restore. Embedded (PGlite): a consistent dump of the data folder, taken
// under the folder's lock so nothing writes meanwhile. PostgreSQL: pg_dump's custom format, restored by pg_restore.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createDatabaseIn, type ConnectionSettings } from '../db/connection.js';
import { lockDataFolder, lockFileName } from '../db/data-folder-lock.js';

export class RestoreRefused extends Error {}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (error) => reject(new Error(`${command} could not be started (${error.message}): install the PostgreSQL client tools`)));
    // pg_dump's messages name tables and settings, not row values.
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`))));
  });
}

export async function backupDatabase(settings: ConnectionSettings, out: string): Promise<void> {
  if (settings.databaseUrl) return run(process.env.PG_DUMP ?? 'pg_dump', ['--format=custom', `--file=${out}`, `--dbname=${settings.databaseUrl}`]);
  if (!existsSync(join(settings.dataDir, 'PG_VERSION'))) throw new RestoreRefused(`DATA_DIR ${settings.dataDir} holds no sotp database to back up`);
  const release = lockDataFolder(settings.dataDir);
  try {
    const client = await PGlite.create(settings.dataDir);
    const dump = await client.dumpDataDir('gzip');
    await client.close();
    await writeFile(out, Buffer.from(await dump.arrayBuffer()));
  } finally {
    release();
  }
}

/** Restores a backup into an empty database: it never overwrites one, so a mistyped command cannot destroy data. */
export async function restoreDatabase(settings: ConnectionSettings, file: string): Promise<void> {
  if (!existsSync(file)) throw new RestoreRefused(`there is no backup file ${file}`);
  if (settings.databaseUrl) {
    return run(process.env.PG_RESTORE ?? 'pg_restore', ['--exit-on-error', '--single-transaction', '--no-owner', `--dbname=${settings.databaseUrl}`, file]);
  }
  mkdirSync(settings.dataDir, { recursive: true });
  if (readdirSync(settings.dataDir).length > 0) throw new RestoreRefused(`DATA_DIR ${settings.dataDir} is not empty: restore into an empty folder`);
  const release = lockDataFolder(settings.dataDir);
  try {
    if (readdirSync(settings.dataDir).some((name) => name !== lockFileName))
      throw new RestoreRefused(`DATA_DIR ${settings.dataDir} is not empty: restore into an empty folder`);
    await createDatabaseIn(settings.dataDir, new Blob([await readFile(file)]));
  } finally {
    release();
  }
}
