// Demo groups: rooms and weekly session slots at each demo prison, a full facilitator team (lead, co, cover) per
// site, accredited, with a supervision history (one facilitator's supervision overdue, with an overdue action),
// and one Core SOTP group per site planned by the solver from two weeks ago, so
// that the demo has sessions already held (with registers, see demo-registers.ts) and sessions to come.
// Never in production.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { programmeGroups, programmeVersions, rooms, userSites, users } from '../db/schema.js';
import { dayNumber, isoDate, weekStart } from '../domain/schedule/calendar.js';
import { slotKey } from '../domain/schedule/slots.js';
import { systemActor, type Actor } from './access.js';
import { createGroup } from './groups/planning.js';
import { londonToday } from './scheduling.js';
import { addRoom, addSiteSlot, slotsOfSite } from './site-setup.js';
import { grantAccreditation } from './staff/accreditation.js';
import { recordSupervision } from './staff/supervision.js';
import { listSites } from './sites.js';
import { createUser } from './users.js';

/** Besides the demo users `facilitator` (NGT) and `facilitator2` (SMR): two more per site, so each has a team of three. */
export const demoExtraFacilitators = [
  { username: 'facilitator3', displayName: 'Robin Facilitator', site: 'NGT' },
  { username: 'facilitator4', displayName: 'Kit Facilitator', site: 'NGT' },
  { username: 'facilitator5', displayName: 'Lee Facilitator', site: 'SMR' },
  { username: 'facilitator6', displayName: 'Ash Facilitator', site: 'SMR' },
] as const;

const demoTeams: Record<string, { manager: string; team: [string, string, string] }> = {
  NGT: { manager: 'manager', team: ['facilitator', 'facilitator3', 'facilitator4'] },
  SMR: { manager: 'manager2', team: ['facilitator2', 'facilitator5', 'facilitator6'] },
};

/** The demo prisons run sessions Monday to Friday, mornings and afternoons. */
const demoSlots = ['mon', 'tue', 'wed', 'thu', 'fri'].flatMap((weekday) => ['09:00', '13:30'].map((start) => ({ weekday, start })));

/** Adds what is missing of the demo rooms, facilitators, accreditation and groups; a site that already has rooms is left alone. */
export async function seedDemoGroups(db: Db, options: { password: string; actor?: Actor; today?: string }): Promise<{ created: string[] }> {
  const actor = options.actor ?? systemActor;
  const today = options.today ?? londonToday();
  const created: string[] = [];
  const sites = new Map((await listSites(db, actor)).map((s) => [s.code, s.id]));
  const existing = new Set((await db.select({ username: users.username }).from(users)).map((u) => u.username));
  for (const f of demoExtraFacilitators) {
    const siteId = sites.get(f.site);
    if (siteId === undefined || existing.has(f.username)) continue;
    await createUser(db, actor, { username: f.username, displayName: f.displayName, role: 'facilitator', siteIds: [siteId], password: options.password });
    created.push(f.username);
  }
  const [core] = await db.select().from(programmeVersions).where(eq(programmeVersions.programmeId, 'core-sotp')).limit(1);
  if (!core) return { created };
  const twoWeeksAgo = isoDate(weekStart(dayNumber(today)) - 14);
  const daysAgo = (n: number) => isoDate(dayNumber(today) - n);
  for (const [code, plan] of Object.entries(demoTeams)) {
    const siteId = sites.get(code);
    if (siteId === undefined) continue;
    const haveRooms = await db.select({ id: rooms.id }).from(rooms).where(eq(rooms.siteId, siteId));
    if (haveRooms.length > 0) continue;
    const people = await db
      .select()
      .from(users)
      .where(inArray(users.username, [plan.manager, ...plan.team]));
    const managerRow = people.find((u) => u.username === plan.manager);
    if (!managerRow || plan.team.some((name) => !people.some((u) => u.username === name))) continue;
    const managerSites = (await db.select().from(userSites).where(eq(userSites.userId, managerRow.id))).map((s) => s.siteId);
    const manager: Actor = { userId: managerRow.id, username: managerRow.username, role: 'treatment_manager', siteIds: managerSites };
    const room1 = await addRoom(db, manager, siteId, { name: 'Programme room 1' });
    await addRoom(db, manager, siteId, { name: 'Programme room 2' });
    const offered = new Set((await slotsOfSite(db, siteId)).map(slotKey));
    for (const slot of demoSlots) if (!offered.has(`${slot.weekday} ${slot.start}`)) await addSiteSlot(db, manager, siteId, slot);
    const team = plan.team.map((name) => people.find((u) => u.username === name)!.id);
    for (const [k, userId] of team.entries()) {
      await db.transaction((tx) => grantAccreditation(tx, manager, { userId, programmeId: 'core-sotp', accreditedOn: '2024-01-01' }));
      // Supervised about every six weeks; the cover facilitator's last supervision was 50 days ago, so it is overdue.
      const history = k === 2 ? [92, 50] : [100, 58, 17 + k];
      for (const [i, ago] of history.entries()) {
        const latest = i === history.length - 1;
        await recordSupervision(
          db,
          manager,
          userId,
          {
            supervisedOn: daysAgo(ago),
            supervisorId: managerRow.id,
            siteId,
            notes: latest ? 'Watched part of a recent session; good use of Socratic questioning, pace slipped in the role-play.' : 'Routine supervision.',
            // The overdue facilitator's action is overdue too; the others' are due within a fortnight.
            actions: latest
              ? [{ description: 'Plan the role-play timings for the next block with the co-facilitator', dueOn: daysAgo(k === 2 ? 36 : -11) }]
              : [],
          },
          today,
        );
      }
    }
    const [taken] = await db
      .select({ id: programmeGroups.id })
      .from(programmeGroups)
      .where(and(eq(programmeGroups.siteId, siteId)));
    if (taken) continue;
    await createGroup(
      db,
      manager,
      siteId,
      {
        name: `${code} Core SOTP group 1`,
        programmeId: 'core-sotp',
        roomId: String(room1.id),
        capacity: '9',
        earliestStart: twoWeeksAgo,
        slots: ['mon 09:00', 'tue 09:00', 'wed 09:00', 'thu 09:00', 'fri 09:00'],
        treatmentManagerId: String(managerRow.id),
        leadId: String(team[0]),
        coId: String(team[1]),
        coverId: String(team[2]),
      },
      // Planned as it would have been on the day it started.
      twoWeeksAgo,
    );
    created.push(`${code} Core SOTP group 1`);
  }
  return { created };
}
