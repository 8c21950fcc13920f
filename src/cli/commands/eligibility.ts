// `sotp eligibility --programme ID`: checks a man's facts (JSON) against a programme's eligibility criteria.
import type { Command } from 'commander';
import { assessEligibility, eligibilityFactsSchema } from '../../domain/eligibility/eligibility.js';
import { findProgrammeDefinition } from '../../programme-files.js';
import { BadInput } from '../errors.js';
import { parseOrBadInput, printJson, readJsonInput } from '../io.js';

export function registerEligibilityCommands(program: Command): void {
  program
    .command('eligibility')
    .description('Check eligibility for a programme; each criterion is met, not_met or unknown (data missing).')
    .requiredOption('--programme <id>', 'programme id, e.g. core-sotp')
    .option('--input <file>', 'read the facts from this JSON file instead of stdin')
    .action(async (options: { programme: string; input?: string }) => {
      const programme = findProgrammeDefinition(options.programme);
      if (!programme) throw new BadInput(`--programme: there is no programme "${options.programme}"`);
      const facts = parseOrBadInput(eligibilityFactsSchema, await readJsonInput(options.input));
      const { result, criteria } = assessEligibility(programme, facts);
      printJson({ result, criteria });
    });
}
