// The `sotp` command line: administrators' and analysts' entry point. Each command lives in
// commands/<area>.ts and is registered here; this file only turns errors into exit codes.
import { Command, CommanderError } from 'commander';
import { BadInput, CommandFailed, exitCodes } from './errors.js';
import { ConfigError } from '../config.js';
import { NotFound, ValidationFailed } from '../services/errors.js';
import { registerServerCommands } from './commands/server.js';
import { registerDatabaseCommands } from './commands/database.js';
import { registerUserCommands } from './commands/users.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerPlanCommands } from './commands/plan.js';
import { registerEligibilityCommands } from './commands/eligibility.js';
import { registerScoreCommands } from './commands/score.js';

export function buildProgram(): Command {
  const program = new Command('sotp')
    .description('sotp runs the Core Sex Offender Treatment Programme from referral to outcome.')
    .exitOverride()
    .showHelpAfterError(false);
  // Command registrations (one line per area):
  registerServerCommands(program);
  registerDatabaseCommands(program);
  registerUserCommands(program);
  registerAuditCommands(program);
  registerPlanCommands(program);
  registerScoreCommands(program);
  registerEligibilityCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
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
