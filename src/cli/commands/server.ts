// `sotp serve`: migrate, optionally load demo data into an empty database, and serve the web app and API.
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openRuntime } from '../../runtime.js';
import { demoUsers } from '../../services/demo.js';
import { demoExtraFacilitators } from '../../services/demo-groups.js';
import { demoPipelineSignIns } from '../../services/demo-staff.js';
import { buildApp } from '../../web/app.js';

export function registerServerCommands(program: Command): void {
  program
    .command('serve')
    .description('serve the web app and API (PORT, HOST, DATA_DIR or DATABASE_URL)')
    .option('--seed-demo-if-empty', 'load demo sites and users when the database has no users (not in production)')
    .action(async (options: { seedDemoIfEmpty?: boolean }) => {
      const config = loadConfig();
      const context = await openRuntime(config);
      const { database, services } = context;
      const production = config.env === 'production';
      let seeded = false;
      if (options.seedDemoIfEmpty && !production && (await services.demo.isEmpty())) {
        await services.demo.seedDemo({ password: config.demoPassword, production, fileStoreDir: config.fileStoreDir });
        seeded = true;
      }
      const { app } = await buildApp(context);
      const address = await app.listen({ port: config.port, host: config.host });
      const url = config.port === 0 ? address : `http://localhost:${config.port}`;
      process.stdout.write(`sotp ${context.version} serving ${url} (database: ${database.kind})\n`);
      if (seeded || (options.seedDemoIfEmpty && !production)) {
        process.stdout.write(
          `Demo sign-ins (password: ${config.demoPassword === 'demo-password-change-me' ? 'demo-password-change-me' : 'the value of SOTP_DEMO_PASSWORD'}):\n`,
        );
        for (const user of demoUsers)
          process.stdout.write(`  ${user.username.padEnd(13)} ${user.role.replace('_', ' ')}${user.sites.length ? ` (${user.sites.join(', ')})` : ''}\n`);
        for (const user of demoExtraFacilitators) process.stdout.write(`  ${user.username.padEnd(13)} facilitator (${user.site})\n`);
        for (const user of demoPipelineSignIns) process.stdout.write(`  ${user.username.padEnd(13)} facilitator, accreditation suspended (${user.site})\n`);
      }
      // Expired sessions can never be used again; clearing them hourly keeps the table small.
      const purge = () =>
        services.authentication.purgeExpiredSessions(config.session).catch((error: Error) => app.log.warn({ err: error }, 'session purge failed'));
      const purgeTimer = setInterval(purge, 3_600_000).unref();
      await purge();
      // Harm-monitor looks fall due quarterly or yearly: checking hourly takes each on its day.
      const stopMonitor = services.harmMonitor.scheduler({
        pseudonymKey: config.pseudonymKey,
        everyMs: 3_600_000,
        onError: (programmeId, error) => app.log.warn({ err: error, programmeId }, 'harm-monitor look not taken'),
      });
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      clearInterval(purgeTimer);
      stopMonitor();
      await app.close();
      await database.close();
    });
}
