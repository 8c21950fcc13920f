// Demo registers: the demo groups' sessions held before today carry registers, recorded by the site's treatment
// manager through the register service — mostly attended, a few late and absent, so some catch-ups are required
// and one has been booked and delivered. Deterministic; never in production.
import { and, asc, eq, lt, ne } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { catchUpSessions, groupSessions, programmeGroups, requiredCatchUps, rooms, sessionRegisters, userSites, users } from '../db/schema.js';
import type { Role } from '../domain/roles.js';
import type { Actor } from './access.js';
import { londonToday } from '../clock.js';
import { getRegister, recordRegister } from './registers.js';
import { bookCatchUp, recordCatchUpOutcome } from './timetable/catch-ups.js';
import { ValidationFailed } from './errors.js';

/** The demo groups and who records their registers and delivers the catch-up (the team's cover facilitator). */
const demoGroups = [
  { name: 'NGT Core SOTP group 1', manager: 'manager', cover: 'facilitator4' },
  { name: 'SMR Core SOTP group 1', manager: 'manager2', cover: 'facilitator6' },
];

async function actorOf(db: Db, username: string): Promise<Actor | undefined> {
  const [user] = await db.select().from(users).where(eq(users.username, username));
  if (!user) return undefined;
  const siteIds = (await db.select().from(userSites).where(eq(userSites.userId, user.id))).map((s) => s.siteId);
  return { userId: user.id, username: user.username, role: user.role as Role, siteIds };
}

/** Most men attend; every so often one is a little late (not missed), very late or absent (missed). */
function demoEntry(personId: number, session: number, man: number) {
  const k = (session * 7 + man * 3) % 37;
  if (k === 4) return { personId, status: 'late', minutes: 10 };
  if (k === 11) return { personId, status: 'late', minutes: 45 };
  if (k === 19) return { personId, status: 'excused_absence', reason: 'Healthcare appointment' };
  if (k === 27) return { personId, status: 'unexcused_absence' };
  return { personId, status: 'attended' };
}

export async function seedDemoRegisters(db: Db, today = londonToday()): Promise<void> {
  for (const plan of demoGroups) {
    const [group] = await db.select().from(programmeGroups).where(eq(programmeGroups.name, plan.name));
    const manager = await actorOf(db, plan.manager);
    if (!group || !manager) continue;
    const held = await db
      .select({ id: groupSessions.id, number: groupSessions.number, date: groupSessions.sessionDate, registered: sessionRegisters.sessionId })
      .from(groupSessions)
      .leftJoin(sessionRegisters, eq(sessionRegisters.sessionId, groupSessions.id))
      .where(and(eq(groupSessions.groupId, group.id), ne(groupSessions.status, 'cancelled'), lt(groupSessions.sessionDate, today)))
      .orderBy(asc(groupSessions.sessionDate));
    for (const session of held) {
      if (session.registered !== null) continue;
      // Everyone in the group that day, including the demo men completed or deselected since.
      const { men } = await getRegister(db, manager, session.id, today);
      const entries = men.map((m, i) => demoEntry(m.personId, session.number, i));
      if (entries.length > 0) await recordRegister(db, manager, session.id, { version: 0, entries }, today);
    }
    await deliverOneCatchUp(db, manager, group.id, plan.cover, today);
  }
}

/**
 * The latest required catch-up (never of the first session, which the demo leaves for people to try) is booked
 * with the cover facilitator on the afternoon of the missed session's day, in the second room, and delivered.
 */
async function deliverOneCatchUp(db: Db, manager: Actor, groupId: number, coverName: string, today: string): Promise<void> {
  const [already] = await db.select({ id: catchUpSessions.id }).from(catchUpSessions).where(eq(catchUpSessions.groupId, groupId));
  const cover = await actorOf(db, coverName);
  if (already || !cover) return;
  const required = await db
    .select({ memberId: requiredCatchUps.memberId, sessionId: requiredCatchUps.sessionId, date: groupSessions.sessionDate, number: groupSessions.number })
    .from(requiredCatchUps)
    .innerJoin(groupSessions, eq(groupSessions.id, requiredCatchUps.sessionId))
    .where(and(eq(groupSessions.groupId, groupId), eq(requiredCatchUps.status, 'outstanding'), ne(groupSessions.number, 1)))
    .orderBy(asc(groupSessions.sessionDate));
  const [group] = await db.select().from(programmeGroups).where(eq(programmeGroups.id, groupId));
  const [room] = await db
    .select()
    .from(rooms)
    .where(and(eq(rooms.siteId, group.siteId), ne(rooms.id, group.roomId)));
  if (!room) return;
  // The cover facilitator may be standing in that afternoon: try the next latest.
  for (const missed of required.reverse()) {
    try {
      const { id } = await bookCatchUp(db, manager, groupId, {
        memberId: missed.memberId,
        sessionId: missed.sessionId,
        date: missed.date,
        start: '13:30',
        roomId: room.id,
        facilitatorId: cover.userId,
      });
      await recordCatchUpOutcome(db, cover, id, { outcome: 'delivered', version: 1 }, today);
      return;
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
    }
  }
}
