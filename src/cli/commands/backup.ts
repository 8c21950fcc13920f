// `sotp backup --out FILE` and `sotp restore --file FILE`: the whole database, embedded or PostgreSQL.
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { backupDatabase, restoreDatabase, RestoreRefused } from '../../services/backup.js';
import { BadInput } from '../errors.js';

function settings() {
  const config = loadConfig();
  return { databaseUrl: config.databaseUrl, dataDir: config.dataDir };
}

async function refusalsAsBadInput(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof RestoreRefused) throw new BadInput(error.message);
    throw error;
  }
}

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('write a backup of the whole database (embedded: stop the server first; PostgreSQL: pg_dump custom format)')
    .requiredOption('--out <file>', 'the backup file to write')
    .action(async (options: { out: string }) => {
      await refusalsAsBadInput(() => backupDatabase(settings(), options.out));
      process.stdout.write(`backup written: ${options.out}\n`);
    });
  program
    .command('restore')
    .description('restore a backup into an empty database (DATA_DIR an empty folder, or an empty PostgreSQL database)')
    .requiredOption('--file <file>', 'the backup file to restore')
    .action(async (options: { file: string }) => {
      await refusalsAsBadInput(() => restoreDatabase(settings(), options.file));
      process.stdout.write(`backup restored: ${options.file}\n`);
    });
}
