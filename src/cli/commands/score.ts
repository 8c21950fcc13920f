// `sotp score rm2000` and `sotp score osp`: score a risk instrument from JSON facts and print the result as JSON.
import type { Command } from 'commander';
import { ospInputSchema, scoreOsp } from '../../domain/risk/osp.js';
import { rm2000InputSchema, scoreRm2000 } from '../../domain/risk/rm2000.js';
import { BadInput } from '../errors.js';
import { parseOrBadInput, printJson, readJsonInput } from '../io.js';

export function registerScoreCommands(program: Command): void {
  const score = program.command('score').description('Score a risk instrument from JSON facts (stdin or --input FILE).');

  score
    .command('rm2000')
    .description('RM2000/S: risk of sexual reconviction (low, medium, high, very_high).')
    .option('--input <file>', 'read the facts from this JSON file instead of stdin')
    .action(async (options: { input?: string }) => {
      const outcome = scoreRm2000(parseOrBadInput(rm2000InputSchema, await readJsonInput(options.input)));
      if (!outcome.ok) throw new BadInput(`${outcome.field}: ${outcome.message}`);
      printJson(outcome.score);
    });

  score
    .command('osp')
    .description('OSP/DC and OSP/IIC: probabilities are fractions (0.1031 = 10.31%); not_applicable for women and for men with no sexual sanction.')
    .option('--input <file>', 'read the facts from this JSON file instead of stdin')
    .action(async (options: { input?: string }) => {
      const outcome = scoreOsp(parseOrBadInput(ospInputSchema, await readJsonInput(options.input)));
      if (!outcome.ok) throw new BadInput(`${outcome.field}: ${outcome.message}`);
      printJson(outcome.score);
    });
}
