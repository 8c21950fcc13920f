// `sotp qa sample`: an audit's recording sample over a period, drawn as an audit draws it, without opening an audit
// (it reads only). The same arguments always print the same sample; what it prints is ids and dates, no names.
import type { Command } from 'commander';
import { openRuntime } from '../../runtime.js';
import { systemActor } from '../../services/access.js';
import { ValidationFailed } from '../../services/errors.js';
import { periodSampleInput } from '../../services/qa/audits.js';
import { BadInput, CommandFailed } from '../errors.js';

interface SampleOptions {
  site: string;
  programme: string;
  from: string;
  to: string;
  seed: string;
  count?: string;
  json?: boolean;
}

/** Each input's flag, so a refusal names what the user typed. */
const flags: Record<string, string> = { siteCode: '--site', programmeId: '--programme', from: '--from', to: '--to', seed: '--seed', count: '--count' };

const badInput = (field: string, message: string) => new BadInput(`${flags[field] ?? field}: ${message}`);

export function registerQaCommands(program: Command): void {
  program
    .command('qa')
    .description('quality assurance: audits of sites and programmes')
    .command('sample')
    .description(
      'draw an audit’s seeded, stratified sample of session recordings over a period (reads only; no audit is stored): ' +
        'prints {"seed","frame","recordings":[{"id","sessionId","groupId","block","date","facilitators"}]} with --json; exit 1 when the period has fewer recordings than the sample',
    )
    .requiredOption('--site <code>', 'the site’s code, e.g. NGT')
    .requiredOption('--programme <id>', 'programme id, e.g. core-sotp')
    .requiredOption('--from <date>', 'first day of the period, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last day of the period, YYYY-MM-DD')
    .requiredOption('--seed <n>', 'the seed: a whole number from 0 to 4294967295')
    .option('--count <k>', 'how many recordings (default and least: the programme’s minimum, 3 for Core SOTP)')
    .option('--json', 'print JSON')
    .action(async (options: SampleOptions) => {
      const input = { siteCode: options.site, programmeId: options.programme, from: options.from, to: options.to, seed: options.seed, count: options.count };
      // Checked before the database is opened, so bad arguments cost nothing; the site and programme are checked there.
      const checked = periodSampleInput.safeParse(input);
      if (!checked.success) {
        const [issue] = checked.error.issues;
        throw badInput(String(issue.path[0] ?? 'input'), issue.message);
      }
      const { database, services } = await openRuntime();
      try {
        const drawn = await services.qa.samplePeriod(systemActor, input).catch((error) => {
          throw error instanceof ValidationFailed ? badInput(error.errors[0].field, error.errors[0].message) : error;
        });
        if (!drawn.outcome.ok) throw new CommandFailed(drawn.outcome.message);
        const recordings = drawn.outcome.recordings.map((r) => ({
          id: r.id,
          sessionId: r.sessionId,
          groupId: r.groupId,
          block: r.block,
          date: r.date,
          facilitators: r.facilitators,
        }));
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ seed: drawn.seed, frame: drawn.frame.length, recordings })}\n`);
        } else {
          process.stdout.write(`seed ${drawn.seed}: ${recordings.length} of ${drawn.frame.length} recordings\n`);
          for (const r of recordings) {
            process.stdout.write(
              `recording ${r.id}: session ${r.sessionId}, group ${r.groupId}, block ${r.block}, ${r.date}, facilitators ${r.facilitators.join(' ')}\n`,
            );
          }
        }
      } finally {
        await database.close();
      }
    });
}
