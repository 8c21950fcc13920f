// Creating a group with its weekly slots and facilitator team, and planning its timetable with the solver
// (every other group's sessions and the team's other commitments held fixed).
import { and, asc, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor, Tx } from '../../db/connection.js';
import {
  groupFacilitators,
  groupSessions,
  groupSlots,
  programmeGroups,
  programmeVersions,
  rooms,
  sessionFacilitators,
  sites,
  userSites,
  users,
} from '../../db/schema.js';
import type { ProgrammeDefinition } from '../../domain/programme/definition.js';
import { isIsoDate, minutesOfTime, weekdayNames, type WeekdayName } from '../../domain/schedule/calendar.js';
import { slotsOutsideSite, slotTitle } from '../../domain/schedule/slots.js';
import { solve, type PlannedSession, type Slot, type Solution } from '../../domain/schedule/solver.js';
import { authorise, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { EditConflict, ValidationFailed } from '../errors.js';
import { facilitatorRows, lockTimetables, londonToday, scenarioForGroup, type GroupRow } from '../scheduling.js';
import { slotsOfSite } from '../site-setup.js';
import { validate } from '../validate.js';
import { optionalId, requiredId } from '../input-fields.js';
import { TeamRole, loadGroup, requireGroupManager } from './access.js';

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
      throw ValidationFailed.one(
        'slots',
        `${listed} ${outside.length === 1 ? 'is not one of' : 'are not among'} ${site?.name ?? 'the site'}’s session slots: choose from the list, or add the slot in site set-up first`,
      );
    }
    for (const slot of values.slots) {
      const start = minutesOfTime(slot.slice(4)) ?? 0;
      if (start + definition.sessionMinutes > 24 * 60) throw ValidationFailed.one('slots', `A session starting ${slot.slice(4)} would run past midnight`);
    }
    const [room] = await tx
      .select()
      .from(rooms)
      .where(and(eq(rooms.id, values.roomId), eq(rooms.siteId, siteId)));
    if (!room) throw ValidationFailed.one('roomId', 'Choose a room at this site');
    const staff = await tx
      .select({ id: users.id, role: users.role, disabled: users.disabled })
      .from(users)
      .innerJoin(userSites, eq(userSites.userId, users.id))
      .where(eq(userSites.siteId, siteId));
    const atSite = (id: number | undefined, role: string) => staff.some((s) => s.id === id && s.role === role && !s.disabled);
    if (!atSite(values.treatmentManagerId, 'treatment_manager'))
      throw ValidationFailed.one('treatmentManagerId', 'Choose a treatment manager who works at this site');
    if (!atSite(values.leadId, 'facilitator')) throw ValidationFailed.one('leadId', 'Choose a lead facilitator who works at this site');
    if (!atSite(values.coId, 'facilitator')) throw ValidationFailed.one('coId', 'Choose a co-facilitator who works at this site');
    if (values.coverId !== undefined && !atSite(values.coverId, 'facilitator'))
      throw ValidationFailed.one('coverId', 'Choose a cover facilitator who works at this site');
    const [taken] = await tx
      .select({ id: programmeGroups.id })
      .from(programmeGroups)
      .where(and(eq(programmeGroups.siteId, siteId), eq(programmeGroups.name, values.name)));
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
export async function readableReason(ex: Executor, reason: string, group: GroupRow): Promise<string> {
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
  const problem = await recordPlanOutcome(tx, group, solution);
  if (problem !== null) return { sessions: 0, problem };
  await insertSessions(tx, solution.sessions);
  return { sessions: solution.sessions.length, problem: null };
}

/**
 * Stores on the group what the solver made of it: scheduled, with why its start was delayed and its gap to the
 * calendar bound; or unscheduled, with the reason in words (returned). The sessions are stored by the caller.
 */
export async function recordPlanOutcome(tx: Tx, group: GroupRow, solution: Solution): Promise<string | null> {
  const failure = solution.unscheduled.find((u) => u.group === String(group.id));
  if (failure) {
    const problem = await readableReason(tx, failure.reason, group);
    await tx
      .update(programmeGroups)
      .set({ status: 'unscheduled', scheduleProblem: problem, startDelay: null, planGap: null, updatedAt: new Date() })
      .where(eq(programmeGroups.id, group.id));
    return problem;
  }
  const delay = solution.delays.find((d) => d.group === String(group.id));
  const gap = solution.gaps.find((g) => g.group === String(group.id));
  await tx
    .update(programmeGroups)
    .set({ status: 'scheduled', scheduleProblem: null, startDelay: delay?.reasons ?? null, planGap: gap ?? null, updatedAt: new Date() })
    .where(eq(programmeGroups.id, group.id));
  return null;
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
    await tx
      .update(programmeGroups)
      .set({ version: group.version + 1 })
      .where(eq(programmeGroups.id, groupId));
    const outcome = await planAndStore(tx, group, today);
    await appendAudit(tx, actor, {
      action: 'group.timetable_generated',
      subjectType: 'group',
      subjectId: groupId,
      siteId: group.siteId,
      details: { sessions: outcome.sessions },
    });
    return { id: groupId, scheduled: outcome.problem === null, problem: outcome.problem };
  });
}
