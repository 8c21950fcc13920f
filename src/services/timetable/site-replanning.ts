// Re-planning a site: every group of one programme at the site that has not started yet is planned again, together,
// by the solver `sotp plan --scenario` runs (mean over the groups of finish to calendar bound, then the site's last
// finish). A group that has started keeps all its sessions, and a session that has happened never moves: those are
// held fixed, so their rooms and their facilitators' days count as taken.
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../../db/connection.js';
import { groupSessions, products, programmeGroups, programmeVersions, recordings, sessionLogs, sessionRegisters, sites } from '../../db/schema.js';
import { sessionHasHappened } from '../../domain/schedule/happened.js';
import { solve, type GroupGap } from '../../domain/schedule/solver.js';
import { authorise, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { EditConflict, NotFound, ValidationFailed } from '../errors.js';
import { planGapText, type GroupDetail } from '../groups/detail.js';
import { readableReason, recordPlanOutcome } from '../groups/planning.js';
import { lockTimetables, londonToday, scenarioForGroups, type GroupRow, type SessionRow } from '../scheduling.js';
import { validate } from '../validate.js';
import { storeReplanned } from './replanning.js';

/** A group's plan as the re-plan pages show it. */
export interface SiteGroup {
  id: number;
  name: string;
  /** The group's record version: the confirmation form sends it back, so a group changed meanwhile is not re-planned unseen. */
  version: number;
  status: string;
  earliestStart: string;
  firstDate: string | null;
  lastDate: string | null;
  scheduleProblem: string | null;
  /** The stored gap to the calendar bound, with the obstacles of the lost days in words; null when not known. */
  gap: GroupDetail['planGap'];
  /** Sessions that have happened (their day is past, or something was recorded for them): none in a group to re-plan. */
  happened: number;
}

export interface SitePlan {
  siteId: number;
  siteName: string;
  programmeId: string;
  programmeName: string;
  /** Groups that have not started: a re-plan plans them again. */
  toReplan: SiteGroup[];
  /** Groups that have started (or are closed): they keep every session. */
  held: SiteGroup[];
}

/** The ids of the sessions that have happened among these. */
async function happenedSessions(ex: Executor, rows: SessionRow[], today: string): Promise<Set<number>> {
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return new Set();
  const recorded = new Set(
    (
      await Promise.all([
        ex.select({ id: sessionRegisters.sessionId }).from(sessionRegisters).where(inArray(sessionRegisters.sessionId, ids)),
        ex.select({ id: sessionLogs.sessionId }).from(sessionLogs).where(inArray(sessionLogs.sessionId, ids)),
        ex.select({ id: products.sessionId }).from(products).where(inArray(products.sessionId, ids)),
        ex.select({ id: recordings.sessionId }).from(recordings).where(inArray(recordings.sessionId, ids)),
      ])
    )
      .flat()
      .map((r) => r.id),
  );
  return new Set(rows.filter((r) => sessionHasHappened({ date: r.sessionDate, recorded: recorded.has(r.id) }, today)).map((r) => r.id));
}

/** The site's groups of the programme, split into those a re-plan plans again and those it holds, with their rows. */
async function siteGroups(ex: Executor, siteId: number, programmeId: string, today: string) {
  const [site] = await ex.select({ name: sites.name }).from(sites).where(eq(sites.id, siteId));
  if (!site) throw new NotFound('Site');
  const [programme] = await ex
    .select({ name: programmeVersions.name })
    .from(programmeVersions)
    .where(eq(programmeVersions.programmeId, programmeId))
    .orderBy(desc(programmeVersions.version))
    .limit(1);
  if (!programme) throw ValidationFailed.one('programme', 'Choose a programme from the list');
  const rows = await ex
    .select({ group: programmeGroups })
    .from(programmeGroups)
    .innerJoin(programmeVersions, eq(programmeVersions.id, programmeGroups.programmeVersionId))
    .where(and(eq(programmeGroups.siteId, siteId), eq(programmeVersions.programmeId, programmeId)))
    .orderBy(asc(programmeGroups.name));
  const groups = rows.map((r) => r.group);
  const sessions = groups.length
    ? (
        await ex
          .select()
          .from(groupSessions)
          .where(
            inArray(
              groupSessions.groupId,
              groups.map((g) => g.id),
            ),
          )
      )
        .filter((s) => s.status !== 'cancelled')
        .sort((a, b) => a.number - b.number)
    : [];
  const happened = await happenedSessions(ex, sessions, today);
  const toReplan: Array<{ row: GroupRow; view: SiteGroup }> = [];
  const held: Array<{ row: GroupRow; view: SiteGroup }> = [];
  for (const g of groups) {
    const own = sessions.filter((s) => s.groupId === g.id);
    const dates = own.map((s) => s.sessionDate).sort();
    const view: SiteGroup = {
      id: g.id,
      name: g.name,
      version: g.version,
      status: g.status,
      earliestStart: g.earliestStart,
      firstDate: dates[0] ?? null,
      lastDate: dates.at(-1) ?? null,
      scheduleProblem: g.scheduleProblem,
      gap: await planGapText(ex, g.planGap as GroupGap | null, dates.at(-1)),
      happened: own.filter((s) => happened.has(s.id)).length,
    };
    (view.happened > 0 || g.status === 'closed' ? held : toReplan).push({ row: g, view });
  }
  return { siteName: site.name, programmeName: programme.name, toReplan, held };
}

/** What re-planning the site would do: the groups it plans again and those it holds. For the confirmation page. */
export async function siteReplanPlan(db: Db, actor: Actor, siteId: number, programmeId: string, today = londonToday()): Promise<SitePlan> {
  authorise(actor, 'group.manage', siteId);
  return db.transaction(async (tx) => {
    const { siteName, programmeName, toReplan, held } = await siteGroups(tx, siteId, programmeId, today);
    return { siteId, siteName, programmeId, programmeName, toReplan: toReplan.map((g) => g.view), held: held.map((g) => g.view) };
  });
}

export const replanSiteInput = z.object({
  // Each group the confirmation page listed to re-plan, as id:version.
  groups: z.preprocess(
    (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.string().regex(/^\d+:\d+$/, 'The form is missing the groups to re-plan; reload the page')),
  ),
});

export interface SiteReplan {
  siteId: number;
  programmeId: string;
  /** Each group planned again: whether it could be finished, and why not. */
  replanned: Array<{ groupId: number; scheduled: boolean; problem: string | null; moved: number }>;
  held: number;
}

/**
 * Plans every group of the programme at the site that has not started again, together, in one transaction: all of
 * them or none. Groups on different versions of the programme follow different rules, so each version's groups are
 * planned in turn, the later ones around the earlier ones' new sessions. A group that had a timetable and could not
 * now be finished stops the whole re-plan (nothing changes); one that had none keeps its reason, refreshed.
 */
export async function replanSite(
  db: Db,
  actor: Actor,
  siteId: number,
  programmeId: string,
  input: unknown,
  { today = londonToday() }: { today?: string } = {},
): Promise<SiteReplan> {
  authorise(actor, 'group.manage', siteId);
  const values = validate(replanSiteInput, input);
  return db.transaction(async (tx) => {
    await lockTimetables(tx);
    const { siteName, programmeName, toReplan, held } = await siteGroups(tx, siteId, programmeId, today);
    if (toReplan.length === 0) throw ValidationFailed.one('groups', `Every ${programmeName} group at ${siteName} has started: there is nothing to re-plan`);
    const confirmed = [...new Set(values.groups)].sort().join();
    if (
      toReplan
        .map((g) => `${g.row.id}:${g.row.version}`)
        .sort()
        .join() !== confirmed
    )
      throw new EditConflict(`The ${programmeName} groups at ${siteName}`);

    const byVersion = new Map<number, GroupRow[]>();
    for (const { row } of toReplan) byVersion.set(row.programmeVersionId, [...(byVersion.get(row.programmeVersionId) ?? []), row]);
    const waiting = new Set(toReplan.map((g) => g.row.id));
    const replanned: SiteReplan['replanned'] = [];
    for (const batch of [...byVersion.entries()].sort(([a], [b]) => a - b).map(([, rows]) => rows)) {
      for (const g of batch) waiting.delete(g.id);
      const { scenario, rules, ownRows } = await scenarioForGroups(tx, batch, today, [...waiting]);
      const solution = solve(scenario, rules, { onlyGroups: batch.map((g) => String(g.id)) });
      for (const group of batch) {
        const rows = ownRows.get(group.id) ?? [];
        const failure = solution.unscheduled.find((u) => u.group === String(group.id));
        if (failure && rows.length > 0) {
          const reason = await readableReason(tx, failure.reason, group);
          throw ValidationFailed.one('groups', `${group.name} could not be finished if the site were re-planned, so nothing was changed: ${reason}`);
        }
        const problem = await recordPlanOutcome(tx, group, solution);
        const moved =
          problem === null
            ? await storeReplanned(
                tx,
                rows,
                solution.sessions.filter((s) => s.group === String(group.id)),
              )
            : [];
        await tx
          .update(programmeGroups)
          .set({ version: group.version + 1 })
          .where(eq(programmeGroups.id, group.id));
        replanned.push({ groupId: group.id, scheduled: problem === null, problem, moved: moved.length });
      }
    }
    await appendAudit(tx, actor, {
      action: 'site.replanned',
      subjectType: 'site',
      subjectId: siteId,
      siteId,
      details: {
        programmeId,
        groups: replanned.map((g) => g.groupId),
        held: held.map((g) => g.row.id),
        moved: replanned.reduce((n, g) => n + g.moved, 0),
      },
    });
    return { siteId, programmeId, replanned, held: held.length };
  });
}
