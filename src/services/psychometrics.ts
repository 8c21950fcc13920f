// Psychometric tests: an assessor records a man's answers before treatment, after it and at follow-up; the
// scales are scored by the instrument's rules and the change from before to after is read with Jacobson & Truax
// (1991). Change is shown on the man's page, summarised per group and per programme, and given to researchers
// per man under pseudonyms only.
import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../db/connection.js';
import { groupMembers, people, programmeGroups, programmeVersions, psychometricTests, sites } from '../db/schema.js';
import { csvText, type CsvCell } from '../domain/csv/write.js';
import { reliableChange, summariseByDomain, type ChangeResult, type DomainSummary } from '../domain/psychometrics/change.js';
import { occasionLabels, occasions, type InstrumentDefinition, type Occasion, type Scale } from '../domain/psychometrics/instrument.js';
import { scoreAdministration, type Responses, type ScaleScore } from '../domain/psychometrics/scoring.js';
import { instrumentLibrary } from '../instrument-files.js';
import { authorise, visibleSites, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { EditConflict, NotFound, ValidationFailed } from './errors.js';
import { requiredDate, versionField } from './input-fields.js';
import { loadPersonFor, type Person } from './people.js';
import { currentProgramme } from './programme-lookup.js';
import { pseudonymFor } from './pseudonyms.js';
import { validate } from './validate.js';

export type StoredTest = typeof psychometricTests.$inferSelect;

/** The latest version of each instrument, for choosing one to record. */
export function latestInstruments(): InstrumentDefinition[] {
  const latest = new Map<string, InstrumentDefinition>();
  for (const def of instrumentLibrary()) if ((latest.get(def.id)?.version ?? 0) < def.version) latest.set(def.id, def);
  return [...latest.values()];
}

function instrumentVersion(id: string, version?: number): InstrumentDefinition | undefined {
  return version === undefined ? latestInstruments().find((d) => d.id === id) : instrumentLibrary().find((d) => d.id === id && d.version === version);
}

/** The form field of an item's answer. */
export const responseField = (itemId: string) => `response-${itemId}`;

const occasionField = z.enum(occasions, { error: 'Select when the test was taken: before treatment, after treatment or at follow-up' });

const testHeader = z.object({
  instrument: z.string({ error: 'Choose an instrument' }).min(1, 'Choose an instrument'),
  occasion: occasionField,
  administeredOn: requiredDate('date of the test'),
  version: versionField.optional(),
});

/** Answers from a form (strings; blank means not answered) or JSON (numbers; null means not answered). */
function responsesSchema(instrument: InstrumentDefinition) {
  const { min, max } = instrument.responseScale;
  const answer = (n: number) => {
    const message = `Answer to item ${n} must be a whole number from ${min} to ${max}, or left unanswered`;
    return z.preprocess(
      (v) => (v === undefined || v === null || v === '' ? null : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
      z.number({ error: message }).int(message).min(min, message).max(max, message).nullable(),
    );
  };
  return z.object(Object.fromEntries(instrument.items.map((item, i) => [responseField(item.id), answer(i + 1)])));
}

export interface TestForm {
  person: Person;
  /** The instruments to choose from (latest version of each). */
  instruments: InstrumentDefinition[];
  /** The instrument chosen, or null when none is yet. */
  instrument: InstrumentDefinition | null;
  occasion: Occasion;
  /** The test already recorded on this occasion, to correct. */
  existing: { administeredOn: string; responses: Responses; version: number } | null;
}

/** What the form to record (or correct) a test needs; audited as a read of the man's record. */
export async function testForm(db: Db, actor: Actor, personId: number, instrumentId: string, occasion: unknown): Promise<TestForm> {
  authorise(actor, 'psychometric.record');
  const chosen = occasionField.safeParse(occasion ?? 'pre');
  return db.transaction(async (tx) => {
    const person = await loadPersonFor(tx, actor, personId, 'psychometric.record');
    const when = chosen.success ? chosen.data : 'pre';
    const [row] = instrumentId
      ? await tx
          .select()
          .from(psychometricTests)
          .where(and(eq(psychometricTests.personId, personId), eq(psychometricTests.instrument, instrumentId), eq(psychometricTests.occasion, when)))
      : [];
    const instrument = instrumentId ? instrumentVersion(instrumentId, row?.instrumentVersion) : null;
    if (instrument === undefined) throw new NotFound('Psychometric instrument');
    await appendAudit(tx, actor, {
      action: 'person.viewed',
      subjectType: 'person',
      subjectId: personId,
      siteId: person.siteId,
      details: { purpose: 'psychometric_test' },
    });
    return {
      person,
      instruments: latestInstruments(),
      instrument,
      occasion: when,
      existing: row ? { administeredOn: row.administeredOn, responses: row.responses as Responses, version: row.version } : null,
    };
  });
}

/**
 * Records a man's answers to an instrument on one occasion, scored with its reverse keys and prorating rule. A test
 * already recorded on that occasion is corrected only when the caller sends the version he read (a stale one is a
 * conflict); it keeps the instrument version it was first recorded under.
 */
export async function recordTest(db: Db, actor: Actor, personId: number, input: unknown, today: string): Promise<StoredTest> {
  authorise(actor, 'psychometric.record');
  if (actor.userId === null) throw ValidationFailed.one('recordedBy', 'A test must be recorded by a named assessor');
  const header = validate(testHeader, input);
  return db.transaction(async (tx) => {
    const person = await loadPersonFor(tx, actor, personId, 'psychometric.record');
    const [existing] = await tx
      .select()
      .from(psychometricTests)
      .where(
        and(eq(psychometricTests.personId, personId), eq(psychometricTests.instrument, header.instrument), eq(psychometricTests.occasion, header.occasion)),
      );
    const instrument = instrumentVersion(header.instrument, existing?.instrumentVersion);
    if (!instrument) throw ValidationFailed.one('instrument', 'Choose an instrument from the list');
    if (header.administeredOn > today) throw ValidationFailed.one('administeredOn', 'Date of the test must be today or in the past');
    if (header.administeredOn < person.dateOfBirth) throw ValidationFailed.one('administeredOn', 'Date of the test must be after his date of birth');
    const answers = validate(responsesSchema(instrument), input);
    const responses: Record<string, number | null> = Object.fromEntries(
      instrument.items.map((item) => [item.id, answers[responseField(item.id)] as number | null]),
    );
    const scores = scoreAdministration(instrument, responses);
    const values = { administeredOn: header.administeredOn, responses, scores, recordedBy: actor.userId! };
    let stored: StoredTest;
    if (existing) {
      if (header.version === undefined) {
        throw ValidationFailed.one('occasion', `A test of ${instrument.name} ${occasionLabels[header.occasion].toLowerCase()} is already recorded for him`, {
          href: `/people/${personId}/psychometrics/new?instrument=${instrument.id}&occasion=${header.occasion}`,
          text: 'Correct the test already recorded',
        });
      }
      const what = `The ${occasionLabels[header.occasion].toLowerCase()} test of ${instrument.name}`;
      if (header.version !== existing.version) throw new EditConflict(what);
      const [row] = await tx
        .update(psychometricTests)
        .set({ ...values, version: existing.version + 1, updatedAt: new Date() })
        .where(and(eq(psychometricTests.id, existing.id), eq(psychometricTests.version, header.version)))
        .returning();
      if (!row) throw new EditConflict(what);
      stored = row;
    } else {
      [stored] = await tx
        .insert(psychometricTests)
        .values({ ...values, personId, instrument: instrument.id, instrumentVersion: instrument.version, occasion: header.occasion })
        .returning();
    }
    await appendAudit(tx, actor, {
      action: existing ? 'psychometric_test.corrected' : 'psychometric_test.recorded',
      subjectType: 'person',
      subjectId: personId,
      siteId: person.siteId,
      details: { testId: stored.id, instrument: stored.instrument, instrumentVersion: stored.instrumentVersion, occasion: stored.occasion },
    });
    return stored;
  });
}

/** One scale's result on one occasion, with its date. */
export type DatedScore = ScaleScore & { administeredOn: string };

/** A man's change on one scale from before to after treatment (change is null until both are scored, with why). */
export interface ScaleChange {
  instrumentId: string;
  instrumentName: string;
  instrumentVersion: number;
  illustrative: boolean;
  scaleId: string;
  scaleName: string;
  domain: string;
  better: Scale['better'];
  pre: DatedScore | null;
  post: DatedScore | null;
  followUp: DatedScore | null;
  change: ChangeResult | null;
  /** Why there is no change yet, when there is none. */
  missing: string | null;
}

function datedScore(test: StoredTest | undefined, scaleId: string): DatedScore | null {
  const score = test && (test.scores as ScaleScore[]).find((s) => s.scaleId === scaleId);
  return score ? { ...score, administeredOn: test.administeredOn } : null;
}

function whyNoChange(pre: DatedScore | null, post: DatedScore | null): string | null {
  if (!pre) return 'No test before treatment';
  if (pre.status === 'not_scored') return `Not scored before treatment: ${pre.reason}`;
  if (!post) return 'No test after treatment yet';
  if (post.status === 'not_scored') return `Not scored after treatment: ${post.reason}`;
  return null;
}

/** Each scale's change for one man's tests; the norms are those of the instrument version used after treatment. */
function scaleChanges(tests: StoredTest[]): ScaleChange[] {
  const byInstrument = [...new Set(tests.map((t) => t.instrument))].sort();
  return byInstrument.flatMap((instrumentId) => {
    const own = tests.filter((t) => t.instrument === instrumentId);
    const at = (occasion: Occasion) => own.find((t) => t.occasion === occasion);
    const definition = instrumentVersion(instrumentId, (at('post') ?? at('pre') ?? own[0]).instrumentVersion);
    if (!definition) return [];
    return definition.scales.map((scale) => {
      const pre = datedScore(at('pre'), scale.id);
      const post = datedScore(at('post'), scale.id);
      const missing = whyNoChange(pre, post);
      const { dysfunctional, functional, testRetestReliability } = scale.norms;
      const change =
        missing === null && pre?.status === 'scored' && post?.status === 'scored'
          ? reliableChange({
              pre: pre.score,
              post: post.score,
              sd: dysfunctional.sd,
              reliability: testRetestReliability,
              better: scale.better,
              norms: { dysfunctionalMean: dysfunctional.mean, functionalMean: functional.mean, functionalSd: functional.sd },
            })
          : null;
      return {
        instrumentId,
        instrumentName: definition.name,
        instrumentVersion: definition.version,
        illustrative: definition.illustrative,
        scaleId: scale.id,
        scaleName: scale.name,
        domain: scale.domain,
        better: scale.better,
        pre,
        post,
        followUp: datedScore(at('follow_up'), scale.id),
        change,
        missing,
      };
    });
  });
}

/**
 * Each man's change per scale (and so per risk domain), by person id. No access check or audit: for services that
 * have made their own (the man's page, the end-of-treatment report, the summaries and the export).
 */
export async function changesFor(ex: Executor, personIds: readonly number[]): Promise<Map<number, ScaleChange[]>> {
  const tests = personIds.length
    ? await ex
        .select()
        .from(psychometricTests)
        .where(inArray(psychometricTests.personId, [...personIds]))
        .orderBy(asc(psychometricTests.administeredOn))
    : [];
  return new Map(personIds.map((id) => [id, scaleChanges(tests.filter((t) => t.personId === id))]));
}

export interface PersonTests {
  /** The instruments an assessor may record (latest version of each). */
  instruments: InstrumentDefinition[];
  tests: Array<StoredTest & { instrumentName: string; scaleNames: Record<string, string> }>;
  changes: ScaleChange[];
}

/** A man's tests and his change per scale, for his page (audited as a read of his record). */
export async function personChange(db: Db, actor: Actor, personId: number): Promise<PersonTests> {
  authorise(actor, 'person.read');
  return db.transaction(async (tx) => {
    const person = await loadPersonFor(tx, actor, personId);
    await appendAudit(tx, actor, {
      action: 'person.viewed',
      subjectType: 'person',
      subjectId: personId,
      siteId: person.siteId,
      details: { part: 'psychometrics' },
    });
    const tests = await tx.select().from(psychometricTests).where(eq(psychometricTests.personId, personId)).orderBy(asc(psychometricTests.administeredOn));
    return {
      instruments: latestInstruments(),
      tests: tests.map((t) => {
        const definition = instrumentVersion(t.instrument, t.instrumentVersion);
        return {
          ...t,
          instrumentName: definition?.name ?? t.instrument,
          scaleNames: Object.fromEntries((definition?.scales ?? []).map((s) => [s.id, s.name])),
        };
      }),
      changes: scaleChanges(tests),
    };
  });
}

export interface ChangeSummary {
  programmeId: string;
  domains: Array<DomainSummary & { name: string }>;
  /** Men counted: members of the group(s) with at least one scale's change. */
  men: number;
  /** Members of the group(s), with or without tests. */
  members: number;
}

async function summarise(ex: Executor, programmeId: string, personIds: number[]): Promise<ChangeSummary> {
  const programme = await currentProgramme(ex, programmeId);
  const changes = await changesFor(ex, personIds);
  const results = [...changes.values()].flatMap((list) => list.flatMap((c) => (c.change ? [{ domain: c.domain, change: c.change }] : [])));
  const names = new Map(programme.riskDomains.map((d) => [d.id, d.name]));
  return {
    programmeId,
    domains: summariseByDomain(results, [...names.keys()]).map((d) => ({ ...d, name: names.get(d.domain)! })),
    men: [...changes.values()].filter((list) => list.some((c) => c.change)).length,
    members: personIds.length,
  };
}

async function membersOf(ex: Executor, groupIds: number[]): Promise<number[]> {
  if (!groupIds.length) return [];
  const rows = await ex.selectDistinct({ personId: groupMembers.personId }).from(groupMembers).where(inArray(groupMembers.groupId, groupIds));
  return rows.map((r) => r.personId);
}

export interface GroupChangeSummary extends ChangeSummary {
  group: { id: number; name: string; siteName: string };
}

/** A group's change per risk domain: everyone who has been a member, counted once per scale with a change. */
export async function groupChangeSummary(db: Db, actor: Actor, groupId: number): Promise<GroupChangeSummary> {
  authorise(actor, 'psychometric.summary.read');
  if (!Number.isInteger(groupId) || groupId <= 0) throw new NotFound('Group');
  return db.transaction(async (tx) => {
    const [group] = await tx
      .select({
        id: programmeGroups.id,
        name: programmeGroups.name,
        siteId: programmeGroups.siteId,
        siteName: sites.name,
        programmeId: programmeVersions.programmeId,
      })
      .from(programmeGroups)
      .innerJoin(programmeVersions, eq(programmeVersions.id, programmeGroups.programmeVersionId))
      .innerJoin(sites, eq(sites.id, programmeGroups.siteId))
      .where(eq(programmeGroups.id, groupId));
    if (!group) throw new NotFound('Group');
    authorise(actor, 'psychometric.summary.read', group.siteId);
    return {
      ...(await summarise(tx, group.programmeId, await membersOf(tx, [group.id]))),
      group: { id: group.id, name: group.name, siteName: group.siteName },
    };
  });
}

export interface ProgrammeChangeSummary extends ChangeSummary {
  groups: Array<{ id: number; name: string; siteName: string }>;
}

/** A programme's change per risk domain over its groups at the sites the actor sees. */
export async function programmeChangeSummary(db: Db, actor: Actor, programmeId: string): Promise<ProgrammeChangeSummary> {
  authorise(actor, 'psychometric.summary.read');
  return db.transaction(async (tx) => {
    const seen = visibleSites(actor);
    const groups = await tx
      .select({ id: programmeGroups.id, name: programmeGroups.name, siteName: sites.name })
      .from(programmeGroups)
      .innerJoin(programmeVersions, eq(programmeVersions.id, programmeGroups.programmeVersionId))
      .innerJoin(sites, eq(sites.id, programmeGroups.siteId))
      .where(and(eq(programmeVersions.programmeId, programmeId), seen === 'all' ? undefined : inArray(programmeGroups.siteId, [...seen, -1])))
      .orderBy(asc(sites.name), asc(programmeGroups.name));
    return {
      ...(await summarise(
        tx,
        programmeId,
        await membersOf(
          tx,
          groups.map((g) => g.id),
        ),
      )),
      groups,
    };
  });
}

export const changeExportColumns = [
  'person_ref',
  'instrument',
  'instrument_version',
  'illustrative',
  'scale',
  'domain',
  'better',
  'pre_date',
  'pre_score',
  'pre_missing_items',
  'post_date',
  'post_score',
  'post_missing_items',
  'follow_up_date',
  'follow_up_score',
  'change',
  's_diff',
  'rci',
  'reliable_change',
  'cutoff',
  'clinically_significant',
  'not_computed_because',
] as const;

const scoreCell = (s: DatedScore | null): CsvCell => (s?.status === 'scored' ? s.score : null);

/**
 * Every man's pre and post scores and change per scale as CSV for researchers: each man is named only by his
 * pseudonym (the keyed HMAC of his prison number that cohort files and reconviction records carry).
 */
export async function changeExportCsv(db: Db, actor: Actor, pseudonymKey: string): Promise<{ csv: string; rows: number }> {
  authorise(actor, 'psychometric.export');
  return db.transaction(async (tx) => {
    const men = await tx
      .selectDistinct({ id: people.id, prisonNumber: people.prisonNumber })
      .from(people)
      .innerJoin(psychometricTests, eq(psychometricTests.personId, people.id));
    const changes = await changesFor(
      tx,
      men.map((m) => m.id),
    );
    const records = men
      .map((m) => ({ ref: pseudonymFor(m.prisonNumber, pseudonymKey), list: changes.get(m.id) ?? [] }))
      .sort((a, b) => a.ref.localeCompare(b.ref))
      .flatMap(({ ref, list }) =>
        list.map((c) => ({
          person_ref: ref,
          instrument: c.instrumentId,
          instrument_version: c.instrumentVersion,
          illustrative: c.illustrative ? 1 : 0,
          scale: c.scaleId,
          domain: c.domain,
          better: c.better,
          pre_date: c.pre?.administeredOn ?? null,
          pre_score: scoreCell(c.pre),
          pre_missing_items: c.pre?.missingItems ?? null,
          post_date: c.post?.administeredOn ?? null,
          post_score: scoreCell(c.post),
          post_missing_items: c.post?.missingItems ?? null,
          follow_up_date: c.followUp?.administeredOn ?? null,
          follow_up_score: scoreCell(c.followUp),
          change: c.change?.change ?? null,
          s_diff: c.change?.sDiff ?? null,
          rci: c.change?.rci ?? null,
          reliable_change: c.change?.reliableChange ?? null,
          cutoff: c.change?.cutoff ?? null,
          clinically_significant: c.change ? (c.change.clinicallySignificant ? 1 : 0) : null,
          not_computed_because: c.missing,
        })),
      );
    await appendAudit(tx, actor, {
      action: 'psychometric_change.exported',
      subjectType: 'psychometric_tests',
      details: { men: men.length, rows: records.length },
    });
    return { csv: csvText(records, changeExportColumns), rows: records.length };
  });
}
