import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditLog, convictions, groupFacilitators, groupMembers, people } from '../../src/db/schema.js';
import type { Actor } from '../../src/services/access.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { addConviction, createPerson, getPerson, removeConviction, searchPeople, updatePerson, updateConviction } from '../../src/services/people.js';
import { testDatabase } from '../support/database.js';
import { actorOf, siteIdOf } from '../support/actors.js';

let database: Database;
let manager: Actor; // Northgate
let manager2: Actor; // Southmoor
let assessor: Actor;
let facilitator: Actor;
let researcher: Actor;
let admin: Actor;
let ngt: number;
let smr: number;

before(async () => {
  database = await testDatabase({ demo: true });
  const db = database.db;
  [manager, manager2, assessor, facilitator, researcher, admin] = await Promise.all(
    ['manager', 'manager2', 'assessor', 'facilitator', 'researcher', 'admin'].map((u) => actorOf(db, u)),
  );
  ngt = await siteIdOf(db, 'NGT');
  smr = await siteIdOf(db, 'SMR');
});
after(() => database.close());

const man = (over: Record<string, unknown> = {}) => ({
  prisonNumber: 'T1000AA',
  givenName: 'Testy',
  familyName: 'Fictional',
  dateOfBirth: '1980-05-17',
  sex: 'male',
  siteId: ngt,
  ...over,
});

function fieldOf(error: unknown): string[] {
  assert.ok(error instanceof ValidationFailed, `expected ValidationFailed, got ${String(error)}`);
  return error.errors.map((e) => e.field);
}

test('a prison number must be a letter, 4 digits and 2 letters', async () => {
  for (const bad of ['1234ABC', 'A123BC', 'A12345BC', 'AB1234C', 'A1234B', '']) {
    await assert.rejects(createPerson(database.db, manager, man({ prisonNumber: bad })), (e) => fieldOf(e).includes('prisonNumber'), bad);
  }
});

test('prison numbers are stored upper-case and unique whatever their case; the refusal names the existing record', async () => {
  const first = await createPerson(database.db, manager, man({ prisonNumber: 't2000bb' }));
  assert.equal(first.prisonNumber, 'T2000BB');
  await assert.rejects(createPerson(database.db, assessor, man({ prisonNumber: 'T2000bB', givenName: 'Other' })), (e: unknown) => {
    assert.deepEqual(fieldOf(e), ['prisonNumber']);
    const [error] = (e as ValidationFailed).errors;
    assert.match(error.message, new RegExp(`person ${first.id}\\b`));
    assert.doesNotMatch(error.message, /\//, 'no raw path in the message: the link is separate');
    assert.equal(error.link?.href, `/people/${first.id}`);
    return true;
  });
});

test('editing with a stale version is a conflict and changes nothing', async () => {
  const p = await createPerson(database.db, manager, man({ prisonNumber: 'T3000CC' }));
  const edited = await updatePerson(database.db, manager, p.id, { givenName: 'Renamed', version: p.version });
  assert.equal(edited.version, p.version + 1);
  await assert.rejects(updatePerson(database.db, assessor, p.id, { familyName: 'Clobbered', version: p.version }), EditConflict);
  const [row] = await database.db.select().from(people).where(eq(people.id, p.id));
  assert.equal(row.familyName, 'Fictional');
  assert.equal(row.givenName, 'Renamed');
  assert.equal(row.version, p.version + 1);
});

test('a Southmoor treatment manager can neither read nor change a Northgate man', async () => {
  const p = await createPerson(database.db, manager, man({ prisonNumber: 'T4000DD' }));
  await assert.rejects(getPerson(database.db, manager2, p.id), AccessDenied);
  await assert.rejects(updatePerson(database.db, manager2, p.id, { givenName: 'X', version: p.version }), AccessDenied);
  await assert.rejects(addConviction(database.db, manager2, p.id, { convictionDate: '2010-01-01', offence: 'x', category: 'other' }), AccessDenied);
  await assert.rejects(createPerson(database.db, manager2, man({ prisonNumber: 'T4001DD', siteId: ngt })), AccessDenied);
  const found = await searchPeople(database.db, manager2, { q: 'T4000DD' });
  assert.equal(found.total, 0);
  assert.ok((await searchPeople(database.db, manager, { q: 't4000dd' })).total === 1);
});

test('a researcher cannot read a person or search people; an administrator cannot read or edit clinical records', async () => {
  const p = await createPerson(database.db, assessor, man({ prisonNumber: 'T5000EE', siteId: smr }));
  await assert.rejects(getPerson(database.db, researcher, p.id), AccessDenied);
  await assert.rejects(searchPeople(database.db, researcher, { q: '' }), AccessDenied);
  await assert.rejects(getPerson(database.db, admin, p.id), AccessDenied);
  await assert.rejects(createPerson(database.db, admin, man({ prisonNumber: 'T5001EE' })), AccessDenied);
});

test('a facilitator reads the men of his own groups only, and changes no one', async () => {
  const outside = await createPerson(database.db, manager, man({ prisonNumber: 'T5100EE' }));
  await assert.rejects(getPerson(database.db, facilitator, outside.id), AccessDenied);
  const [own] = await database.db
    .select({ personId: groupMembers.personId })
    .from(groupMembers)
    .innerJoin(groupFacilitators, eq(groupFacilitators.groupId, groupMembers.groupId))
    .where(and(eq(groupFacilitators.userId, facilitator.userId!), isNull(groupMembers.leftAt)))
    .limit(1);
  const record = await getPerson(database.db, facilitator, own.personId);
  assert.equal(record.person.id, own.personId);
  await assert.rejects(updatePerson(database.db, facilitator, own.personId, { givenName: 'X', version: record.person.version }), AccessDenied);
});

async function lastAudit() {
  const [row] = await database.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
  return row;
}

test('every read of a person appends an audit entry with no name or prison number in it', async () => {
  const p = await createPerson(database.db, manager, man({ prisonNumber: 'T6000FF', givenName: 'Quentin', familyName: 'Zebedee' }));
  const [{ n: before }] = await database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(auditLog);
  await getPerson(database.db, manager, p.id);
  const viewed = await lastAudit();
  assert.equal(viewed.action, 'person.viewed');
  assert.equal(viewed.subjectId, String(p.id));
  await searchPeople(database.db, manager, { q: 'Zebedee' });
  const searched = await lastAudit();
  assert.equal(searched.action, 'person.searched');
  assert.equal(searched.details.count, 1);
  const [{ n: afterCount }] = await database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(auditLog);
  assert.equal(afterCount, before + 2);
  for (const entry of [viewed, searched]) {
    const text = JSON.stringify(entry);
    for (const secret of ['Quentin', 'Zebedee', 'T6000FF', 't6000ff']) assert.ok(!text.includes(secret), `${entry.action} leaks ${secret}`);
  }
});

test('an edit is audited with the changed field names, never their values', async () => {
  const p = await createPerson(database.db, manager, man({ prisonNumber: 'T6100FF' }));
  await updatePerson(database.db, manager, p.id, { familyName: 'Secretname', version: p.version });
  const entry = await lastAudit();
  assert.equal(entry.action, 'person.updated');
  assert.deepEqual(entry.details.fields, ['familyName']);
  assert.ok(!JSON.stringify(entry).includes('Secretname'));
});

test('an IQ score needs the test and its date; dates must be real calendar days', async () => {
  await assert.rejects(createPerson(database.db, manager, man({ prisonNumber: 'T7000GG', iqScore: '95' })), (e) => {
    const fields = fieldOf(e);
    return fields.includes('iqTest') && fields.includes('iqDate');
  });
  await assert.rejects(createPerson(database.db, manager, man({ prisonNumber: 'T7001GG', dateOfBirth: '1980-02-30' })), (e) =>
    fieldOf(e).includes('dateOfBirth'),
  );
  const ok = await createPerson(
    database.db,
    manager,
    man({ prisonNumber: 'T7002GG', iqScore: '95', iqTest: 'WAIS-IV', iqDate: '2020-01-02', neverMarried: 'yes', sexualMurder: 'true' }),
  );
  assert.equal(ok.iqScore, 95);
  assert.equal(ok.neverMarried, true);
  assert.equal(ok.sexualMurder, true);
});

test('convictions are added, edited with their version and removed', async () => {
  const p = await createPerson(database.db, manager, man({ prisonNumber: 'T8000HH' }));
  const c = await addConviction(database.db, assessor, p.id, {
    convictionDate: '2005-03-01',
    offence: 'Fictional offence',
    category: 'sexual_contact',
    attempt: 'true',
    victimStranger: 'on',
  });
  assert.equal(c.attempt, true);
  assert.equal(c.victimStranger, true);
  assert.equal(c.victimMale, false);
  await assert.rejects(addConviction(database.db, assessor, p.id, { convictionDate: '2005-03-01', offence: 'x', category: 'arson' }), (e) =>
    fieldOf(e).includes('category'),
  );
  const edited = await updateConviction(database.db, manager, c.id, {
    convictionDate: '2005-03-01',
    offence: 'Changed',
    category: 'sexual_contact',
    version: c.version,
  });
  assert.equal(edited.attempt, false);
  await assert.rejects(removeConviction(database.db, manager, c.id, { version: c.version }), EditConflict);
  await removeConviction(database.db, manager, c.id, { version: edited.version });
  assert.equal((await database.db.select().from(convictions).where(eq(convictions.personId, p.id))).length, 0);
});
