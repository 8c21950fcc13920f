// The harm monitor in the service: each programme's design, fixed before its first look, and its looks, taken
// by the scheduler when due (and on demand), each from the data as they stood on its date. A look that crosses
// a boundary is audit-logged and shown to administrators on their home page.
import { asc, eq, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/connection.js';
import { harmMonitorDesigns, harmMonitorLooks } from '../db/schema.js';
import { csvText } from '../domain/csv/write.js';
import { CohortError, parseCohort, parseIsoDay } from '../domain/evaluation/cohort.js';
import { CohortNotAnalysable } from '../domain/evaluation/evaluate.js';
import {
  boundariesFor,
  decide,
  DEFAULT_DESIGN,
  lookDates,
  lookStatistic,
  SPENDING_FUNCTIONS,
  type Decision,
  type LookBoundary,
  type MonitorDesign,
} from '../domain/evaluation/monitor.js';
import { authorise, systemActor, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { problemsAsFieldErrors } from './cohort-file-check.js';
import { cohortImportContent } from './cohort-imports.js';
import { programmeCohort } from './evaluations.js';
import { ValidationFailed } from './errors.js';
import { numberWithDefault, requiredDate } from './input-fields.js';
import { validate } from './validate.js';

const alpha = (label: string, fallback: number) => numberWithDefault(label, { example: '0.05', moreThan: 0, max: 0.49, fallback });

export const designInput = z
  .object({
    cohortImportId: z.coerce.number({ error: 'Choose a comparison pool' }).int().positive('Choose a comparison pool'),
    covariates: z.preprocess(
      (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
      z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Choose covariates from the list')).min(1, 'Choose at least one covariate'),
    ),
    outcome: z.string({ error: 'Choose an outcome' }).regex(/^[a-z][a-z0-9_]*$/, 'Choose an outcome'),
    firstLook: requiredDate('date of the first look'),
    everyMonths: numberWithDefault('months between looks', { example: '12', whole: true, min: 1, max: 60, fallback: DEFAULT_DESIGN.everyMonths }),
    horizonYears: numberWithDefault('horizon', { example: '10', whole: true, unit: 'years', min: 1, max: 50, fallback: DEFAULT_DESIGN.horizonYears }),
    spending: z.enum(SPENDING_FUNCTIONS, { error: 'Choose a spending function' }).default(DEFAULT_DESIGN.spending),
    sides: z.enum(['one', 'two'], { error: 'Choose one- or two-sided' }).default(DEFAULT_DESIGN.sides),
    harmAlpha: alpha('harm error rate', DEFAULT_DESIGN.harmAlpha),
    benefitAlpha: alpha('benefit error rate', 0.025),
  })
  .refine((d) => d.everyMonths <= d.horizonYears * 12, { path: ['everyMonths'], message: 'Months between looks must be within the horizon' });

export interface StoredLook {
  look: number;
  date: string;
  treated: number;
  comparison: number;
  treatedEvents: number;
  comparisonEvents: number;
  statistic: number;
  information: number;
  /** Boundaries as stored: a boundary with no information yet is null (JSON has no infinity). */
  boundary: { harm: number | null; benefit: number | null };
  decision: Decision;
  inputs: { cohortSha256: string; importSha256: string; reconvictionsAsOf: string | null };
  takenBy: number | null;
  takenAt: Date;
}

export interface Monitor {
  programmeId: string;
  id: number;
  cohortImportId: number;
  covariates: string[];
  outcome: string;
  design: MonitorDesign;
  looks: StoredLook[];
  /** Planned looks not yet taken, with whether each is due (its date has come). */
  pending: Array<{ date: string; due: boolean }>;
  /** The design is fixed once the first look has been taken. */
  locked: boolean;
  flag: { decision: Exclude<Decision, 'continue'>; date: string } | null;
}

type DesignRow = typeof harmMonitorDesigns.$inferSelect;
type LookRow = typeof harmMonitorLooks.$inferSelect;

const toStored = (row: LookRow): StoredLook => ({ ...(row.result as Omit<StoredLook, 'takenBy' | 'takenAt'>), takenBy: row.takenBy, takenAt: row.createdAt });
const isoDay = (now: Date) => now.toISOString().slice(0, 10);

function present(design: DesignRow, rows: LookRow[], today: string): Monitor {
  const looks = rows.map(toStored);
  const taken = new Set(looks.map((l) => l.date));
  const stored = design.design as MonitorDesign;
  const first = looks.find((l) => l.decision !== 'continue');
  return {
    programmeId: design.programmeId,
    id: design.id,
    cohortImportId: design.cohortImportId,
    covariates: design.covariates,
    outcome: design.outcome,
    design: stored,
    looks,
    pending: lookDates(stored)
      .filter((d) => !taken.has(d))
      .map((date) => ({ date, due: date <= today })),
    locked: looks.length > 0,
    flag: first ? { decision: first.decision as Exclude<Decision, 'continue'>, date: first.date } : null,
  };
}

async function designRow(db: Db, programmeId: string): Promise<DesignRow | undefined> {
  const [row] = await db.select().from(harmMonitorDesigns).where(eq(harmMonitorDesigns.programmeId, programmeId));
  return row;
}

async function lookRows(db: Db, designId: number): Promise<LookRow[]> {
  return db.select().from(harmMonitorLooks).where(eq(harmMonitorLooks.designId, designId)).orderBy(asc(harmMonitorLooks.lookDate));
}

/** The programme's monitor, or null when no design has been fixed yet. */
export async function getMonitor(db: Db, actor: Actor, programmeId: string, now = new Date()): Promise<Monitor | null> {
  authorise(actor, 'monitor.read');
  const design = await designRow(db, programmeId);
  return design ? present(design, await lookRows(db, design.id), isoDay(now)) : null;
}

/** Fixes (or, before the first look, changes) the programme's design. */
export async function saveMonitorDesign(db: Db, actor: Actor, programmeId: string, input: unknown): Promise<Monitor> {
  authorise(actor, 'monitor.design');
  const d = validate(designInput, input);
  const source = await cohortImportContent(db, actor, d.cohortImportId);
  if (source.kind !== 'comparison')
    throw ValidationFailed.one('cohortImportId', 'Choose a comparison pool: the monitor compares the programme’s own completers with it');
  const missing = [...d.covariates, `${d.outcome}_reoffence_date`].filter((c) => !source.columns.includes(c));
  if (missing.length)
    throw ValidationFailed.one(missing[0].endsWith('_reoffence_date') ? 'outcome' : 'covariates', `The comparison pool has no column ${missing.join(', ')}`);
  const design: MonitorDesign = {
    firstLook: d.firstLook,
    everyMonths: d.everyMonths,
    horizonYears: d.horizonYears,
    spending: d.spending,
    sides: d.sides,
    harmAlpha: d.harmAlpha,
    benefitAlpha: d.sides === 'two' ? d.benefitAlpha : null,
  };
  return db.transaction(async (tx) => {
    const [existing] = await tx.select().from(harmMonitorDesigns).where(eq(harmMonitorDesigns.programmeId, programmeId)).for('update');
    if (existing) {
      const [taken] = await tx.select({ id: harmMonitorLooks.id }).from(harmMonitorLooks).where(eq(harmMonitorLooks.designId, existing.id)).limit(1);
      if (taken)
        throw ValidationFailed.one(
          'firstLook',
          'The design cannot change: its first look has been taken, and a design changed after looking would not hold its error rates',
        );
    }
    const values = { cohortImportId: d.cohortImportId, covariates: d.covariates, outcome: d.outcome, design };
    const [row] = existing
      ? await tx
          .update(harmMonitorDesigns)
          .set({ ...values, updatedAt: new Date(), version: sql`${harmMonitorDesigns.version} + 1` })
          .where(eq(harmMonitorDesigns.id, existing.id))
          .returning()
      : await tx
          .insert(harmMonitorDesigns)
          .values({ ...values, programmeId, createdBy: actor.userId! })
          .returning();
    await appendAudit(tx, actor, { action: 'monitor.design', subjectType: 'harm_monitor', subjectId: programmeId, details: { ...values } });
    return present(row, [], '');
  });
}

/**
 * Takes one look: the programme's completers and the comparison pool as they stand, cut at the look's date
 * (men released before it, follow-up and reoffences up to it). The boundary comes from the information of the
 * looks already taken and this one. The unique (design, date) row makes a second taker's insert a no-op.
 */
async function takeLook(db: Db, actor: Actor, design: DesignRow, date: string, pseudonymKey: string): Promise<StoredLook | null> {
  const source = await cohortImportContent(db, systemActor, design.cohortImportId);
  const settings = { covariates: design.covariates, outcome: design.outcome };
  const { csv, inputs } = await programmeCohort(db, design.programmeId, source, settings, pseudonymKey);
  let stat;
  try {
    stat = lookStatistic(parseCohort(csv, settings), parseIsoDay(date));
  } catch (error) {
    if (error instanceof CohortError) throw new ValidationFailed(problemsAsFieldErrors(error.problems));
    if (error instanceof CohortNotAnalysable) throw ValidationFailed.one('covariates', error.message);
    throw error;
  }
  const previous = (await lookRows(db, design.id)).map(toStored).filter((l) => l.date < date);
  const boundary: LookBoundary = boundariesFor(design.design as MonitorDesign, [...previous.map((l) => l.information), stat.information]).at(-1)!;
  const decision = decide(stat.statistic, boundary);
  const finite = (x: number | null) => (x !== null && Number.isFinite(x) ? x : null);
  const result = {
    look: previous.length + 1,
    date,
    ...stat,
    boundary: { harm: finite(boundary.harm), benefit: finite(boundary.benefit) },
    decision,
    inputs: { cohortSha256: inputs.cohortSha256, importSha256: inputs.importSha256, reconvictionsAsOf: inputs.reconvictionsAsOf },
  };
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(harmMonitorLooks)
      .values({ designId: design.id, lookDate: date, result, takenBy: actor.userId })
      .onConflictDoNothing()
      .returning();
    if (!row) return null;
    const details = { date, decision, statistic: stat.statistic, boundary: result.boundary, treated: stat.treated, comparison: stat.comparison };
    await appendAudit(tx, actor, { action: 'monitor.look', subjectType: 'harm_monitor', subjectId: design.programmeId, details });
    // A crossing is its own entry, so that the audit log can be searched for them.
    if (decision !== 'continue')
      await appendAudit(tx, actor, { action: `monitor.${decision}`, subjectType: 'harm_monitor', subjectId: design.programmeId, details });
    return toStored(row);
  });
}

/** On demand: takes the earliest look that is due and not yet taken. */
export async function takeDueLook(db: Db, actor: Actor, programmeId: string, options: { pseudonymKey: string; now?: Date }): Promise<StoredLook | null> {
  authorise(actor, 'monitor.look');
  const design = await designRow(db, programmeId);
  if (!design) throw ValidationFailed.one('firstLook', 'Fix the monitor’s design first');
  const monitor = present(design, await lookRows(db, design.id), isoDay(options.now ?? new Date()));
  const due = monitor.pending.find((p) => p.due);
  if (!due) {
    const next = monitor.pending[0];
    throw ValidationFailed.one('look', next ? `No look is due yet: the next is on ${next.date}` : 'Every planned look has been taken');
  }
  return takeLook(db, actor, design, due.date, options.pseudonymKey);
}

/**
 * The scheduler's round: every look that is due for every programme, in date order. Safe with two server
 * instances: each look is inserted once (unique per design and date); a look whose data cannot be analysed
 * is reported to the caller and tried again next round.
 */
export async function takeDueLooks(
  db: Db,
  options: { pseudonymKey: string; now: Date; onError?: (programmeId: string, error: unknown) => void },
): Promise<number> {
  let taken = 0;
  const today = isoDay(options.now);
  for (const design of await db.select().from(harmMonitorDesigns)) {
    const monitor = present(design, await lookRows(db, design.id), today);
    for (const { date } of monitor.pending.filter((p) => p.due)) {
      try {
        if (await takeLook(db, systemActor, design, date, options.pseudonymKey)) taken++;
      } catch (error) {
        options.onError?.(design.programmeId, error);
        break;
      }
    }
  }
  return taken;
}

/** Starts the scheduler in the server process: a round now and then every `everyMs`; returns its stop. */
export function startMonitorScheduler(
  db: Db,
  options: { pseudonymKey: string; everyMs: number; onError: (programmeId: string, error: unknown) => void },
): () => void {
  const round = () => takeDueLooks(db, { ...options, now: new Date() }).catch((error) => options.onError('*', error));
  void round();
  const timer = setInterval(round, options.everyMs).unref();
  return () => clearInterval(timer);
}

/** For administrators' home page: programmes whose monitor has crossed a boundary. */
export async function monitorAlerts(db: Db, actor: Actor): Promise<Array<{ programmeId: string; decision: Exclude<Decision, 'continue'>; date: string }>> {
  authorise(actor, 'monitor.alerts.read');
  const rows = await db
    .select({ programmeId: harmMonitorDesigns.programmeId, look: harmMonitorLooks })
    .from(harmMonitorLooks)
    .innerJoin(harmMonitorDesigns, eq(harmMonitorDesigns.id, harmMonitorLooks.designId))
    .where(ne(sql`${harmMonitorLooks.result}->>'decision'`, 'continue'))
    .orderBy(asc(harmMonitorLooks.lookDate));
  const first = new Map<string, { programmeId: string; decision: Exclude<Decision, 'continue'>; date: string }>();
  for (const r of rows)
    if (!first.has(r.programmeId))
      first.set(r.programmeId, { programmeId: r.programmeId, decision: toStored(r.look).decision as Exclude<Decision, 'continue'>, date: r.look.lookDate });
  return [...first.values()];
}

/** The looks as CSV for researchers: counts and statistics per look only, so no man appears in it, not even by pseudonym. */
export async function monitorLooksCsv(db: Db, actor: Actor, programmeId: string): Promise<string> {
  authorise(actor, 'monitor.export');
  const design = await designRow(db, programmeId);
  const looks = design ? (await lookRows(db, design.id)).map(toStored) : [];
  await db.transaction((tx) =>
    appendAudit(tx, actor, { action: 'monitor.export', subjectType: 'harm_monitor', subjectId: programmeId, details: { looks: looks.length } }),
  );
  const columns = [
    'programme',
    'look',
    'date',
    'treated',
    'comparison',
    'treated_events',
    'comparison_events',
    'statistic',
    'information',
    'harm_boundary',
    'benefit_boundary',
    'decision',
    'cohort_sha256',
    'reconvictions_as_of',
  ];
  return csvText(
    looks.map((l) => ({
      programme: programmeId,
      look: l.look,
      date: l.date,
      treated: l.treated,
      comparison: l.comparison,
      treated_events: l.treatedEvents,
      comparison_events: l.comparisonEvents,
      statistic: l.statistic,
      information: l.information,
      harm_boundary: l.boundary.harm ?? '',
      benefit_boundary: l.boundary.benefit ?? '',
      decision: l.decision,
      cohort_sha256: l.inputs.cohortSha256,
      reconvictions_as_of: l.inputs.reconvictionsAsOf ?? '',
    })),
    columns,
  );
}
