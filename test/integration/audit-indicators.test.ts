// The operational audit's indicators read from the demo's records (issue 13): each lists the records behind its
// figure, the sessions judged are exactly the site's sessions held in the period, access follows the permissions
// table, a bad period names its field, and every read is audit-logged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, gte, lte, ne } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditLog, groupSessions, programmeGroups, sites, users } from '../../src/db/schema.js';
import { dayNumber, isoDate } from '../../src/domain/schedule/calendar.js';
import type { Actor } from '../../src/services/access.js';
import { AccessDenied, ValidationFailed } from '../../src/services/errors.js';
import { operationalIndicators } from '../../src/services/qa/indicators.js';
import { londonToday } from '../../src/services/scheduling.js';
import { testDatabase } from '../support/database.js';

let database: Database;
let ngt: number;
let smr: number;
const actors: Record<string, Actor> = {};
const today = londonToday();
const period = () => ({ siteId: ngt, programmeId: 'core-sotp', from: isoDate(dayNumber(today) - 28), to: today });

before(async () => {
  database = await testDatabase({ demo: true });
  [{ id: ngt }] = await database.db.select().from(sites).where(eq(sites.code, 'NGT'));
  [{ id: smr }] = await database.db.select().from(sites).where(eq(sites.code, 'SMR'));
  for (const [name, role, siteIds] of [
    ['auditor', 'auditor', []],
    ['manager', 'treatment_manager', [ngt]],
    ['manager2', 'treatment_manager', [smr]],
    ['facilitator', 'facilitator', [ngt]],
  ] as const) {
    const [u] = await database.db.select().from(users).where(eq(users.username, name));
    actors[name] = { userId: u.id, username: name, role, siteIds };
  }
});
after(() => database.close());

test('every indicator’s figure counts exactly the records it lists, and the registers and logs judged are the site’s sessions held in the period', async () => {
  const indicators = await operationalIndicators(database.db, actors.auditor, period(), today);
  assert.deepEqual(
    indicators.map((i) => i.id),
    [
      'treatment_manager_named',
      'supervision_at_interval',
      'cancelled_for_resources',
      'groups_started_on_time',
      'supervision_actions_done',
      'assessed_before_allocation',
      'registers_on_time',
      'logs_on_time',
      'reports_on_time',
    ],
  );
  for (const i of indicators) {
    assert.equal(i.of, i.records.length, i.id);
    assert.equal(i.meeting, i.records.filter((r) => r.meets).length, i.id);
  }
  const held = await database.db
    .select({ id: groupSessions.id })
    .from(groupSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .where(
      and(
        eq(programmeGroups.siteId, ngt),
        ne(groupSessions.status, 'cancelled'),
        gte(groupSessions.sessionDate, period().from),
        lte(groupSessions.sessionDate, today),
      ),
    );
  assert.ok(held.length > 0, 'the demo group has held sessions in the last four weeks');
  const registers = indicators.find((i) => i.id === 'registers_on_time')!;
  assert.deepEqual(
    registers.records.map((r) => Number(r.href.split('#session-')[1])).sort((a, b) => a - b),
    held.map((s) => s.id).sort((a, b) => a - b),
  );
  // The group's lead delivered in the period, so his supervision is judged.
  const supervision = indicators.find((i) => i.id === 'supervision_at_interval')!;
  assert.ok(supervision.records.some((r) => r.label === 'Frankie Facilitator'));
});

test('an auditor reads any site’s indicators; a treatment manager only his own site’s; a facilitator none', async () => {
  await operationalIndicators(database.db, actors.auditor, { ...period(), siteId: smr }, today);
  await operationalIndicators(database.db, actors.manager, period(), today);
  await assert.rejects(operationalIndicators(database.db, actors.manager2, period(), today), AccessDenied);
  await assert.rejects(operationalIndicators(database.db, actors.facilitator, period(), today), AccessDenied);
  const reads = await database.db.select().from(auditLog).where(eq(auditLog.action, 'qa.indicators_viewed'));
  assert.ok(reads.length >= 3);
});

test('a period that ends before it starts, or is not a date, is refused naming the field', async () => {
  await assert.rejects(
    operationalIndicators(database.db, actors.auditor, { ...period(), to: isoDate(dayNumber(today) - 40) }, today),
    (e) => e instanceof ValidationFailed && e.errors[0].field === 'to',
  );
  await assert.rejects(
    operationalIndicators(database.db, actors.auditor, { ...period(), from: '2027-02-30' }, today),
    (e) => e instanceof ValidationFailed && e.errors[0].field === 'from',
  );
});
