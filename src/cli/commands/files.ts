// `sotp files purge [--dry-run]`: deletes the files of session recordings whose retention has ended (a number of
// days, RECORDING_RETENTION_DAYS, after their group's last session) unless an audit sampled them. Records stay,
// marked purged. What it prints and logs is ids, sizes and dates only, never a man's details.
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openRuntime } from '../../runtime.js';
import { systemActor } from '../../services/access.js';

export function registerFileCommands(program: Command): void {
  program
    .command('files')
    .description('the file store (FILE_STORE_DIR): session recordings')
    .command('purge')
    .description('delete recordings past retention (RECORDING_RETENTION_DAYS after their group ends) that no audit sampled; records stay')
    .option('--dry-run', 'list what would be deleted and delete nothing')
    .action(async (options: { dryRun?: boolean }) => {
      const config = loadConfig();
      const { database, services } = await openRuntime(config);
      try {
        const dryRun = options.dryRun === true;
        const purged = await services.recordings.purgeExpiredRecordings(systemActor, {
          fileStoreDir: config.fileStoreDir,
          retentionDays: config.recordings.retentionDays,
          dryRun,
        });
        const verb = dryRun ? 'would delete' : 'deleted';
        for (const r of purged) process.stdout.write(`${verb} recording ${r.id} (session ${r.sessionId}, ${r.bytes} bytes, kept until ${r.keptUntil})\n`);
        const bytes = purged.reduce((sum, r) => sum + r.bytes, 0);
        process.stdout.write(`${dryRun ? 'dry run: ' : ''}${purged.length} recording(s) ${verb}, ${bytes} bytes${dryRun ? '; nothing was deleted' : ''}\n`);
      } finally {
        await database.close();
      }
    });
}
