// Men in custody: create, edit, read and search people and their offence history. Every read is audited
// (identifiers and counts only); non-national roles see only their sites; researchers never see a person.
import { and, asc, desc, eq, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor, Tx } from '../db/connection.js';
import { convictions, people, referrals, riskScores, sites, users } from '../db/schema.js';
import { convictionDateProblem, dateOfBirthProblem } from '../domain/people/dates.js';
import { convictionCategories } from '../domain/programme/definition.js';
import type { Action } from '../domain/permissions.js';
import { authorise, visibleSites, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { ownMenFilter, requireOwnMan } from './own-groups.js';
import { EditConflict, NotFound, ValidationFailed } from './errors.js';
import { checkbox, optionalBoolean, optionalDate, optionalWholeNumber, requiredDate, versionField } from './input-fields.js';
import { londonToday } from './scheduling.js';
import { validate } from './validate.js';

/** Who a man is, as lists and records name him: the columns every view of him starts from. */
export const personIdentity = {
  id: people.id,
  prisonNumber: people.prisonNumber,
  givenName: people.givenName,
  familyName: people.familyName,
  dateOfBirth: people.dateOfBirth,
  earliestReleaseDate: people.earliestReleaseDate,
};

export type Person = typeof people.$inferSelect;
export type Conviction = typeof convictions.$inferSelect;
export type StoredScore = typeof riskScores.$inferSelect & { assessorName: string };

export interface PersonRecord {
  person: Person & { siteName: string };
  convictions: Conviction[];
  /** Newest first. */
  scores: StoredScore[];
  referrals: Array<{ id: number; programmeId: string; status: string; statusChangedAt: Date; version: number }>;
}

export const prisonNumberField = z
  .string({ error: 'Enter a prison number' })
  .trim()
  .min(1, 'Enter a prison number')
  .transform((s) => s.toUpperCase())
  .pipe(z.string().regex(/^[A-Z][0-9]{4}[A-Z]{2}$/, 'Prison number must be a letter, 4 digits and 2 letters, like A1234BC'));

const name = (label: string) =>
  z
    .string({ error: `Enter the ${label}` })
    .trim()
    .min(1, `Enter the ${label}`)
    .max(100, `${label[0].toUpperCase()}${label.slice(1)} must be 100 characters or fewer`);

export const personInput = z
  .object({
    prisonNumber: prisonNumberField,
    givenName: name('given name'),
    familyName: name('family name'),
    dateOfBirth: requiredDate('date of birth'),
    sex: z.enum(['male', 'female'], { error: 'Select male or female' }),
    siteId: z.coerce.number({ error: 'Choose a site' }).int('Choose a site').positive('Choose a site'),
    sentenceDate: optionalDate('sentence date'),
    earliestReleaseDate: optionalDate('earliest release date'),
    neverMarried: optionalBoolean('single, never married'),
    iqScore: optionalWholeNumber('IQ score', 30, 180),
    iqTest: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim() || null : (v ?? null)),
      z.string().max(100, 'IQ test must be 100 characters or fewer').nullable(),
    ),
    iqDate: optionalDate('IQ test date'),
    sexualMurder: checkbox('convicted of a sexual murder'),
  })
  .superRefine((p, ctx) => {
    if (p.iqScore !== null && !p.iqTest) ctx.addIssue({ code: 'custom', path: ['iqTest'], message: 'Enter the test that gave the IQ score' });
    if (p.iqScore !== null && !p.iqDate) ctx.addIssue({ code: 'custom', path: ['iqDate'], message: 'Enter the date of the IQ test' });
    if (p.iqScore === null && (p.iqTest || p.iqDate))
      ctx.addIssue({ code: 'custom', path: ['iqScore'], message: 'Enter the IQ score, or remove the test and date' });
    if (p.sentenceDate && p.sentenceDate < p.dateOfBirth)
      ctx.addIssue({ code: 'custom', path: ['sentenceDate'], message: 'Sentence date must be after the date of birth' });
    if (p.earliestReleaseDate && p.sentenceDate && p.earliestReleaseDate < p.sentenceDate) {
      ctx.addIssue({ code: 'custom', path: ['earliestReleaseDate'], message: 'Earliest release date must be on or after the sentence date' });
    }
  });

export const convictionInput = z.object({
  convictionDate: requiredDate('conviction date'),
  offence: z.string({ error: 'Enter the offence' }).trim().min(1, 'Enter the offence').max(200, 'Offence must be 200 characters or fewer'),
  category: z.enum(convictionCategories, { error: 'Select the category of offence' }),
  attempt: checkbox('attempt'),
  victimMale: checkbox('male victim'),
  victimStranger: checkbox('stranger victim'),
  victimChild: checkbox('child victim'),
});

const withVersion = z.object({ version: versionField });

async function siteName(ex: Executor, siteId: number): Promise<string> {
  const [row] = await ex.select({ name: sites.name }).from(sites).where(eq(sites.id, siteId));
  if (!row) throw ValidationFailed.one('siteId', 'Choose a site from the list');
  return row.name;
}

/** Loads a person the actor may take the action on (within the transaction), or throws NotFound / AccessDenied. */
export async function loadPersonFor(ex: Executor, actor: Actor, personId: number, action: Action = 'person.read'): Promise<Person> {
  if (!Number.isInteger(personId) || personId <= 0) throw new NotFound('Person');
  const [row] = await ex.select().from(people).where(eq(people.id, personId));
  if (!row) throw new NotFound('Person');
  authorise(actor, action, row.siteId);
  await requireOwnMan(ex, actor, row.id, action);
  return row;
}

async function refuseDuplicate(tx: Tx, prisonNumber: string, exceptId?: number): Promise<void> {
  const [taken] = await tx.select({ id: people.id }).from(people).where(eq(people.prisonNumber, prisonNumber));
  if (taken && taken.id !== exceptId) {
    throw ValidationFailed.one('prisonNumber', `Prison number ${prisonNumber} is already recorded for someone else (person ${taken.id}).`, {
      href: `/people/${taken.id}`,
      text: 'View the person already recorded with this prison number',
    });
  }
}

function refuseImpossibleBirth(dateOfBirth: string, today: string): void {
  const problem = dateOfBirthProblem(dateOfBirth, today);
  if (problem) throw ValidationFailed.one('dateOfBirth', problem);
}

function refuseImpossibleConviction(convictionDate: string, person: Person, today: string): void {
  const problem = convictionDateProblem(convictionDate, person.dateOfBirth, today);
  if (problem) throw ValidationFailed.one('convictionDate', problem);
}

export async function createPerson(db: Db, actor: Actor, input: unknown, today = londonToday()): Promise<Person> {
  authorise(actor, 'person.edit');
  const values = validate(personInput, input);
  refuseImpossibleBirth(values.dateOfBirth, today);
  authorise(actor, 'person.edit', values.siteId);
  return db.transaction(async (tx) => {
    await siteName(tx, values.siteId);
    await refuseDuplicate(tx, values.prisonNumber);
    const [row] = await tx.insert(people).values(values).returning();
    await appendAudit(tx, actor, { action: 'person.created', subjectType: 'person', subjectId: row.id, siteId: row.siteId });
    return row;
  });
}

function asInput(p: Person): Record<string, unknown> {
  const { id: _id, createdAt: _c, updatedAt: _u, version: _v, ...rest } = p;
  return rest;
}

/** Edits a person. Fields left out keep their values (the API's PATCH); '' or null clears an optional field. */
export async function updatePerson(db: Db, actor: Actor, personId: number, input: unknown, today = londonToday()): Promise<Person> {
  authorise(actor, 'person.edit');
  const raw = (input ?? {}) as Record<string, unknown>;
  const { version } = validate(withVersion, raw);
  return db.transaction(async (tx) => {
    const current = await loadPersonFor(tx, actor, personId, 'person.edit');
    const given = Object.fromEntries(Object.entries(raw).filter(([k, v]) => k !== 'version' && v !== undefined && k in personInput.shape));
    const values = validate(personInput, { ...asInput(current), ...given });
    refuseImpossibleBirth(values.dateOfBirth, today);
    authorise(actor, 'person.edit', values.siteId);
    if (current.version !== version) throw new EditConflict(`The record of person ${personId}`);
    await siteName(tx, values.siteId);
    await refuseDuplicate(tx, values.prisonNumber, personId);
    const changed = Object.keys(values).filter((k) => (values as Record<string, unknown>)[k] !== (current as Record<string, unknown>)[k]);
    const [row] = await tx
      .update(people)
      .set({ ...values, version: current.version + 1, updatedAt: new Date() })
      .where(and(eq(people.id, personId), eq(people.version, version)))
      .returning();
    if (!row) throw new EditConflict(`The record of person ${personId}`);
    // Field names only: the values are personal data.
    await appendAudit(tx, actor, { action: 'person.updated', subjectType: 'person', subjectId: personId, siteId: row.siteId, details: { fields: changed } });
    return row;
  });
}

async function recordParts(tx: Executor, personId: number) {
  // One after another: a transaction is one connection, and pg refuses overlapping queries on it.
  const convictionRows = await tx
    .select()
    .from(convictions)
    .where(eq(convictions.personId, personId))
    .orderBy(asc(convictions.convictionDate), asc(convictions.id));
  const scoreRows = await tx
    .select({ score: riskScores, assessorName: users.displayName })
    .from(riskScores)
    .innerJoin(users, eq(users.id, riskScores.assessedBy))
    .where(eq(riskScores.personId, personId))
    .orderBy(desc(riskScores.createdAt), desc(riskScores.id));
  const referralRows = await tx
    .select({
      id: referrals.id,
      programmeId: referrals.programmeId,
      status: referrals.status,
      statusChangedAt: referrals.statusChangedAt,
      version: referrals.version,
    })
    .from(referrals)
    .where(eq(referrals.personId, personId))
    .orderBy(desc(referrals.createdAt), desc(referrals.id));
  return {
    convictions: convictionRows,
    scores: scoreRows.map((r) => ({ ...r.score, assessorName: r.assessorName })),
    referrals: referralRows,
  };
}

/** A man's whole record: details, offences, scores and referrals. Audited as person.viewed. */
export async function getPerson(db: Db, actor: Actor, personId: number): Promise<PersonRecord> {
  authorise(actor, 'person.read');
  return db.transaction(async (tx) => {
    const person = await loadPersonFor(tx, actor, personId);
    const parts = await recordParts(tx, personId);
    const site = await siteName(tx, person.siteId);
    await appendAudit(tx, actor, { action: 'person.viewed', subjectType: 'person', subjectId: personId, siteId: person.siteId });
    return { person: { ...person, siteName: site }, ...parts };
  });
}

/** For other services: the record without its own audit entry (the caller audits its read). */
export async function readPersonRecord(
  tx: Executor,
  actor: Actor,
  personId: number,
  action: Action = 'person.read',
): Promise<Omit<PersonRecord, 'person'> & { person: Person }> {
  const person = await loadPersonFor(tx, actor, personId, action);
  return { person, ...(await recordParts(tx, personId)) };
}

export const personSearchInput = z.object({
  q: z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string().max(100, 'Search must be 100 characters or fewer')),
  siteId: z.preprocess((v) => (v === '' || v === undefined ? undefined : v), z.coerce.number().int().positive('Choose a site').optional()),
  page: z.preprocess((v) => (v === '' || v === undefined ? 1 : v), z.coerce.number().int().min(1, 'Page must be 1 or more')),
  pageSize: z.preprocess((v) => (v === '' || v === undefined ? 25 : v), z.coerce.number().int().min(1).max(100, 'Page size must be 100 or less')),
});

export interface PersonSearchResult {
  people: Array<
    Pick<Person, 'id' | 'prisonNumber' | 'givenName' | 'familyName' | 'dateOfBirth' | 'siteId' | 'earliestReleaseDate' | 'version'> & { siteName: string }
  >;
  total: number;
  page: number;
  pageSize: number;
}

/** Finds people by name or prison number at the sites the actor sees (a facilitator: the men of his own groups). The audit keeps the count, never the search term. */
export async function searchPeople(db: Db, actor: Actor, input: unknown): Promise<PersonSearchResult> {
  authorise(actor, 'person.read');
  const { q, siteId, page, pageSize } = validate(personSearchInput, input ?? {});
  if (siteId !== undefined) authorise(actor, 'person.read', siteId);
  const scope = visibleSites(actor);
  const where: SQL[] = [];
  if (scope !== 'all') where.push(scope.length ? inArray(people.siteId, [...scope]) : sql`false`);
  if (siteId !== undefined) where.push(eq(people.siteId, siteId));
  const own = ownMenFilter(actor, 'person.read', sql`${people.id}`);
  if (own) where.push(own);
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      or(
        ilike(people.prisonNumber, pattern),
        ilike(people.givenName, pattern),
        ilike(people.familyName, pattern),
        ilike(sql`${people.givenName} || ' ' || ${people.familyName}`, pattern),
      )!,
    );
  }
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({
        ...personIdentity,
        siteId: people.siteId,
        version: people.version,
        siteName: sites.name,
        total: sql<number>`count(*) OVER ()`.mapWith(Number),
      })
      .from(people)
      .innerJoin(sites, eq(sites.id, people.siteId))
      .where(where.length ? and(...where) : undefined)
      .orderBy(asc(people.familyName), asc(people.givenName), asc(people.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize);
    const total = rows[0]?.total ?? 0;
    await appendAudit(tx, actor, { action: 'person.searched', subjectType: 'person', details: { count: total, returned: rows.length } });
    return { people: rows.map(({ total: _t, ...r }) => r), total, page, pageSize };
  });
}

export async function addConviction(db: Db, actor: Actor, personId: number, input: unknown, today = londonToday()): Promise<Conviction> {
  authorise(actor, 'person.edit');
  const values = validate(convictionInput, input);
  return db.transaction(async (tx) => {
    const person = await loadPersonFor(tx, actor, personId, 'person.edit');
    refuseImpossibleConviction(values.convictionDate, person, today);
    const [row] = await tx
      .insert(convictions)
      .values({ ...values, personId })
      .returning();
    await appendAudit(tx, actor, {
      action: 'conviction.added',
      subjectType: 'person',
      subjectId: personId,
      siteId: person.siteId,
      details: { convictionId: row.id },
    });
    return row;
  });
}

/** `personId`, when given, is the man the caller thinks the conviction is his (from a URL): a mismatch is NotFound. */
async function loadConvictionFor(tx: Tx, actor: Actor, convictionId: number, personId?: number): Promise<{ conviction: Conviction; person: Person }> {
  const [conviction] = await tx.select().from(convictions).where(eq(convictions.id, convictionId));
  if (!conviction || (personId !== undefined && conviction.personId !== personId)) throw new NotFound('Conviction');
  return { conviction, person: await loadPersonFor(tx, actor, conviction.personId, 'person.edit') };
}

export async function updateConviction(
  db: Db,
  actor: Actor,
  convictionId: number,
  input: unknown,
  personId?: number,
  today = londonToday(),
): Promise<Conviction> {
  authorise(actor, 'person.edit');
  const { version } = validate(withVersion, input);
  const values = validate(convictionInput, input);
  return db.transaction(async (tx) => {
    const { conviction, person } = await loadConvictionFor(tx, actor, convictionId, personId);
    refuseImpossibleConviction(values.convictionDate, person, today);
    const [row] = await tx
      .update(convictions)
      .set({ ...values, version: conviction.version + 1, updatedAt: new Date() })
      .where(and(eq(convictions.id, convictionId), eq(convictions.version, version)))
      .returning();
    if (!row) throw new EditConflict(`Conviction ${convictionId}`);
    await appendAudit(tx, actor, {
      action: 'conviction.updated',
      subjectType: 'person',
      subjectId: person.id,
      siteId: person.siteId,
      details: { convictionId },
    });
    return row;
  });
}

/**
 * Removes a conviction. His risk scores were computed from his record as it was, this conviction included, so
 * each score not already out of date is marked out of date (kept as history, shown as needing a rescore).
 * Returns how many scores were marked.
 */
export async function removeConviction(db: Db, actor: Actor, convictionId: number, input: unknown, personId?: number): Promise<{ scoresOutOfDate: number }> {
  authorise(actor, 'person.edit');
  const { version } = validate(withVersion, input);
  return db.transaction(async (tx) => {
    const { person } = await loadConvictionFor(tx, actor, convictionId, personId);
    const removed = await tx
      .delete(convictions)
      .where(and(eq(convictions.id, convictionId), eq(convictions.version, version)))
      .returning({ id: convictions.id });
    if (removed.length === 0) throw new EditConflict(`Conviction ${convictionId}`);
    const now = new Date();
    const marked = await tx
      .update(riskScores)
      .set({ outOfDateSince: now })
      .where(and(eq(riskScores.personId, person.id), isNull(riskScores.outOfDateSince)))
      .returning({ id: riskScores.id });
    await appendAudit(tx, actor, {
      action: 'conviction.removed',
      subjectType: 'person',
      subjectId: person.id,
      siteId: person.siteId,
      details: { convictionId, scoresOutOfDate: marked.map((m) => m.id) },
    });
    return { scoresOutOfDate: marked.length };
  });
}
