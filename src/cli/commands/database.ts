// `sotp db migrate` and `sotp db seed --demo`.
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openRuntime } from '../../runtime.js';
import { seedDemo } from '../../services/demo.js';
import { BadInput } from '../errors.js';

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
      const { database } = await openRuntime(config);
      try {
        const { created } = await seedDemo(database.db, { password: config.demoPassword, production: config.env === 'production' });
        process.stdout.write(created.length ? `created: ${created.join(', ')}\n` : 'demo data already present\n');
      } finally {
        await database.close();
      }
    });
}
