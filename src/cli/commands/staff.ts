// `sotp staff import --file F.csv`: loads an existing staff list with the accreditations its facilitators hold from
// before sotp (columns: username, display_name, site_code, programme_id, accredited_on). All or nothing: any problem
// is printed with its line and nothing is saved (exit 2); running the same file again changes nothing.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { openRuntime } from '../../runtime.js';
import { systemActor } from '../../services/access.js';
import { ValidationFailed } from '../../services/errors.js';
import { BadInput } from '../errors.js';

export function registerStaffCommands(program: Command): void {
  program
    .command('staff')
    .description('staff in the facilitator pipeline')
    .command('import')
    .description('load a staff list with accreditations from before sotp: username,display_name,site_code,programme_id,accredited_on')
    .requiredOption('--file <file.csv>', 'the CSV file')
    .action(async (options: { file: string }) => {
      const content = await readFile(options.file, 'utf8').catch(() => {
        throw new BadInput(`--file: cannot read ${options.file}`);
      });
      const { database, services } = await openRuntime();
      try {
        const result = await services.staff.importStaff(systemActor, { fileName: basename(options.file), content });
        process.stdout.write(
          `staff added: ${result.staffAdded}, accreditations recorded: ${result.accreditationsRecorded}, lines already recorded: ${result.linesUnchanged}\n`,
        );
      } catch (error) {
        // One problem per line of output, each naming its line and column; nothing was saved.
        if (error instanceof ValidationFailed) throw new BadInput(`nothing was imported:\n${error.errors.map((e) => `  ${e.message}`).join('\n')}`);
        throw error;
      } finally {
        await database.close();
      }
    });
}
