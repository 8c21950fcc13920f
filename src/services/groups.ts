// Groups: creating a group with its weekly slots and facilitator team, planning its timetable with the
// solver (every other group's sessions and the team's other commitments held fixed), and viewing it.
// Treatment managers of the group's site manage groups; facilitators see the groups whose team they are in.
import { and, asc, desc, eq, inArray, isNull, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor, Tx } from '../db/connection.js';
import {
  catchUpSessions,
  groupFacilitators,
  groupMembers,
  groupSessions,
  groupSlots,
  people,
  programmeGroups,
  programmeVersions,
  referrals,
  rooms,
  sessionFacilitators,
  sites,
  userSites,
  users,
} from '../db/schema.js';
import type { ProgrammeDefinition } from '../domain/programme/definition.js';
import { isIsoDate, minutesOfTime, weekdayNames, type WeekdayName } from '../domain/schedule/calendar.js';
import { slotsOutsideSite, slotTitle } from '../domain/schedule/slots.js';
import { solve, type LostDays, type Obstacle, type PlannedSession, type Slot } from '../domain/schedule/solver.js';
import { can, onlyOwn } from '../domain/permissions.js';
import { authorise, canSeeSite, visibleSites, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { AccessDenied, EditConflict, NotFound, ValidationFailed } from './errors.js';
import {
  affectedGroups,
  facilitatorRows,
  facilitatorsOfSessions,
  lockTimetables,
  londonToday,
  obstacleNames,
  obstacleText,
  scenarioForGroup,
  upcomingSessions,
  type GroupRow,
} from './scheduling.js';
import { slotsOfSite } from './site-setup.js';
import { validate } from './validate.js';
import { transitionReferral } from './referrals.js';
import { listWaitlist, type Waitlist } from './waitlist.js';

export const teamRoles = ['lead', 'co', 'cover'] as const;
export type TeamRole = (typeof teamRoles)[number];
export const teamRoleLabels: Record<TeamRole, string> = { lead: 'Lead facilitator', co: 'Co-facilitator', cover: 'Cover facilitator' };

// ---------------------------------------------------------------------------------------------- access

export async function loadGroup(ex: Executor, groupId: number): Promise<GroupRow> {
  const [group] = await ex.select().from(programmeGroups).where(eq(programmeGroups.id, groupId));
  if (!group) throw new NotFound('Group');
  return group;
}

function managesSite(actor: Actor, siteId: number): boolean {
  return can(actor.role, 'group.manage') && canSeeSite(actor, siteId);
}

/** Who may change a group: the permissions table's group.manage, at the group's site. */
export function requireGroupManager(actor: Actor, group: GroupRow): void {
  authorise(actor, 'group.manage', group.siteId);
}

/** Who may read a group: group.read at its site; a role held to its own groups (facilitators) only if in its team. */
export async function requireGroupReader(ex: Executor, actor: Actor, group: GroupRow): Promise<void> {
  if (can(actor.role, 'group.read') && canSeeSite(actor, group.siteId)) {
    if (!onlyOwn(actor.role, 'group.read')) return;
    if (actor.userId !== null) {
      const [member] = await ex
        .select()
        .from(groupFacilitators)
        .where(and(eq(groupFacilitators.groupId, group.id), eq(groupFacilitators.userId, actor.userId)));
      if (member) return;
    }
  }
  throw new AccessDenied('You do not have access to this group', canSeeSite(actor, group.siteId) ? 'role' : 'site');
}

// ---------------------------------------------------------------------------------------------- listing

export interface GroupSummary {
  id: number;
  name: string;
  siteId: number;
  siteName: string;
  programmeId: string;
  programmeVersion: number;
  capacity: number;
  members: number;
  earliestStart: string;
  firstDate: string | null;
  lastDate: string | null;
  status: string;
}

export async function listGroups(db: Db, actor: Actor, filter: { siteId?: number } = {}): Promise<GroupSummary[]> {
  authorise(actor, 'group.read');
  if (filter.siteId !== undefined) authorise(actor, 'group.read', filter.siteId);
  const scope = visibleSites(actor);
  const rows = await db
    .select({ group: programmeGroups, siteName: sites.name, programmeId: programmeVersions.programmeId, programmeVersion: programmeVersions.version })
    .from(programmeGroups)
    .innerJoin(sites, eq(sites.id, programmeGroups.siteId))
    .innerJoin(programmeVersions, eq(programmeVersions.id, programmeGroups.programmeVersionId))
    .orderBy(asc(sites.name), asc(programmeGroups.earliestStart), asc(programmeGroups.name));
  let visible = rows.filter((r) => (scope === 'all' || scope.includes(r.group.siteId)) && (filter.siteId === undefined || r.group.siteId === filter.siteId));
  if (onlyOwn(actor.role, 'group.read')) {
    const mine = new Set(
      (await db.select().from(groupFacilitators).where(eq(groupFacilitators.userId, actor.userId ?? -1))).map((t) => t.groupId),
    );
    visible = visible.filter((r) => mine.has(r.group.id));
  }
  const ids = visible.map((r) => r.group.id);
  const sessions = ids.length
    ? await db.select().from(groupSessions).where(and(inArray(groupSessions.groupId, ids), ne(groupSessions.status, 'cancelled')))
    : [];
  const members = ids.length ? await db.select().from(groupMembers).where(and(inArray(groupMembers.groupId, ids), isNull(groupMembers.leftAt))) : [];
  return visible.map(({ group, siteName, programmeId, programmeVersion }) => {
    const dates = sessions.filter((s) => s.groupId === group.id).map((s) => s.sessionDate).sort();
    return {
      id: group.id,
      name: group.name,
      siteId: group.siteId,
      siteName,
      programmeId,
      programmeVersion,
      capacity: group.capacity,
      members: members.filter((m) => m.groupId === group.id).length,
      earliestStart: group.earliestStart,
      firstDate: dates[0] ?? null,
      lastDate: dates[dates.length - 1] ?? null,
      status: group.status,
    };
  });
}

// ---------------------------------------------------------------------------------------------- creating

/** What the create form offers at a site: programmes, rooms, the site's weekly slots, treatment managers and facilitators. */
export interface GroupFormOptions {
  siteId: number;
  programmes: Array<{ id: string; name: string; capacity: number }>;
  rooms: Array<{ id: number; name: string }>;
  slots: Slot[];
  managers: Array<{ id: number; displayName: string }>;
  facilitators: Array<{ id: number; displayName: string }>;
}

export async function groupFormOptions(db: Db, actor: Actor, siteId: number): Promise<GroupFormOptions> {
  authorise(actor, 'group.manage', siteId);
  const versions = await db.select().from(programmeVersions).orderBy(asc(programmeVersions.programmeId), desc(programmeVersions.version));
  const latest = new Map<string, (typeof versions)[number]>();
  for (const v of versions) if (!latest.has(v.programmeId)) latest.set(v.programmeId, v);
  const staff = await db
    .select({ id: users.id, displayName: users.displayName, role: users.role })
    .from(users)
    .innerJoin(userSites, eq(userSites.userId, users.id))
    .where(and(eq(userSites.siteId, siteId), eq(users.disabled, false)))
    .orderBy(asc(users.displayName));
  return {
    siteId,
    programmes: [...latest.values()].map((v) => ({ id: v.programmeId, name: v.name, capacity: (v.definition as ProgrammeDefinition).groupCapacity })),
    rooms: (await db.select().from(rooms).where(eq(rooms.siteId, siteId)).orderBy(asc(rooms.name))).map((r) => ({ id: r.id, name: r.name })),
    slots: (await slotsOfSite(db, siteId)).map(({ weekday, start }) => ({ weekday, start })),
    managers: staff.filter((s) => s.role === 'treatment_manager').map(({ id, displayName }) => ({ id, displayName })),
    facilitators: staff.filter((s) => s.role === 'facilitator').map(({ id, displayName }) => ({ id, displayName })),
  };
}

const requiredId = (message: string) =>
  z.preprocess((v) => (v === '' || v === undefined || v === null ? undefined : v), z.coerce.number({ error: message }).int(message).positive(message));
const optionalId = (message: string) =>
  z.preprocess((v) => (v === '' || v === undefined || v === null ? undefined : v), z.coerce.number({ error: message }).int(message).positive(message).optional());
const slotPattern = new RegExp(`^(${weekdayNames.join('|')}) ([01]\\d|2[0-3]):[0-5]\\d$`);

export const newGroupInput = z
  .object({
    name: z.string({ error: 'Enter a name for the group' }).trim().min(1, 'Enter a name for the group').max(80, 'Group name must be 80 characters or fewer'),
    programmeId: z.string({ error: 'Choose a programme' }).trim().min(1, 'Choose a programme'),
    roomId: requiredId('Choose a room'),
    capacity: z.coerce
      .number({ error: 'Enter the capacity as a whole number' })
      .int('Enter the capacity as a whole number')
      .min(1, 'Capacity must be at least 1'),
    earliestStart: z
      .string({ error: 'Enter the earliest start date' })
      .trim()
      .refine((v) => v !== '', 'Enter the earliest start date')
      .refine((v) => v === '' || isIsoDate(v), 'Earliest start must be a real date in the form YYYY-MM-DD'),
    slots: z.preprocess(
      (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
      z.array(z.string().regex(slotPattern, 'Choose weekly slots from the list')).min(1, 'Choose at least one weekly slot'),
    ),
    treatmentManagerId: requiredId('Choose the group’s treatment manager'),
    leadId: requiredId('Choose a lead facilitator'),
    coId: requiredId('Choose a co-facilitator'),
    coverId: optionalId('Choose a cover facilitator from the list'),
  })
  .superRefine((v, ctx) => {
    if (v.coId === v.leadId) ctx.addIssue({ code: 'custom', path: ['coId'], message: 'The co-facilitator must be someone other than the lead facilitator' });
    if (v.coverId !== undefined && (v.coverId === v.leadId || v.coverId === v.coId)) {
      ctx.addIssue({ code: 'custom', path: ['coverId'], message: 'The cover facilitator must be someone other than the lead and co-facilitator' });
    }
  });

export interface CreatedGroup {
  id: number;
  scheduled: boolean;
  problem: string | null;
}

/** The programme version a group starting on `start` runs under: the latest version in effect by then. */
async function programmeVersionFor(ex: Executor, programmeId: string, start: string) {
  const versions = await ex.select().from(programmeVersions).where(eq(programmeVersions.programmeId, programmeId)).orderBy(desc(programmeVersions.version));
  return versions.find((v) => (v.definition as ProgrammeDefinition).effectiveFrom <= start) ?? versions[0];
}

export async function createGroup(db: Db, actor: Actor, siteId: number, input: unknown, today = londonToday()): Promise<CreatedGroup> {
  authorise(actor, 'group.manage', siteId);
  const values = validate(newGroupInput, input);
  // A new group is planned forward from its earliest start: one in the past would be "scheduled" on days gone by.
  if (values.earliestStart < today) throw ValidationFailed.one('earliestStart', 'Earliest start must be today or in the future');
  return db.transaction(async (tx) => {
    await lockTimetables(tx);
    const version = await programmeVersionFor(tx, values.programmeId, values.earliestStart);
    if (!version) throw ValidationFailed.one('programmeId', 'Choose a programme from the list');
    const definition = version.definition as ProgrammeDefinition;
    if (values.capacity > definition.groupCapacity) {
      throw ValidationFailed.one('capacity', `Capacity must be ${definition.groupCapacity} or fewer (the most ${definition.shortName} allows in a group)`);
    }
    const chosen = [...new Set(values.slots)].map((key) => ({ weekday: key.slice(0, 3) as WeekdayName, start: key.slice(4) }));
    const outside = slotsOutsideSite(chosen, await slotsOfSite(tx, siteId));
    if (outside.length > 0) {
      const [site] = await tx.select({ name: sites.name }).from(sites).where(eq(sites.id, siteId));
      const listed = outside.map(slotTitle).join(', ');
      throw ValidationFailed.one('slots', `${listed} ${outside.length === 1 ? 'is not one of' : 'are not among'} ${site?.name ?? 'the site'}’s session slots: choose from the list, or add the slot in site set-up first`);
    }
    for (const slot of values.slots) {
      const start = minutesOfTime(slot.slice(4)) ?? 0;
      if (start + definition.sessionMinutes > 24 * 60) throw ValidationFailed.one('slots', `A session starting ${slot.slice(4)} would run past midnight`);
    }
    const [room] = await tx.select().from(rooms).where(and(eq(rooms.id, values.roomId), eq(rooms.siteId, siteId)));
    if (!room) throw ValidationFailed.one('roomId', 'Choose a room at this site');
    const staff = await tx
      .select({ id: users.id, role: users.role, disabled: users.disabled })
      .from(users)
      .innerJoin(userSites, eq(userSites.userId, users.id))
      .where(eq(userSites.siteId, siteId));
    const atSite = (id: number | undefined, role: string) => staff.some((s) => s.id === id && s.role === role && !s.disabled);
    if (!atSite(values.treatmentManagerId, 'treatment_manager')) throw ValidationFailed.one('treatmentManagerId', 'Choose a treatment manager who works at this site');
    if (!atSite(values.leadId, 'facilitator')) throw ValidationFailed.one('leadId', 'Choose a lead facilitator who works at this site');
    if (!atSite(values.coId, 'facilitator')) throw ValidationFailed.one('coId', 'Choose a co-facilitator who works at this site');
    if (values.coverId !== undefined && !atSite(values.coverId, 'facilitator')) throw ValidationFailed.one('coverId', 'Choose a cover facilitator who works at this site');
    const [taken] = await tx.select({ id: programmeGroups.id }).from(programmeGroups).where(and(eq(programmeGroups.siteId, siteId), eq(programmeGroups.name, values.name)));
    if (taken) throw ValidationFailed.one('name', `This site already has a group called ${values.name}`);

    const [group] = await tx
      .insert(programmeGroups)
      .values({
        name: values.name,
        programmeVersionId: version.id,
        siteId,
        roomId: values.roomId,
        capacity: values.capacity,
        earliestStart: values.earliestStart,
        treatmentManagerId: values.treatmentManagerId,
      })
      .returning();
    await tx.insert(groupSlots).values(chosen.map((slot) => ({ groupId: group.id, weekday: slot.weekday, startTime: slot.start })));
    const team: Array<{ userId: number; teamRole: TeamRole }> = [
      { userId: values.leadId, teamRole: 'lead' },
      { userId: values.coId, teamRole: 'co' },
    ];
    if (values.coverId !== undefined) team.push({ userId: values.coverId, teamRole: 'cover' });
    await tx.insert(groupFacilitators).values(team.map((t) => ({ groupId: group.id, ...t })));
    const outcome = await planAndStore(tx, group, today);
    await appendAudit(tx, actor, {
      action: 'group.created',
      subjectType: 'group',
      subjectId: group.id,
      siteId,
      details: { programmeVersionId: version.id, slots: values.slots.length, team: team.length, sessions: outcome.sessions },
    });
    return { id: group.id, scheduled: outcome.problem === null, problem: outcome.problem };
  });
}

/** Site ids in the solver's reasons are replaced by the site's name. */
async function readableReason(ex: Executor, reason: string, group: GroupRow): Promise<string> {
  const [site] = await ex.select({ name: sites.name }).from(sites).where(eq(sites.id, group.siteId));
  return reason.replace(new RegExp(`site ${group.siteId}\\b`, 'g'), site?.name ?? `site ${group.siteId}`);
}

export async function insertSessions(tx: Tx, planned: PlannedSession[]): Promise<number[]> {
  const ids: number[] = [];
  for (const s of planned) {
    const [row] = await tx
      .insert(groupSessions)
      .values({ groupId: Number(s.group), number: s.number, block: s.block, sessionDate: s.date, startTime: s.start, endTime: s.end, roomId: Number(s.room) })
      .returning({ id: groupSessions.id });
    await tx.insert(sessionFacilitators).values(facilitatorRows(row.id, s));
    ids.push(row.id);
  }
  return ids;
}

/** Plans every session of a group that has none yet and stores them; or records why it could not. */
async function planAndStore(tx: Tx, group: GroupRow, today: string): Promise<{ sessions: number; problem: string | null }> {
  const { scenario, rules } = await scenarioForGroup(tx, group, today);
  const solution = solve(scenario, rules, { onlyGroups: [String(group.id)] });
  const failure = solution.unscheduled.find((u) => u.group === String(group.id));
  if (failure) {
    const problem = await readableReason(tx, failure.reason, group);
    await tx
      .update(programmeGroups)
      .set({ status: 'unscheduled', scheduleProblem: problem, startDelay: null, updatedAt: new Date() })
      .where(eq(programmeGroups.id, group.id));
    return { sessions: 0, problem };
  }
  await insertSessions(tx, solution.sessions);
  const delay = solution.delays.find((d) => d.group === String(group.id));
  await tx
    .update(programmeGroups)
    .set({ status: 'scheduled', scheduleProblem: null, startDelay: delay?.reasons ?? null, updatedAt: new Date() })
    .where(eq(programmeGroups.id, group.id));
  return { sessions: solution.sessions.length, problem: null };
}

export const versionInput = z.object({
  version: z.coerce.number({ error: 'The form is missing the record version; reload the page' }).int().positive(),
});

/** Tries again to plan a group the solver could not schedule (after availability, rooms or closures changed). */
export async function generateTimetable(db: Db, actor: Actor, groupId: number, input: unknown, today = londonToday()): Promise<CreatedGroup> {
  const { version } = validate(versionInput, input);
  return db.transaction(async (tx) => {
    await lockTimetables(tx);
    const group = await loadGroup(tx, groupId);
    requireGroupManager(actor, group);
    if (group.version !== version) throw new EditConflict(`The group ${group.name}`);
    const existing = await tx.select({ id: groupSessions.id }).from(groupSessions).where(eq(groupSessions.groupId, groupId)).limit(1);
    if (existing.length > 0) throw ValidationFailed.one('group', 'This group already has a timetable; cancel sessions to move them instead');
    await tx.update(programmeGroups).set({ version: group.version + 1 }).where(eq(programmeGroups.id, groupId));
    const outcome = await planAndStore(tx, group, today);
    await appendAudit(tx, actor, { action: 'group.timetable_generated', subjectType: 'group', subjectId: groupId, siteId: group.siteId, details: { sessions: outcome.sessions } });
    return { id: groupId, scheduled: outcome.problem === null, problem: outcome.problem };
  });
}

// ---------------------------------------------------------------------------------------------- viewing

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
  const names = await obstacleNames(ex, obstacles, rows.flatMap((r) => [String(r.userId), String(r.standsInFor)]));
  for (const r of rows) {
    const why = r.standInReason ? obstacleText(r.standInReason as Obstacle, names) : 'swapped in by a treatment manager';
    result.set(r.sessionId, [...(result.get(r.sessionId) ?? []), `${names.person(String(r.userId))} stood in for ${names.person(String(r.standsInFor))}: ${why}`]);
  }
  return result;
}

export async function sessionsWithNames(ex: Executor, rows: Array<typeof groupSessions.$inferSelect>): Promise<TimetableSession[]> {
  const facilitators = await facilitatorsOfSessions(ex, rows.map((r) => r.id));
  const standIns = await standInsOf(ex, rows.map((r) => r.id));
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

/** The stored obstacles of the days lost before the first session, in words. */
async function startDelayText(ex: Executor, delay: LostDays[]): Promise<GroupDetail['startDelay']> {
  const names = await obstacleNames(ex, delay.map((d) => d.obstacle));
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
    const rows = await tx.select().from(groupSessions).where(eq(groupSessions.groupId, groupId)).orderBy(asc(groupSessions.sessionDate), asc(groupSessions.number));
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
      await appendAudit(tx, actor, { action: 'group.members_viewed', subjectType: 'group', subjectId: groupId, siteId: group.siteId, details: { people: [...new Set(memberRows.map((m) => m.personId))] } });
    }
    const order = (w: string) => weekdayNames.indexOf(w as WeekdayName);
    const firstLive = rows.find((r) => r.status !== 'cancelled');
    const delayed = firstLive !== undefined && firstLive.sessionDate > group.earliestStart && Array.isArray(group.startDelay);
    const affected = await affectedGroups(tx, await upcomingSessions(tx, { groupIds: [groupId] }, today));
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
      problems: Object.fromEntries((affected[0]?.sessions ?? []).map((s) => [s.id, s.problems])),
      version: group.version,
      slots: slots.map((s) => ({ weekday: s.weekday, start: s.startTime })).sort((a, b) => order(a.weekday) - order(b.weekday) || a.start.localeCompare(b.start)),
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

// ---------------------------------------------------------------------------------------------- allocation

export interface AllocationChoice {
  group: { id: number; name: string; siteId: number; programmeId: string; capacity: number; members: number; version: number };
  waitlist: Waitlist;
}

/** The group's free places and its site's waitlist for the programme, in the order men should be offered places. */
export async function allocationChoice(db: Db, actor: Actor, groupId: number, today = londonToday()): Promise<AllocationChoice> {
  const group = await loadGroup(db, groupId);
  requireGroupManager(actor, group);
  const [version] = await db.select().from(programmeVersions).where(eq(programmeVersions.id, group.programmeVersionId));
  const members = await db.select({ id: groupMembers.id }).from(groupMembers).where(and(eq(groupMembers.groupId, groupId), isNull(groupMembers.leftAt)));
  const waitlist = await listWaitlist(db, actor, { siteId: group.siteId, programmeId: version.programmeId, today });
  return {
    group: { id: group.id, name: group.name, siteId: group.siteId, programmeId: version.programmeId, capacity: group.capacity, members: members.length, version: group.version },
    waitlist,
  };
}

export const allocateInput = z.object({
  referrals: z.preprocess(
    (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z
      .array(z.string().regex(/^\d+:\d+$/, 'Choose men from the waitlist'))
      .min(1, 'Choose at least one man from the waitlist'),
  ),
  version: z.coerce.number({ error: 'The form is missing the record version; reload the page' }).int().positive(),
});

/**
 * Allocates men from the waitlist to the group, up to its capacity: each referral moves to allocated through
 * the referral workflow, whose allocate transition makes him a member of this group, all in one transaction.
 */
export async function allocateToGroup(db: Db, actor: Actor, groupId: number, input: unknown, today = londonToday()): Promise<{ allocated: number }> {
  const values = validate(allocateInput, input);
  const chosen = [...new Map(values.referrals.map((r) => r.split(':').map(Number) as [number, number])).entries()];
  return db.transaction(async (tx) => {
    const group = await loadGroup(tx, groupId);
    requireGroupManager(actor, group);
    // The group's version guards its places: two managers filling the last place at once cannot both succeed.
    const [locked] = await tx
      .update(programmeGroups)
      .set({ version: group.version + 1, updatedAt: new Date() })
      .where(and(eq(programmeGroups.id, groupId), eq(programmeGroups.version, values.version)))
      .returning();
    if (!locked) throw new EditConflict(`The group ${group.name}`);
    const [version] = await tx.select().from(programmeVersions).where(eq(programmeVersions.id, group.programmeVersionId));
    const members = await tx.select({ id: groupMembers.id }).from(groupMembers).where(and(eq(groupMembers.groupId, groupId), isNull(groupMembers.leftAt)));
    const free = group.capacity - members.length;
    if (chosen.length > free) {
      throw ValidationFailed.one('referrals', free === 0 ? 'The group is full' : `The group has room for ${free} more; you chose ${chosen.length}`);
    }
    for (const [referralId, referralVersion] of chosen) {
      const [referral] = await tx.select().from(referrals).where(eq(referrals.id, referralId));
      if (!referral || referral.siteId !== group.siteId || referral.programmeId !== version.programmeId) {
        throw ValidationFailed.one('referrals', 'Choose men waiting for this programme at this site');
      }
      // Nested: the workflow's own transaction becomes a savepoint of this one, so all or none are allocated.
      try {
        await transitionReferral(tx as unknown as Db, actor, referralId, 'allocate', { version: referralVersion, groupId }, today);
      } catch (error) {
        // The form's field is the list of men: say which man the refusal is about (eligibility, status).
        if (!(error instanceof ValidationFailed)) throw error;
        const [person] = await tx.select({ given: people.givenName, family: people.familyName }).from(people).where(eq(people.id, referral.personId));
        throw new ValidationFailed(error.errors.map((e) => ({ ...e, field: 'referrals', message: `${person.given} ${person.family}: ${e.message}` })));
      }
    }
    await appendAudit(tx, actor, {
      action: 'group.men_allocated',
      subjectType: 'group',
      subjectId: groupId,
      siteId: group.siteId,
      details: { referralIds: chosen.map(([id]) => id) },
    });
    return { allocated: chosen.length };
  });
}

export const removeFromGroupInput = z.object({
  referralId: requiredId('Choose the man to remove from the group'),
  reason: z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.string({ error: 'Give a reason to remove him from the group' }).min(1, 'Give a reason to remove him from the group').max(2000, 'Reason must be 2000 characters or fewer')),
  version: z.coerce.number({ error: 'The form is missing the record version; reload the page' }).int().positive(),
});

/**
 * A treatment manager removes a current member from the group with a reason: the referral's remove_from_group
 * transition ends his membership and puts him back on the waitlist (awaiting allocation). `version` is the referral's.
 */
export async function removeFromGroup(db: Db, actor: Actor, groupId: number, input: unknown): Promise<void> {
  const values = validate(removeFromGroupInput, input);
  await db.transaction(async (tx) => {
    const group = await loadGroup(tx, groupId);
    requireGroupManager(actor, group);
    const [member] = await tx
      .select({ id: groupMembers.id })
      .from(groupMembers)
      .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.referralId, values.referralId), isNull(groupMembers.leftAt)));
    if (!member) throw ValidationFailed.one('referralId', 'He is not a current member of this group');
    await transitionReferral(tx as unknown as Db, actor, values.referralId, 'remove_from_group', { reason: values.reason, version: values.version });
  });
}
