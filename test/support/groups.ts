// Fixtures for the group and timetable tests: a small estate of two prisons with rooms, managers and
// accredited facilitators, and a reader that turns what is stored into the independent checker's input.
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../../src/db/connection.js';
import {
  facilitatorProfiles,
  facilitatorUnavailability,
  groupFacilitators,
  groupMembers,
  groupSessions,
  groupSlots,
  people,
  programmeGroups,
  referrals,
  rooms,
  sessionFacilitators,
  siteClosures,
  userSites,
} from '../../src/db/schema.js';
import { loadProgrammeDefinitions } from '../../src/programme-files.js';
import { sessionBlocks } from '../../src/domain/programme/definition.js';
import type { CheckedProgramme, CheckedScenario, CheckedSolution } from '../../src/domain/schedule/check.js';
import { systemActor, type Actor } from '../../src/services/access.js';
import { createSite } from '../../src/services/sites.js';
import { createUser } from '../../src/services/users.js';
import { addRoom, addSiteSlot } from '../../src/services/site-setup.js';
import { londonToday } from '../../src/services/scheduling.js';
import { standingAccreditations } from '../../src/services/staff/accreditation.js';
import { accreditAndSupervise } from './staff.js';

export const coreSotp = loadProgrammeDefinitions().find((d) => d.id === 'core-sotp')!;

export const checkedCoreSotp: CheckedProgramme = {
  id: coreSotp.id,
  blocks: sessionBlocks(coreSotp),
  sessionMinutes: coreSotp.sessionMinutes,
  maxSessionsPerWeek: coreSotp.maxSessionsPerWeek,
  maxSessionsPerDay: coreSotp.maxSessionsPerDay,
  facilitatorsPerSession: coreSotp.facilitatorsPerSession,
};

/** A day the tests treat as today: before every group starts (the estate's supervision, dated the real today, counts for it). */
export const testToday = '2026-12-01';

export interface Estate {
  siteA: number;
  siteB: number;
  roomA1: number;
  roomA2: number;
  roomB1: number;
  managerA: Actor;
  managerB: Actor;
  /** Facilitators at site A (f1 … f5) and site B (g1). */
  f: Record<'f1' | 'f2' | 'f3' | 'f4' | 'f5' | 'g1', Actor>;
}

let counter = 0;

async function user(db: Db, role: 'treatment_manager' | 'facilitator', siteIds: number[], label: string): Promise<Actor> {
  counter++;
  const username = `${label}${counter}`.toLowerCase();
  const created = await createUser(db, systemActor, { username, displayName: `${label} Person${counter}`, role, siteIds, password: 'a-long-test-password' });
  return { userId: created.id, username, role, siteIds };
}

/** Both test prisons run sessions Monday to Friday at 09:00 and 13:30. */
export const estateSlots = ['mon', 'tue', 'wed', 'thu', 'fri'].flatMap((weekday) => ['09:00', '13:30'].map((start) => ({ weekday, start })));

/** Two prisons, each with weekday session slots: A with two rooms, two managers' worth of staff and five facilitators accredited and supervised today; B with one of each. */
export async function buildEstate(db: Db): Promise<Estate> {
  const suffix = String.fromCharCode(65 + (counter % 26));
  const siteA = (await createSite(db, systemActor, { code: `QA${suffix}`, name: `HMP Alpha ${suffix}` })).id;
  const siteB = (await createSite(db, systemActor, { code: `QB${suffix}`, name: `HMP Beta ${suffix}` })).id;
  const managerA = await user(db, 'treatment_manager', [siteA], 'ManagerA');
  const managerB = await user(db, 'treatment_manager', [siteB], 'ManagerB');
  const roomA1 = (await addRoom(db, managerA, siteA, { name: 'Room 1' })).id;
  const roomA2 = (await addRoom(db, managerA, siteA, { name: 'Room 2' })).id;
  const roomB1 = (await addRoom(db, managerB, siteB, { name: 'Room 1' })).id;
  for (const [siteId, manager] of [
    [siteA, managerA],
    [siteB, managerB],
  ] as const) {
    for (const slot of estateSlots) await addSiteSlot(db, manager, siteId, slot);
  }
  const f = {
    f1: await user(db, 'facilitator', [siteA], 'Fone'),
    f2: await user(db, 'facilitator', [siteA], 'Ftwo'),
    f3: await user(db, 'facilitator', [siteA], 'Fthree'),
    f4: await user(db, 'facilitator', [siteA], 'Ffour'),
    f5: await user(db, 'facilitator', [siteA], 'Ffive'),
    g1: await user(db, 'facilitator', [siteB], 'Gone'),
  };
  for (const [key, actor] of Object.entries(f)) {
    const manager = key === 'g1' ? managerB : managerA;
    await accreditAndSupervise(db, manager, actor.userId!);
  }
  return { siteA, siteB, roomA1, roomA2, roomB1, managerA, managerB, f };
}

export function groupForm(estate: Estate, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Group ${++counter}`,
    programmeId: 'core-sotp',
    roomId: String(estate.roomA1),
    capacity: '9',
    earliestStart: '2027-01-04',
    slots: ['mon 09:00', 'tue 09:00', 'wed 09:00', 'thu 09:00', 'fri 09:00'],
    treatmentManagerId: String(estate.managerA.userId),
    leadId: String(estate.f.f1.userId),
    coId: String(estate.f.f2.userId),
    coverId: String(estate.f.f3.userId),
    ...overrides,
  };
}

/** Puts men straight into a group (allocation is tested on its own): people and referrals at the group's site. */
export async function addMembers(db: Db, groupId: number, siteId: number, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    counter++;
    const letters = String.fromCharCode(65 + (counter % 26)) + String.fromCharCode(65 + ((counter * 7) % 26));
    const [person] = await db
      .insert(people)
      .values({
        prisonNumber: `A${String(1000 + counter).slice(-4)}${letters}`,
        givenName: 'Test',
        familyName: `Member${counter}`,
        dateOfBirth: '1980-01-01',
        sex: 'male',
        siteId,
      })
      .returning();
    const [referral] = await db.insert(referrals).values({ personId: person.id, programmeId: 'core-sotp', siteId, status: 'allocated' }).returning();
    const [member] = await db.insert(groupMembers).values({ groupId, referralId: referral.id, personId: person.id }).returning();
    ids.push(member.id);
  }
  return ids;
}

/**
 * Everything stored at a site, read straight from the tables (not through the services) and put in the
 * independent checker's terms: the site offers every slot any of its groups uses, and all its rooms.
 */
/** The site's stored timetable as the independent checker reads it, with accreditations as they stand on `today`. */
export async function storedTimetable(db: Db, siteId: number, today = londonToday()): Promise<{ scenario: CheckedScenario; solution: CheckedSolution }> {
  const groups = await db.select().from(programmeGroups).where(eq(programmeGroups.siteId, siteId));
  const groupIds = groups.map((g) => g.id);
  const slots = groupIds.length ? await db.select().from(groupSlots).where(inArray(groupSlots.groupId, groupIds)) : [];
  const teams = groupIds.length ? await db.select().from(groupFacilitators).where(inArray(groupFacilitators.groupId, groupIds)) : [];
  const sessions = groupIds.length
    ? (await db.select().from(groupSessions).where(inArray(groupSessions.groupId, groupIds))).filter((s) => s.status !== 'cancelled')
    : [];
  const links = sessions.length
    ? await db
        .select()
        .from(sessionFacilitators)
        .where(
          inArray(
            sessionFacilitators.sessionId,
            sessions.map((s) => s.id),
          ),
        )
    : [];
  const facilitatorIds = [...new Set([...teams.map((t) => t.userId), ...links.map((l) => l.userId)])];
  const siteRooms = await db.select().from(rooms).where(eq(rooms.siteId, siteId));
  const closures = await db.select().from(siteClosures).where(eq(siteClosures.siteId, siteId));
  const profiles = facilitatorIds.length ? await db.select().from(facilitatorProfiles).where(inArray(facilitatorProfiles.userId, facilitatorIds)) : [];
  const accreditations = await standingAccreditations(db, facilitatorIds, today);
  const away = facilitatorIds.length ? await db.select().from(facilitatorUnavailability).where(inArray(facilitatorUnavailability.userId, facilitatorIds)) : [];
  const userSiteRows = facilitatorIds.length ? await db.select().from(userSites).where(inArray(userSites.userId, facilitatorIds)) : [];
  const slotKeys = new Set(slots.map((s) => `${s.weekday} ${s.startTime}`));
  const scenario: CheckedScenario = {
    programme: 'core-sotp',
    closures: closures.map((c) => ({ site: String(siteId), date: c.closureDate })),
    sites: [
      { id: String(siteId), rooms: siteRooms.map((r) => String(r.id)), slots: [...slotKeys].map((k) => ({ weekday: k.slice(0, 3), start: k.slice(4) })) },
    ],
    facilitators: facilitatorIds.map((id) => ({
      id: String(id),
      sites: userSiteRows.filter((u) => u.userId === id).map((u) => String(u.siteId)),
      programmes: accreditations.filter((a) => a.userId === id).map((a) => a.programmeId),
      accreditations: accreditations
        .filter((a) => a.userId === id)
        .map((a) => ({ programme: a.programmeId, accreditedOn: a.accreditedOn, supervisionCurrentUntil: a.deliversUntil })),
      unavailable: away.filter((a) => a.userId === id).map((a) => a.unavailableOn),
      maxSessionsPerDay: profiles.find((p) => p.userId === id)?.maxSessionsPerDay ?? 1,
      maxSessionsPerWeek: profiles.find((p) => p.userId === id)?.maxSessionsPerWeek ?? 5,
    })),
    groups: groups.map((g) => ({
      id: String(g.id),
      site: String(siteId),
      earliestStart: g.earliestStart,
      team: teams.filter((t) => t.groupId === g.id).map((t) => String(t.userId)),
      cover: teams.filter((t) => t.groupId === g.id && t.teamRole === 'cover').map((t) => String(t.userId)),
    })),
  };
  const solution: CheckedSolution = {
    sessions: sessions.map((s) => ({
      group: String(s.groupId),
      number: s.number,
      block: s.block,
      date: s.sessionDate,
      start: s.startTime,
      end: s.endTime,
      room: String(s.roomId),
      facilitators: links.filter((l) => l.sessionId === s.id).map((l) => String(l.userId)),
      standIns: links
        .filter((l) => l.sessionId === s.id && l.standsInFor !== null)
        .map((l) => ({ cover: String(l.userId), for: String(l.standsInFor), obstacle: l.standInReason ?? undefined })),
    })),
    unscheduled: groups.filter((g) => g.status === 'unscheduled').map((g) => ({ group: String(g.id), reason: g.scheduleProblem ?? '' })),
  };
  return { scenario, solution };
}

export async function liveSessions(db: Db, groupId: number) {
  const rows = await db.select().from(groupSessions).where(eq(groupSessions.groupId, groupId));
  return rows.filter((r) => r.status !== 'cancelled').sort((a, b) => a.number - b.number);
}
