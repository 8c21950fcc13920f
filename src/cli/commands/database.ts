// `sotp db migrate`, `sotp db seed --demo` and `sotp db check`.
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openRuntime } from '../../runtime.js';
import { systemActor } from '../../services/access.js';
import { BadInput, CommandFailed } from '../errors.js';

export function registerDatabaseCommands(program: Command): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations (also done by serve)')
    .action(async () => {
      const { database } = await openRuntime();
      await database.close();
      process.stdout.write(`database migrated (${database.kind})\n`);
    });
  db.command('seed')
    .description('load data')
    .option('--demo', 'demo sites and users (refused when NODE_ENV=production)')
    .action(async (options: { demo?: boolean }) => {
      if (!options.demo) throw new BadInput('seed: say what to load: --demo');
      const config = loadConfig();
      const { database, services } = await openRuntime(config);
      try {
        const { created } = await services.demo.seedDemo({
          password: config.demoPassword,
          production: config.env === 'production',
          fileStoreDir: config.fileStoreDir,
        });
        process.stdout.write(created.length ? `created: ${created.join(', ')}\n` : 'demo data already present\n');
      } finally {
        await database.close();
      }
    });
  db.command('check')
    .description('find referrals whose status and group membership disagree (exit 1 listing them)')
    .action(async () => {
      const { database, services } = await openRuntime();
      try {
        const check = await services.groupMembership.checkReferralGroups(systemActor);
        if (check.disagreements.length > 0) {
          const lines = check.disagreements.map((d) => `  referral ${d.referralId}: ${d.problem}`);
          throw new CommandFailed(`${check.disagreements.length} referral(s) disagree with their group membership:\n${lines.join('\n')}`);
        }
        process.stdout.write(`consistent: ${check.referrals} referrals, ${check.currentMembers} current group members, status and membership agree\n`);
      } finally {
        await database.close();
      }
    });
}
