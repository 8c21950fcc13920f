// `sotp audit verify`: recomputes the audit log's hash chain; exit 0 when intact, 1 naming the first broken entry.
import type { Command } from 'commander';
import { openRuntime } from '../../runtime.js';
import { CommandFailed } from '../errors.js';

export function registerAuditCommands(program: Command): void {
  program
    .command('audit')
    .description('the tamper-evident audit log')
    .command('verify')
    .description('check every entry of the audit log against the hash chain')
    .action(async () => {
      const { database, services } = await openRuntime();
      try {
        const verdict = await services.audit.verifyAuditLog();
        if (!verdict.intact) throw new CommandFailed(`audit log broken at entry ${verdict.brokenAt}: ${verdict.reason}`);
        process.stdout.write(`audit log intact: ${verdict.entries} entries\n`);
      } finally {
        await database.close();
      }
    });
}
