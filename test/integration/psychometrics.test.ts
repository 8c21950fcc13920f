// Psychometric tests through the services: an assessor records them (scored with reverse keys and prorating,
// audited, corrected only with the version read), others may not; the man's change per scale; the summaries;
// and the researchers' CSV, which names men by pseudonym only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditLog, groupMembers, people, programmeGroups } from '../../src/db/schema.js';
import type { Actor } from '../../src/services/access.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { createPerson } from '../../src/services/people.js';
import { pseudonymFor } from '../../src/services/pseudonyms.js';
import { changeExportCsv, groupChangeSummary, personChange, programmeChangeSummary, recordTest } from '../../src/services/psychometrics.js';
import { actorOf, siteIdOf } from '../support/actors.js';
import { testDatabase } from '../support/database.js';

let database: Database;
let manager: Actor;
let assessor: Actor;
let facilitator: Actor;
let researcher: Actor;
let ngt: number;
let serial = 0;
const today = '2026-11-28';
const key = 'a-test-pseudonym-key-of-at-least-32-characters';
const instrument = 'illustrative-sexual-interests';
// Items i3 and i6 of the illustrative sexual interests scale are reverse-keyed (answers 1–5).
const reversed = new Set(['i3', 'i6']);
/** Answers that all score `keyed` once reverse keys are applied; `skip` items left unanswered. */
const answers = (keyed: number, skip: string[] = []) =>
  Object.fromEntries(
    ['i1', 'i2', 'i3', 'i4', 'i5', 'i6'].map((id) => [`response-${id}`, skip.includes(id) ? '' : String(reversed.has(id) ? 6 - keyed : keyed)]),
  );

before(async () => {
  database = await testDatabase({ demo: true });
  [manager, assessor, facilitator, researcher] = await Promise.all(['manager', 'assessor', 'facilitator', 'researcher'].map((u) => actorOf(database.db, u)));
  ngt = await siteIdOf(database.db, 'NGT');
});
after(() => database.close());

async function newMan() {
  serial += 1;
  return createPerson(database.db, manager, {
    prisonNumber: `Q${String(1000 + serial)}PS`,
    givenName: 'Testy',
    familyName: 'Psychometric',
    dateOfBirth: '1980-05-17',
    sex: 'male',
    siteId: ngt,
  });
}

test('an assessor records pre and post tests; the man’s change is read with the scale’s reverse keys, norms and direction', async () => {
  const man = await newMan();
  await recordTest(database.db, assessor, man.id, { instrument, occasion: 'pre', administeredOn: '2026-05-01', ...answers(5) }, today);
  await recordTest(database.db, assessor, man.id, { instrument, occasion: 'post', administeredOn: '2026-11-01', ...answers(2) }, today);
  const { changes, tests } = await personChange(database.db, manager, man.id);
  assert.equal(tests.length, 2);
  const [c] = changes;
  assert.equal(c.domain, 'sexual_interests');
  // 6 items keyed 5 = 30 before, keyed 2 = 12 after. Norms (illustrative file): dysfunctional 20 ± 4, functional 13 ± 3.5, r = 0.85.
  assert.equal(c.pre?.status === 'scored' && c.pre.score, 30);
  assert.equal(c.post?.status === 'scored' && c.post.score, 12);
  const sDiff = Math.SQRT2 * 4 * Math.sqrt(1 - 0.85);
  assert.equal(c.change?.change, -18);
  assert.ok(Math.abs(c.change!.rci - -18 / sDiff) < 1e-12);
  assert.equal(c.change?.reliableChange, 'improved');
  // c = (4 · 13 + 3.5 · 20) / 7.5 = 16.27: 30 is above it and 12 below, so he has recovered.
  assert.ok(Math.abs(c.change!.cutoff! - (4 * 13 + 3.5 * 20) / 7.5) < 1e-12);
  assert.equal(c.change?.clinicallySignificant, true);
});

test('a test with more items missing than the prorating rule allows is kept, its scale not scored, and the man’s page says why', async () => {
  const man = await newMan();
  await recordTest(database.db, assessor, man.id, { instrument, occasion: 'pre', administeredOn: '2026-05-01', ...answers(4, ['i1', 'i2']) }, today);
  await recordTest(database.db, assessor, man.id, { instrument, occasion: 'post', administeredOn: '2026-11-01', ...answers(2, ['i1']) }, today);
  const [c] = (await personChange(database.db, assessor, man.id)).changes;
  assert.equal(c.pre?.status, 'not_scored');
  // One missing of six is within the rule: keyed 2 × 5 answered / 5 × 6 = 12.
  assert.deepEqual(
    c.post && { status: c.post.status, score: c.post.status === 'scored' && c.post.score, prorated: c.post.status === 'scored' && c.post.prorated },
    {
      status: 'scored',
      score: 12,
      prorated: true,
    },
  );
  assert.equal(c.change, null);
  assert.match(c.missing ?? '', /^Not scored before treatment: 2 of 6 items not answered/);
});

test('only an assessor records psychometric tests: a facilitator and a researcher are refused, and nothing is stored', async () => {
  const man = await newMan();
  for (const actor of [facilitator, researcher, manager]) {
    await assert.rejects(
      recordTest(database.db, actor, man.id, { instrument, occasion: 'pre', administeredOn: '2026-05-01', ...answers(3) }, today),
      AccessDenied,
      actor.role,
    );
  }
  assert.equal((await personChange(database.db, manager, man.id)).tests.length, 0);
  await assert.rejects(personChange(database.db, researcher, man.id), AccessDenied);
});

test('a test is corrected only with the version read: a second record without it is refused naming the occasion, a stale one is a conflict', async () => {
  const man = await newMan();
  const first = await recordTest(database.db, assessor, man.id, { instrument, occasion: 'pre', administeredOn: '2026-05-01', ...answers(3) }, today);
  await assert.rejects(
    recordTest(database.db, assessor, man.id, { instrument, occasion: 'pre', administeredOn: '2026-05-02', ...answers(4) }, today),
    (e: unknown) => e instanceof ValidationFailed && e.errors[0].field === 'occasion',
  );
  const corrected = await recordTest(
    database.db,
    assessor,
    man.id,
    { instrument, occasion: 'pre', administeredOn: '2026-05-02', version: first.version, ...answers(4) },
    today,
  );
  assert.equal(corrected.version, first.version + 1);
  assert.equal(corrected.administeredOn, '2026-05-02');
  await assert.rejects(
    recordTest(database.db, assessor, man.id, { instrument, occasion: 'pre', administeredOn: '2026-05-03', version: first.version, ...answers(5) }, today),
    EditConflict,
  );
  const entries = await database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.subjectType, 'person'), eq(auditLog.subjectId, String(man.id))))
    .orderBy(desc(auditLog.seq));
  assert.deepEqual(
    entries.filter((e) => e.action.startsWith('psychometric_test.')).map((e) => [e.action, e.details.testId, e.details.occasion]),
    [
      ['psychometric_test.corrected', first.id, 'pre'],
      ['psychometric_test.recorded', first.id, 'pre'],
    ],
  );
});

test('a test is refused naming the field: an answer outside the response scale, a date in the future, an unknown instrument', async () => {
  const man = await newMan();
  const refused: Array<[Record<string, unknown>, string]> = [
    [{ instrument, occasion: 'pre', administeredOn: '2026-05-01', ...answers(3), 'response-i2': '6' }, 'response-i2'],
    [{ instrument, occasion: 'pre', administeredOn: '2026-12-25', ...answers(3) }, 'administeredOn'],
    [{ instrument: 'no-such-scale', occasion: 'pre', administeredOn: '2026-05-01' }, 'instrument'],
    [{ instrument, occasion: 'halfway', administeredOn: '2026-05-01', ...answers(3) }, 'occasion'],
  ];
  for (const [input, field] of refused) {
    await assert.rejects(
      recordTest(database.db, assessor, man.id, input, today),
      (e: unknown) => e instanceof ValidationFailed && e.errors.some((x) => x.field === field),
      field,
    );
  }
  assert.equal((await personChange(database.db, assessor, man.id)).tests.length, 0);
});

test('the researchers’ CSV of pre and post scores and change names each man by his pseudonym only', async () => {
  const man = await newMan();
  await recordTest(database.db, assessor, man.id, { instrument, occasion: 'pre', administeredOn: '2026-05-01', ...answers(5) }, today);
  await recordTest(database.db, assessor, man.id, { instrument, occasion: 'post', administeredOn: '2026-11-01', ...answers(2) }, today);
  await assert.rejects(changeExportCsv(database.db, facilitator, key), AccessDenied);
  await assert.rejects(changeExportCsv(database.db, manager, key), AccessDenied);
  const { csv } = await changeExportCsv(database.db, researcher, key);
  const everyone = await database.db.select({ prisonNumber: people.prisonNumber, familyName: people.familyName }).from(people);
  for (const p of everyone) assert.ok(!csv.includes(p.prisonNumber), `prison number ${p.prisonNumber} in the export`);
  assert.ok(!csv.includes('Psychometric'), 'a family name in the export');
  const lines = csv.trim().split('\n');
  const header = lines[0].split(',');
  const row = lines.find((l) => l.startsWith(`${pseudonymFor(man.prisonNumber, key)},${instrument},`));
  assert.ok(row, 'the man’s row, under his pseudonym');
  const cells = Object.fromEntries(row.split(',').map((v, i) => [header[i], v]));
  assert.equal(cells.pre_score, '30');
  assert.equal(cells.post_score, '12');
  assert.equal(cells.change, '-18');
  assert.equal(cells.reliable_change, 'improved');
  assert.equal(cells.clinically_significant, '1');
  assert.ok(
    lines.slice(1).every((l) => /^P[0-9a-f]{20},/.test(l)),
    'every row starts with a pseudonym',
  );
});

test('a group’s and a programme’s summaries count the demo men’s scale results per domain, each once', async () => {
  const [member] = await database.db
    .select({ groupId: groupMembers.groupId })
    .from(groupMembers)
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupMembers.groupId))
    .where(eq(programmeGroups.siteId, ngt))
    .limit(1);
  const group = await groupChangeSummary(database.db, manager, member.groupId);
  const programme = await programmeChangeSummary(database.db, researcher, 'core-sotp');
  assert.deepEqual(
    programme.domains.map((d) => d.domain),
    ['sexual_interests', 'offence_supportive_attitudes', 'interpersonal_deficits', 'self_regulation_deficits'],
  );
  for (const summary of [group, programme]) {
    assert.ok(summary.men > 0 && summary.men <= summary.members);
    for (const d of summary.domains) {
      assert.equal(d.improved + d.unchanged + d.deteriorated, d.n, d.domain);
      assert.ok(d.recovered <= d.improved, d.domain);
    }
  }
  // The programme's summary covers every group, so it counts at least as many as one group.
  assert.ok(programme.domains.every((d, i) => d.n >= group.domains[i].n));
  await assert.rejects(groupChangeSummary(database.db, facilitator, member.groupId), AccessDenied);
});
