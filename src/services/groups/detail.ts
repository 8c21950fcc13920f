// One group in full: its timetable with facilitators and stand-ins, members past and present, catch-ups,
// and why its first session is after its earliest start.
import { asc, eq, inArray } from 'drizzle-orm';
import type { Db, Executor } from '../../db/connection.js';
import {
  catchUpSessions,
  groupFacilitators,
  groupMembers,
  groupSessions,
  groupSlots,
  people,
  programmeVersions,
  referrals,
  rooms,
  sessionFacilitators,
  sites,
  users,
} from '../../db/schema.js';
import type { ProgrammeDefinition } from '../../domain/programme/definition.js';
import { weekdayNames, type WeekdayName } from '../../domain/schedule/calendar.js';
import { type GroupGap, type LostDays, type Obstacle } from '../../domain/schedule/solver.js';
import { type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { affectedGroups, facilitatorsOfSessions, londonToday, obstacleNames, obstacleText, upcomingSessions } from '../scheduling.js';
import { loadGroup, managesSite, requireGroupReader, teamRoles, type TeamRole } from './access.js';

export interface TimetableSession {
  id: number;
  number: number;
  block: number;
  date: string;
  start: string;
  end: string;
  roomId: number;
  roomName: string;
  facilitators: Array<{ id: number; displayName: string }>;
  /** Why each cover facilitator in the session stands in, e.g. "Robin Cover stood in for Frankie Lead: Frankie Lead was unavailable". */
  standIns: string[];
  status: string;
  cancelReason: string | null;
  version: number;
}

export interface GroupMember {
  id: number;
  referralId: number;
  personId: number;
  name: string;
  prisonNumber: string;
  /** The referral's version, for the remove-from-group form. */
  referralVersion: number;
}

export interface FormerMember extends GroupMember {
  leftAt: Date;
  leftReason: string;
}

export interface CatchUp {
  id: number;
  memberId: number;
  memberName: string;
  sessionNumber: number;
  date: string;
  start: string;
  end: string;
  facilitatorId: number;
  facilitatorName: string;
  roomName: string;
  status: string;
  deliveredOn: string | null;
  version: number;
}

export interface GroupDetail {
  id: number;
  name: string;
  siteId: number;
  siteName: string;
  programmeId: string;
  programmeName: string;
  programmeVersion: number;
  totalSessions: number;
  roomName: string;
  capacity: number;
  earliestStart: string;
  treatmentManager: string;
  status: string;
  scheduleProblem: string | null;
  /** Why the first session is later than the earliest start: each obstacle with the days it took. */
  startDelay: Array<{ text: string; days: number; first: string; last: string }>;
  /** How the planned finish compares with the calendar bound and what took the meeting days lost; null when not known. */
  planGap: {
    bound: string;
    finish: string;
    ratio: number;
    daysLost: number;
    reasons: Array<{ text: string; days: number; first: string; last: string }>;
  } | null;
  /** Sessions still to run that now break a staffing rule (supervision lapsed, unavailable, closed), each with its problems. */
  problems: Record<number, string[]>;
  version: number;
  slots: Array<{ weekday: string; start: string }>;
  team: Array<{ userId: number; displayName: string; teamRole: TeamRole }>;
  sessions: TimetableSession[];
  /** Current members (the ones who fill places). */
  members: GroupMember[];
  /** Men who were in the group and left it (removed, held, withdrawn, deselected or completed), most recent first. */
  formerMembers: FormerMember[];
  catchUps: CatchUp[];
  canManage: boolean;
}

/** Each cover facilitator's stand-in, in words, by session. */
async function standInsOf(ex: Executor, sessionIds: number[]): Promise<Map<number, string[]>> {
  const result = new Map<number, string[]>();
  if (sessionIds.length === 0) return result;
  const rows = (await ex.select().from(sessionFacilitators).where(inArray(sessionFacilitators.sessionId, sessionIds))).filter((r) => r.standsInFor !== null);
  if (rows.length === 0) return result;
  const obstacles = rows.flatMap((r) => (r.standInReason ? [r.standInReason as Obstacle] : []));
  const names = await obstacleNames(
    ex,
    obstacles,
    rows.flatMap((r) => [String(r.userId), String(r.standsInFor)]),
  );
  for (const r of rows) {
    const why = r.standInReason ? obstacleText(r.standInReason as Obstacle, names) : 'swapped in by a treatment manager';
    result.set(r.sessionId, [
      ...(result.get(r.sessionId) ?? []),
      `${names.person(String(r.userId))} stood in for ${names.person(String(r.standsInFor))}: ${why}`,
    ]);
  }
  return result;
}

export async function sessionsWithNames(ex: Executor, rows: Array<typeof groupSessions.$inferSelect>): Promise<TimetableSession[]> {
  const facilitators = await facilitatorsOfSessions(
    ex,
    rows.map((r) => r.id),
  );
  const standIns = await standInsOf(
    ex,
    rows.map((r) => r.id),
  );
  const userIds = [...new Set([...facilitators.values()].flat())];
  const names = new Map(
    userIds.length ? (await ex.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, userIds))).map((u) => [u.id, u.name]) : [],
  );
  const roomIds = [...new Set(rows.map((r) => r.roomId))];
  const roomNames = new Map(roomIds.length ? (await ex.select().from(rooms).where(inArray(rooms.id, roomIds))).map((r) => [r.id, r.name]) : []);
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    block: r.block,
    date: r.sessionDate,
    start: r.startTime,
    end: r.endTime,
    roomId: r.roomId,
    roomName: roomNames.get(r.roomId) ?? '',
    facilitators: (facilitators.get(r.id) ?? []).map((id) => ({ id, displayName: names.get(id) ?? '' })),
    standIns: standIns.get(r.id) ?? [],
    status: r.status,
    cancelReason: r.cancelReason,
    version: r.version,
  }));
}

/** The solver's stored gap, in words; none once the timetable has changed since (its finish is no longer the last session). */
export async function planGapText(ex: Executor, gap: GroupGap | null, lastLive: string | undefined): Promise<GroupDetail['planGap']> {
  if (!gap || gap.finish !== lastLive) return null;
  return { bound: gap.bound, finish: gap.finish, ratio: gap.ratio, daysLost: gap.daysLost, reasons: await startDelayText(ex, gap.reasons) };
}

/** The stored obstacles of lost days, in words. */
async function startDelayText(ex: Executor, delay: LostDays[]): Promise<GroupDetail['startDelay']> {
  const names = await obstacleNames(
    ex,
    delay.map((d) => d.obstacle),
  );
  return delay.map((d) => ({ text: obstacleText(d.obstacle, names), days: d.days, first: d.first, last: d.last }));
}

export async function getGroup(db: Db, actor: Actor, groupId: number, today = londonToday()): Promise<GroupDetail> {
  return db.transaction(async (tx) => {
    const group = await loadGroup(tx, groupId);
    await requireGroupReader(tx, actor, group);
    const [version] = await tx.select().from(programmeVersions).where(eq(programmeVersions.id, group.programmeVersionId));
    const definition = version.definition as ProgrammeDefinition;
    const [site] = await tx.select().from(sites).where(eq(sites.id, group.siteId));
    const [room] = await tx.select().from(rooms).where(eq(rooms.id, group.roomId));
    const [manager] = await tx.select({ name: users.displayName }).from(users).where(eq(users.id, group.treatmentManagerId));
    const slots = await tx.select().from(groupSlots).where(eq(groupSlots.groupId, groupId));
    const team = await tx
      .select({ userId: groupFacilitators.userId, teamRole: groupFacilitators.teamRole, displayName: users.displayName })
      .from(groupFacilitators)
      .innerJoin(users, eq(users.id, groupFacilitators.userId))
      .where(eq(groupFacilitators.groupId, groupId));
    const rows = await tx
      .select()
      .from(groupSessions)
      .where(eq(groupSessions.groupId, groupId))
      .orderBy(asc(groupSessions.sessionDate), asc(groupSessions.number));
    const memberRows = await tx
      .select({
        id: groupMembers.id,
        referralId: groupMembers.referralId,
        personId: groupMembers.personId,
        leftAt: groupMembers.leftAt,
        leftReason: groupMembers.leftReason,
        given: people.givenName,
        family: people.familyName,
        prisonNumber: people.prisonNumber,
        referralVersion: referrals.version,
      })
      .from(groupMembers)
      .innerJoin(people, eq(people.id, groupMembers.personId))
      .innerJoin(referrals, eq(referrals.id, groupMembers.referralId))
      .where(eq(groupMembers.groupId, groupId))
      .orderBy(asc(people.familyName), asc(people.givenName));
    const asMember = (m: (typeof memberRows)[number]): GroupMember => ({
      id: m.id,
      referralId: m.referralId,
      personId: m.personId,
      name: `${m.given} ${m.family}`,
      prisonNumber: m.prisonNumber,
      referralVersion: m.referralVersion,
    });
    const members = memberRows.filter((m) => m.leftAt === null).map(asMember);
    const formerMembers = memberRows
      .filter((m) => m.leftAt !== null)
      .map((m) => ({ ...asMember(m), leftAt: m.leftAt!, leftReason: m.leftReason ?? '' }))
      .sort((a, b) => b.leftAt.getTime() - a.leftAt.getTime());
    const catchUpRows = await tx
      .select({ c: catchUpSessions, facilitatorName: users.displayName, roomName: rooms.name })
      .from(catchUpSessions)
      .innerJoin(users, eq(users.id, catchUpSessions.facilitatorId))
      .innerJoin(rooms, eq(rooms.id, catchUpSessions.roomId))
      .where(eq(catchUpSessions.groupId, groupId))
      .orderBy(asc(catchUpSessions.sessionDate), asc(catchUpSessions.startTime));
    if (memberRows.length > 0) {
      await appendAudit(tx, actor, {
        action: 'group.members_viewed',
        subjectType: 'group',
        subjectId: groupId,
        siteId: group.siteId,
        details: { people: [...new Set(memberRows.map((m) => m.personId))] },
      });
    }
    const order = (w: string) => weekdayNames.indexOf(w as WeekdayName);
    const firstLive = rows.find((r) => r.status !== 'cancelled');
    const delayed = firstLive !== undefined && firstLive.sessionDate > group.earliestStart && Array.isArray(group.startDelay);
    const affected = await affectedGroups(tx, await upcomingSessions(tx, { groupIds: [groupId] }, today), today);
    return {
      id: group.id,
      name: group.name,
      siteId: group.siteId,
      siteName: site.name,
      programmeId: definition.id,
      programmeName: definition.shortName,
      programmeVersion: definition.version,
      totalSessions: definition.totalSessions,
      roomName: room?.name ?? '',
      capacity: group.capacity,
      earliestStart: group.earliestStart,
      treatmentManager: manager?.name ?? '',
      status: group.status,
      scheduleProblem: group.scheduleProblem,
      startDelay: delayed ? await startDelayText(tx, group.startDelay as LostDays[]) : [],
      planGap: await planGapText(tx, group.planGap as GroupGap | null, rows.filter((r) => r.status !== 'cancelled').at(-1)?.sessionDate),
      problems: Object.fromEntries((affected[0]?.sessions ?? []).map((s) => [s.id, s.problems])),
      version: group.version,
      slots: slots
        .map((s) => ({ weekday: s.weekday, start: s.startTime }))
        .sort((a, b) => order(a.weekday) - order(b.weekday) || a.start.localeCompare(b.start)),
      team: team
        .map((t) => ({ userId: t.userId, displayName: t.displayName, teamRole: t.teamRole as TeamRole }))
        .sort((a, b) => teamRoles.indexOf(a.teamRole) - teamRoles.indexOf(b.teamRole)),
      sessions: await sessionsWithNames(tx, rows),
      members,
      formerMembers,
      catchUps: catchUpRows.map(({ c, facilitatorName, roomName }) => ({
        id: c.id,
        memberId: c.memberId,
        memberName: members.find((m) => m.id === c.memberId)?.name ?? '',
        sessionNumber: c.sessionNumber,
        date: c.sessionDate,
        start: c.startTime,
        end: c.endTime,
        facilitatorId: c.facilitatorId,
        facilitatorName,
        roomName,
        status: c.status,
        deliveredOn: c.deliveredOn,
        version: c.version,
      })),
      canManage: managesSite(actor, group.siteId),
    };
  });
}
