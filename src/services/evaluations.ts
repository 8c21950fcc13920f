// Outcome evaluation runs: the programme's own treated men against an imported comparison pool (or a
// complete imported cohort), analysed by the evaluation engine and stored with their settings and the
// hashes of their inputs so that any run can be reproduced exactly.
import { createHash } from 'node:crypto';
import { and, desc, eq, inArray } from 'drizzle-orm';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Db, Executor } from '../db/connection.js';
import { convictions, evaluationRuns, people, reconvictions, referrals, riskScores } from '../db/schema.js';
import { csvText, type CsvCell } from '../domain/csv/write.js';
import { CohortError, parseCohort } from '../domain/evaluation/cohort.js';
import { CohortNotAnalysable, evaluateCohort, type Evaluation } from '../domain/evaluation/evaluate.js';
import { authorise, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { covariatesOf, outcomesOf, problemsAsFieldErrors } from './cohort-file-check.js';
import { cohortImportContent } from './cohort-imports.js';
import { NotFound, ValidationFailed } from './errors.js';
import { checkbox, numberWithDefault } from './input-fields.js';
import { pseudonymFor } from './pseudonyms.js';
import { reconvictionDataAsOf } from './reconvictions.js';
import { validate } from './validate.js';

export const runInput = z.object({
  cohortImportId: z.coerce.number({ error: 'Choose a cohort file' }).int().positive('Choose a cohort file'),
  covariates: z.preprocess(
    (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Choose covariates from the list')).min(1, 'Choose at least one covariate'),
  ),
  outcome: z.string({ error: 'Choose an outcome' }).regex(/^[a-z][a-z0-9_]*$/, 'Choose an outcome'),
  windowDays: numberWithDefault('follow-up window', { example: '730', whole: true, unit: 'days', min: 30, max: 36500, fallback: 730 }),
  caliper: numberWithDefault('caliper', { example: '0.2', moreThan: 0, max: 10, fallback: 0.2 }),
  ratio: numberWithDefault('number of comparison men per treated man', { example: '1', whole: true, min: 1, max: 10, fallback: 1 }),
  replace: checkbox('matching with replacement'),
  noMatch: checkbox('analyse the whole cohort without matching'),
  byRiskBand: checkbox('by risk band'),
});
export type RunSettings = z.output<typeof runInput>;

/**
 * The covariates sotp derives from a treated man's own record, named as in the cohort-file format
 * (and the synthetic cohorts): a comparison pool must carry the same columns to be matched against.
 */
export const programmeCovariates = ['age_at_release', 'prior_sexual', 'prior_violent', 'rm2000_score', 'sentence_years'] as const;

/** What a cohort for the programme needs: the covariates to adjust for and the outcome. */
export type CohortSettings = Pick<RunSettings, 'covariates' | 'outcome'>;

const yearsBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / (365.25 * 86_400_000);
const distinctDates = (rows: Array<{ convictionDate: string }>) => new Set(rows.map((r) => r.convictionDate)).size;

interface TreatedRows {
  rows: Array<Record<string, CsvCell>>;
  excluded: { notYetReleased: number; missingCovariate: number };
}

/** The programme's completers as cohort rows, keyed by pseudonym: no name or prison number leaves this function. */
async function programmeTreatedRows(
  ex: Executor,
  programmeId: string,
  settings: CohortSettings,
  pseudonymKey: string,
  endOfFollowup: string,
): Promise<TreatedRows> {
  const men = await ex
    .select({ person: people })
    .from(referrals)
    .innerJoin(people, eq(people.id, referrals.personId))
    .where(and(eq(referrals.programmeId, programmeId), eq(referrals.status, 'programme_complete')));
  const ids = men.map((m) => m.person.id);
  const history = ids.length ? await ex.select().from(convictions).where(inArray(convictions.personId, ids)) : [];
  const scores = ids.length
    ? await ex
        .select()
        .from(riskScores)
        .where(and(inArray(riskScores.personId, ids), eq(riskScores.instrument, 'rm2000s')))
        .orderBy(desc(riskScores.createdAt))
    : [];
  const refs = men.map((m) => pseudonymFor(m.person.prisonNumber, pseudonymKey));
  const events = refs.length
    ? await ex
        .select()
        .from(reconvictions)
        .where(and(inArray(reconvictions.personRef, refs), eq(reconvictions.outcome, settings.outcome)))
    : [];
  const excluded = { notYetReleased: 0, missingCovariate: 0 };
  const rows: Array<Record<string, CsvCell>> = [];
  men.forEach(({ person }, i) => {
    const release = person.earliestReleaseDate;
    if (!release || release > endOfFollowup) {
      excluded.notYetReleased++;
      return;
    }
    const own = history.filter((c) => c.personId === person.id);
    const score = scores.find((s) => s.personId === person.id);
    const values: Record<string, number | null> = {
      age_at_release: yearsBetween(person.dateOfBirth, release),
      prior_sexual: Math.max(0, distinctDates(own.filter((c) => c.category.startsWith('sexual'))) - 1),
      prior_violent: distinctDates(own.filter((c) => c.category === 'violent')),
      rm2000_score: score ? ((score.result as { step1Points?: number }).step1Points ?? null) : null,
      sentence_years: person.sentenceDate ? yearsBetween(person.sentenceDate, release) : null,
    };
    if (settings.covariates.some((c) => values[c] === null || values[c] === undefined)) {
      excluded.missingCovariate++;
      return;
    }
    const firstEvent = events
      .filter((e) => e.personRef === refs[i] && e.offenceDate >= release)
      .map((e) => e.offenceDate)
      .sort()[0];
    const row: Record<string, CsvCell> = {
      person_ref: refs[i],
      treated: 1,
      release_date: release,
      end_of_followup: endOfFollowup,
      risk_band: score?.category ?? '',
      [`${settings.outcome}_reoffence_date`]: firstEvent ?? '',
    };
    for (const c of settings.covariates) row[c] = values[c];
    rows.push(row);
  });
  return { rows, excluded };
}

/** The pool's covariates as numbers (the import checked each is one), so the CSV writer keeps a negative value a number. */
function covariatesAsNumbers(row: Record<string, string>, covariates: readonly string[]): Record<string, CsvCell> {
  const typed: Record<string, CsvCell> = { ...row };
  for (const c of covariates) typed[c] = Number(row[c]);
  return typed;
}

function requireColumns(columns: string[], settings: CohortSettings): void {
  const unknown = settings.covariates.filter((c) => !covariatesOf(columns).includes(c));
  if (unknown.length) throw ValidationFailed.one('covariates', `The cohort file has no column ${unknown.join(', ')}`);
  if (!outcomesOf(columns).includes(settings.outcome))
    throw ValidationFailed.one('outcome', `The cohort file has no ${settings.outcome}_reoffence_date column`);
}

export interface EvaluationRun {
  id: number;
  programmeId: string;
  source: string;
  cohortImportId: number;
  settings: RunSettings;
  inputs: { cohortSha256: string; importSha256: string; reconvictionsAsOf: string | null; treatedExcluded?: TreatedRows['excluded'] };
  result: Evaluation;
  createdBy: number;
  createdAt: Date;
}

/**
 * The cohort file an analysis reads: a complete imported cohort as it is, or the programme's completers (by
 * pseudonym, followed up to the reconviction data's date) joined with an imported comparison pool.
 */
export async function programmeCohort(
  ex: Executor,
  programmeId: string,
  source: { kind: string; content: string; sha256: string; columns: string[] },
  settings: CohortSettings,
  pseudonymKey: string,
): Promise<{ csv: string; inputs: EvaluationRun['inputs'] }> {
  requireColumns(source.columns, settings);
  if (source.kind !== 'comparison')
    return { csv: source.content, inputs: { cohortSha256: source.sha256, importSha256: source.sha256, reconvictionsAsOf: null } };
  const asOf = await reconvictionDataAsOf(ex);
  if (!asOf) throw ValidationFailed.one('cohortImportId', 'Import reconviction records first: they give the end of follow-up for the programme’s own men');
  const unknown = settings.covariates.filter((c) => !(programmeCovariates as readonly string[]).includes(c));
  if (unknown.length)
    throw ValidationFailed.one('covariates', `The programme’s own records do not provide ${unknown.join(', ')}; choose from ${programmeCovariates.join(', ')}`);
  const treated = await programmeTreatedRows(ex, programmeId, settings, pseudonymKey, asOf);
  if (treated.rows.length === 0)
    throw ValidationFailed.one('cohortImportId', 'No man who completed the programme has been released within the reconviction data yet');
  const columns = ['person_ref', 'treated', 'release_date', 'end_of_followup', 'risk_band', ...settings.covariates, `${settings.outcome}_reoffence_date`];
  const comparison = (parse(source.content, { columns: true, bom: true, trim: true, skip_empty_lines: true }) as Array<Record<string, string>>).map((row) =>
    covariatesAsNumbers(row, settings.covariates),
  );
  const csv = csvText([...treated.rows, ...comparison], columns);
  return {
    csv,
    inputs: {
      cohortSha256: createHash('sha256').update(csv).digest('hex'),
      importSha256: source.sha256,
      reconvictionsAsOf: asOf,
      treatedExcluded: treated.excluded,
    },
  };
}

export async function runEvaluation(db: Db, actor: Actor, programmeId: string, input: unknown, options: { pseudonymKey: string }): Promise<EvaluationRun> {
  authorise(actor, 'evaluation.run');
  const settings = validate(runInput, input);
  const source = await cohortImportContent(db, actor, settings.cohortImportId);
  const { csv, inputs } = await programmeCohort(db, programmeId, source, settings, options.pseudonymKey);
  let result: Evaluation;
  try {
    const cohort = parseCohort(csv, { covariates: settings.covariates, outcome: settings.outcome });
    result = evaluateCohort(
      cohort,
      { rows: cohort.rows, sha256: inputs.cohortSha256 },
      {
        windowDays: settings.windowDays,
        caliper: settings.caliper,
        ratio: settings.ratio,
        replace: settings.replace,
        match: !settings.noMatch,
        byRiskBand: settings.byRiskBand,
      },
    );
  } catch (error) {
    if (error instanceof CohortError) throw new ValidationFailed(problemsAsFieldErrors(error.problems));
    // An empty arm is the file's fault (choose another); a covariate at fault is the choice of covariates'.
    if (error instanceof CohortNotAnalysable) throw ValidationFailed.one(error.field === 'covariates' ? 'covariates' : 'cohortImportId', error.message);
    throw error;
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(evaluationRuns)
      .values({
        programmeId,
        source: source.kind === 'comparison' ? 'programme_and_comparison' : 'cohort_file',
        cohortImportId: source.id,
        settings,
        inputs,
        result,
        createdBy: actor.userId!,
      })
      .returning();
    await appendAudit(tx, actor, {
      action: 'evaluation.run',
      subjectType: 'evaluation_run',
      subjectId: row.id,
      details: { rows: result.input.rows, cohortSha256: inputs.cohortSha256 },
    });
    return row as unknown as EvaluationRun;
  });
}

export async function listEvaluationRuns(db: Db, actor: Actor): Promise<EvaluationRun[]> {
  authorise(actor, 'evaluation.read');
  return (await db.select().from(evaluationRuns).orderBy(desc(evaluationRuns.createdAt))) as unknown as EvaluationRun[];
}

export async function getEvaluationRun(db: Db, actor: Actor, id: number): Promise<EvaluationRun> {
  authorise(actor, 'evaluation.read');
  const [row] = await db.select().from(evaluationRuns).where(eq(evaluationRuns.id, id));
  if (!row) throw new NotFound('Evaluation');
  return row as unknown as EvaluationRun;
}
