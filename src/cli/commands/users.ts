// `sotp user add|disable` and `sotp token create`: account administration from the shell, acting as the system.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { openRuntime } from '../../runtime.js';
import { systemActor } from '../../services/access.js';
import type { Services } from '../../services/index.js';
import { BadInput } from '../errors.js';
import { readStdin } from '../io.js';

async function withServices<T>(work: (services: Services) => Promise<T>): Promise<T> {
  const { database, services } = await openRuntime();
  try {
    return await work(services);
  } finally {
    await database.close();
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('user accounts');
  user
    .command('add')
    .description('create a user; prints a generated password unless --password-stdin is given')
    .requiredOption('--username <name>', 'sign-in name')
    .requiredOption('--name <full name>', 'full name')
    .requiredOption('--role <role>', 'administrator | treatment_manager | assessor | facilitator | auditor | researcher')
    .option('--site <code>', 'a site code such as NGT (repeat for several)', collect)
    .option('--password-stdin', 'read the password from standard input')
    .action(async (options: { username: string; name: string; role: string; site?: string[]; passwordStdin?: boolean }) => {
      const password = options.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : randomBytes(12).toString('base64url');
      await withServices(async (services) => {
        const codes = new Map((await services.sites.listSites(systemActor)).map((s) => [s.code, s.id]));
        const siteIds = (options.site ?? []).map((code) => {
          const id = codes.get(code.toUpperCase());
          if (id === undefined) throw new BadInput(`--site: no site with code ${code}`);
          return id;
        });
        const created = await services.users.createUser(systemActor, {
          username: options.username,
          displayName: options.name,
          role: options.role,
          siteIds,
          password,
        });
        process.stdout.write(`created user ${created.username} (${created.role})\n`);
        if (!options.passwordStdin) process.stdout.write(`temporary password: ${password}\n`);
      });
    });
  user
    .command('disable')
    .description('disable a user: they can no longer sign in or use API tokens')
    .requiredOption('--username <name>', 'sign-in name')
    .action(async (options: { username: string }) => {
      await withServices(async (services) => {
        const id = await services.users.findUserId(systemActor, options.username);
        const current = await services.users.getUser(systemActor, id);
        await services.users.setUserDisabled(systemActor, id, true, { version: current.version });
        process.stdout.write(`disabled user ${current.username}\n`);
      });
    });

  program
    .command('token')
    .description('API tokens')
    .command('create')
    .description('create an API token for a user; it is shown once and stored hashed')
    .requiredOption('--user <name>', 'the user the token acts as')
    .option('--label <text>', 'what the token is for', 'command line')
    .action(async (options: { user: string; label: string }) => {
      await withServices(async (services) => {
        const id = await services.users.findUserId(systemActor, options.user);
        process.stdout.write(`${await services.authentication.createApiToken(systemActor, id, options.label)}\n`);
      });
    });
}
