// Benchmark for saving registers: 20 facilitators, each correcting the register of his own session over and over
// for 60 s (`--seconds N` to shorten a trial), all at once; p50/p95 of a save through the register service
// (validation, access, reads, optimistic locking, catch-up requirements, audit) against the same writes run
// directly in one transaction (version bump, entries, the version kept, the requirement, the audit entry).
// PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (a scratch database is made and dropped).
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import pg from 'pg';
import { wrapPglite, wrapPostgres, type Database, type Db } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import {
  groupMembers,
  groupSessions,
  people,
  referrals,
  registerEntries,
  registerVersions,
  requiredCatchUps,
  sessionFacilitators,
  sessionRegisters,
} from '../src/db/schema.js';
import { loadProgrammeDefinitions } from '../src/programme-files.js';
import { systemActor, type Actor } from '../src/services/access.js';
import { appendAudit } from '../src/services/audit.js';
import { grantAccreditation } from '../src/services/staff/accreditation.js';
import { recordSupervision } from '../src/services/staff/supervision.js';
import { londonToday } from '../src/services/scheduling.js';
import { createGroup } from '../src/services/groups/planning.js';
import { recordRegister } from '../src/services/registers.js';
import { recordProgrammeVersions } from '../src/services/programmes.js';
import { addRoom, addSiteSlot } from '../src/services/site-setup.js';
import { createSite } from '../src/services/sites.js';
import { createUser } from '../src/services/users.js';
import { markdownTable, reportResults } from './results.js';

const facilitatorCount = 20;
const menPerGroup = 9;
const secondsFlag = process.argv.indexOf('--seconds');
const seconds = secondsFlag > 0 ? Number(process.argv[secondsFlag + 1]) : 60;
const password = 'register-bench-password';

interface Seat {
  actor: Actor;
  sessionId: number;
  men: Array<{ personId: number; memberId: number }>;
}

/** One site, a group that ran in 2025, nine men, and 20 facilitators each named on one of its sessions. */
async function prepare(database: Database): Promise<Seat[]> {
  await migrate(database);
  await recordProgrammeVersions(database.db, loadProgrammeDefinitions());
  const db = database.db;
  const siteId = (await createSite(db, systemActor, { code: 'BEN', name: 'HMP Bench' })).id;
  const user = async (username: string, role: 'treatment_manager' | 'facilitator') => {
    const { id } = await createUser(db, systemActor, { username, displayName: username, role, siteIds: [siteId], password });
    return { userId: id, username, role, siteIds: [siteId] } as Actor;
  };
  const manager = await user('bench-manager', 'treatment_manager');
  const facilitators: Actor[] = [];
  for (let i = 1; i <= facilitatorCount; i++) facilitators.push(await user(`bench-facilitator-${i}`, 'facilitator'));
  const room = await addRoom(db, manager, siteId, { name: 'Room 1' });
  for (const weekday of ['mon', 'tue', 'wed', 'thu', 'fri']) await addSiteSlot(db, manager, siteId, { weekday, start: '09:00' });
  for (const f of facilitators.slice(0, 3)) {
    await db.transaction((tx) => grantAccreditation(tx, manager, { userId: f.userId!, programmeId: 'core-sotp', accreditedOn: '2024-01-01' }));
    await recordSupervision(db, manager, f.userId!, { supervisedOn: londonToday(), supervisorId: manager.userId });
  }
  const group = await createGroup(
    db,
    manager,
    siteId,
    {
      name: 'Bench group',
      programmeId: 'core-sotp',
      roomId: String(room.id),
      capacity: '9',
      earliestStart: '2025-01-06',
      slots: ['mon 09:00', 'tue 09:00', 'wed 09:00', 'thu 09:00', 'fri 09:00'],
      treatmentManagerId: String(manager.userId),
      leadId: String(facilitators[0].userId),
      coId: String(facilitators[1].userId),
      coverId: String(facilitators[2].userId),
    },
    '2025-01-01',
  );
  const men: Seat['men'] = [];
  for (let i = 0; i < menPerGroup; i++) {
    const [person] = await db
      .insert(people)
      .values({ prisonNumber: `B${1000 + i}BN`, givenName: 'Bench', familyName: `Man${i}`, dateOfBirth: '1980-01-01', sex: 'male', siteId })
      .returning();
    const [referral] = await db.insert(referrals).values({ personId: person.id, programmeId: 'core-sotp', siteId, status: 'on_programme' }).returning();
    const [member] = await db.insert(groupMembers).values({ groupId: group.id, referralId: referral.id, personId: person.id }).returning();
    men.push({ personId: person.id, memberId: member.id });
  }
  // Volume, not realism: each facilitator is named on a session of his own, so each saves a register he may record.
  const sessions = await db
    .select({ id: groupSessions.id })
    .from(groupSessions)
    .where(and(eq(groupSessions.groupId, group.id), ne(groupSessions.status, 'cancelled')))
    .orderBy(asc(groupSessions.number))
    .limit(facilitatorCount);
  await db
    .insert(sessionFacilitators)
    .values(sessions.map((s, i) => ({ sessionId: s.id, userId: facilitators[i].userId! })))
    .onConflictDoNothing();
  return sessions.map((s, i) => ({ actor: facilitators[i], sessionId: s.id, men }));
}

/** The n-th save of a seat: the first man alternates between attended and 45 minutes late (a missed session). */
function entriesFor(seat: Seat, n: number) {
  return seat.men.map((m, i) =>
    i === 0 && n % 2 === 1 ? { personId: m.personId, status: 'late' as const, minutes: 45 } : { personId: m.personId, status: 'attended' as const },
  );
}

/** The service's writes without its reads, checks and validation: what a save costs the database at least. */
async function directSave(db: Db, seat: Seat, version: number, n: number): Promise<void> {
  const entries = entriesFor(seat, n);
  await db.transaction(async (tx) => {
    const now = new Date();
    const saved =
      version === 0
        ? await tx.insert(sessionRegisters).values({ sessionId: seat.sessionId, recordedBy: seat.actor.userId! }).returning()
        : await tx
            .update(sessionRegisters)
            .set({ version: version + 1, updatedAt: now })
            .where(and(eq(sessionRegisters.sessionId, seat.sessionId), eq(sessionRegisters.version, version)))
            .returning();
    if (saved.length === 0) throw new Error('stale version in the bench');
    await tx.delete(registerEntries).where(eq(registerEntries.sessionId, seat.sessionId));
    await tx.insert(registerEntries).values(
      entries.map((e, i) => ({
        sessionId: seat.sessionId,
        memberId: seat.men[i].memberId,
        personId: e.personId,
        status: e.status,
        minutes: e.status === 'late' ? e.minutes : null,
      })),
    );
    await tx.insert(registerVersions).values({ sessionId: seat.sessionId, version: version + 1, entries, recordedBy: seat.actor.userId! });
    const first = seat.men[0];
    if (n % 2 === 1) await tx.insert(requiredCatchUps).values({ sessionId: seat.sessionId, memberId: first.memberId, personId: first.personId });
    else
      await tx
        .update(requiredCatchUps)
        .set({ status: 'withdrawn' })
        .where(and(eq(requiredCatchUps.sessionId, seat.sessionId), eq(requiredCatchUps.memberId, first.memberId), ne(requiredCatchUps.status, 'withdrawn')));
    await appendAudit(tx, seat.actor, {
      action: 'register.corrected',
      subjectType: 'group_session',
      subjectId: seat.sessionId,
      details: { version: version + 1 },
    });
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Every seat saves in a loop until the time is up; returns each save's milliseconds. */
async function run(seats: Seat[], save: (seat: Seat, version: number, n: number) => Promise<number>): Promise<number[]> {
  const times: number[] = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    seats.map(async (seat) => {
      let version = 0;
      for (let n = 0; Date.now() < end; n++) {
        const start = performance.now();
        version = await save(seat, version, n);
        times.push(performance.now() - start);
      }
    }),
  );
  return times.sort((a, b) => a - b);
}

async function measure(database: Database, kind: string): Promise<Array<Array<string | number>>> {
  const seats = await prepare(database);
  const db = database.db;
  const service = await run(
    seats,
    async (seat, version, n) => (await recordRegister(db, seat.actor, seat.sessionId, { version, entries: entriesFor(seat, n) })).version,
  );
  // Start the direct phase from clean registers, so both phases write the same rows.
  await db.execute(sql`TRUNCATE session_registers, required_catch_ups CASCADE`);
  const direct = await run(seats, async (seat, version, n) => {
    await directSave(db, seat, version, n);
    return version + 1;
  });
  const row = (what: string, times: number[]) => [
    kind,
    what,
    times.length,
    (times.length / seconds).toFixed(1),
    percentile(times, 50).toFixed(1),
    percentile(times, 95).toFixed(1),
  ];
  const ratio = percentile(service, 95) / percentile(direct, 95);
  return [row('through the service', service), row('same writes, direct', direct), [kind, 'p95 service ÷ direct', '', '', '', ratio.toFixed(2)]];
}

async function postgres(baseUrl: string): Promise<{ database: Database; drop: () => Promise<void> }> {
  const name = `sotp_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    database: wrapPostgres(new pg.Pool({ connectionString: url.toString(), max: facilitatorCount })),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: baseUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

const rows: Array<Array<string | number>> = [];
const embedded = wrapPglite(await PGlite.create());
rows.push(...(await measure(embedded, 'PGlite')));
await embedded.close();
const baseUrl = process.env.TEST_DATABASE_URL;
let note = '';
if (baseUrl) {
  const { database, drop } = await postgres(baseUrl);
  try {
    rows.push(...(await measure(database, 'PostgreSQL')));
  } finally {
    await database.close();
    await drop();
  }
} else {
  note = ' PostgreSQL was not measured: TEST_DATABASE_URL was not set.';
}
reportResults(
  'Saving registers (bench/register.ts)',
  `${markdownTable(['database', 'save', 'saves', 'saves/s', 'p50 ms', 'p95 ms'], rows)}\n\n${facilitatorCount} facilitators at once, each correcting the register of his own session (${menPerGroup} men; the first alternately attended and 45 minutes late, so a catch-up is required and withdrawn in turn) for ${seconds} s per phase. "Through the service" is recordRegister (validation, access, reads of the session, group, men and programme, optimistic locking, catch-up requirements, audit); "same writes, direct" is its writes alone in one transaction. Aim: p95 within 2× of direct.${note}`,
);
