// The `sotp` command line: administrators' and analysts' entry point. Each command lives in
// commands/<area>.ts and is registered here; this file only turns errors into exit codes.
import { Command, CommanderError } from 'commander';
import { BadInput, CommandFailed, exitCodes } from './errors.js';
import { ConfigError } from '../config.js';
import { NotFound, ValidationFailed } from '../services/errors.js';

type Register = (program: Command) => void;

/**
 * Each area's commands, loaded only when called: `sotp score` need not load the web server, the
 * database drivers or the statistics engine, so a one-shot command starts in a fraction of the time.
 * Help and unknown commands load them all.
 */
const areas: Array<{ commands: string[]; load: () => Promise<Register> }> = [
  { commands: ['serve'], load: async () => (await import('./commands/server.js')).registerServerCommands },
  { commands: ['db'], load: async () => (await import('./commands/database.js')).registerDatabaseCommands },
  { commands: ['user', 'token'], load: async () => (await import('./commands/users.js')).registerUserCommands },
  { commands: ['staff'], load: async () => (await import('./commands/staff.js')).registerStaffCommands },
  { commands: ['files'], load: async () => (await import('./commands/files.js')).registerFileCommands },
  { commands: ['audit'], load: async () => (await import('./commands/audit.js')).registerAuditCommands },
  { commands: ['backup', 'restore'], load: async () => (await import('./commands/backup.js')).registerBackupCommands },
  { commands: ['score'], load: async () => (await import('./commands/score.js')).registerScoreCommands },
  { commands: ['eligibility'], load: async () => (await import('./commands/eligibility.js')).registerEligibilityCommands },
  { commands: ['plan'], load: async () => (await import('./commands/plan.js')).registerPlanCommands },
  { commands: ['qa'], load: async () => (await import('./commands/qa.js')).registerQaCommands },
  { commands: ['change'], load: async () => (await import('./commands/change.js')).registerChangeCommands },
  { commands: ['evaluate', 'cohort', 'monitor'], load: async () => (await import('./commands/evaluation.js')).registerEvaluationCommands },
];

export async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('sotp')
    .description('sotp runs the Core Sex Offender Treatment Programme from referral to outcome.')
    .exitOverride()
    .showHelpAfterError(false);
  const called = areas.filter((area) => area.commands.includes(argv[2]));
  for (const area of called.length ? called : areas) (await area.load())(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return exitCodes.done;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are not failures; unknown options and missing arguments are bad input.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        return exitCodes.done;
      }
      return exitCodes.badInput;
    }
    if (error instanceof BadInput || error instanceof ValidationFailed || error instanceof NotFound || error instanceof ConfigError) {
      process.stderr.write(`sotp: ${error.message}\n`);
      return exitCodes.badInput;
    }
    if (error instanceof CommandFailed) {
      process.stderr.write(`sotp: ${error.message}\n`);
      return exitCodes.failed;
    }
    process.stderr.write(`sotp: ${(error as Error).message ?? String(error)}\n`);
    return exitCodes.failed;
  }
}
