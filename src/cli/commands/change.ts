// `sotp change`: one man's change on one scale by Jacobson & Truax (1991), from the command line, as one JSON line.
import type { Command } from 'commander';
import { changeInputProblem, reliableChange, type ChangeInput } from '../../domain/psychometrics/change.js';
import { BadInput } from '../errors.js';

interface ChangeOptions {
  pre: string;
  post: string;
  sd: string;
  reliability: string;
  better: string;
  dysfunctionalMean?: string;
  functionalMean?: string;
  functionalSd?: string;
}

/** Each input's flag, so a refusal names what the user typed. */
const flags: Record<string, string> = {
  pre: '--pre',
  post: '--post',
  sd: '--sd',
  reliability: '--reliability',
  dysfunctionalMean: '--dysfunctional-mean',
  functionalMean: '--functional-mean',
  functionalSd: '--functional-sd',
};

function number(value: string, field: string): number {
  if (!/^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)) throw new BadInput(`${flags[field]}: must be a number, got "${value}"`);
  return Number(value);
}

export function changeInput(options: ChangeOptions): ChangeInput {
  if (options.better !== 'lower' && options.better !== 'higher') throw new BadInput(`--better: must be lower or higher, got "${options.better}"`);
  const normFlags = ['dysfunctionalMean', 'functionalMean', 'functionalSd'] as const;
  const given = normFlags.filter((f) => options[f] !== undefined);
  const input: ChangeInput = {
    pre: number(options.pre, 'pre'),
    post: number(options.post, 'post'),
    sd: number(options.sd, 'sd'),
    reliability: number(options.reliability, 'reliability'),
    better: options.better,
  };
  if (given.length === normFlags.length) {
    input.norms = {
      dysfunctionalMean: number(options.dysfunctionalMean!, 'dysfunctionalMean'),
      functionalMean: number(options.functionalMean!, 'functionalMean'),
      functionalSd: number(options.functionalSd!, 'functionalSd'),
    };
  } else {
    // Some but not all norms given: the cut-off is then null, and each given flag is still checked.
    for (const f of given) number(options[f]!, f);
  }
  const problem = changeInputProblem(input);
  if (problem) throw new BadInput(`${flags[problem.field]}: ${problem.message}`);
  return input;
}

export function registerChangeCommands(program: Command): void {
  program
    .command('change')
    .description(
      'Reliable change and clinical significance (Jacobson & Truax 1991) for one scale: prints {"change","sDiff","rci","reliableChange","cutoff","clinicallySignificant"}. ' +
        'The cut-off needs all three norm flags; the dysfunctional SD is --sd.',
    )
    .requiredOption('--pre <score>', 'score before treatment')
    .requiredOption('--post <score>', 'score after treatment')
    .requiredOption('--sd <sd>', 'SD of the dysfunctional (pre-treatment) sample, more than 0')
    .requiredOption('--reliability <r>', 'test–retest reliability, 0 or more and less than 1')
    .requiredOption('--better <lower|higher>', 'whether lower or higher scores are better')
    .option('--dysfunctional-mean <mean>', 'mean of the dysfunctional sample')
    .option('--functional-mean <mean>', 'mean of the functional sample')
    .option('--functional-sd <sd>', 'SD of the functional sample')
    .action((options: ChangeOptions) => {
      process.stdout.write(`${JSON.stringify(reliableChange(changeInput(options)))}\n`);
    });
}
