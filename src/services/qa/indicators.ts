// The operational audit's indicators for one site and programme over a period, read from sotp's own records (the
// rules are in domain/qa/indicators.ts). Auditors read them for any site; each read is audit-logged, since the
// records behind them name men and staff.
import { and, asc, eq, gte, inArray, isNotNull, lte, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../../db/connection.js';
import {
  facilitatorAccreditations,
  groupMembers,
  groupSessions,
  people,
  programmeGroups,
  programmeVersions,
  riskScores,
  sessionFacilitators,
  sessionLogs,
  sessionRegisters,
  sites,
  supervisionActions,
  supervisions,
  treatmentReports,
  userSites,
  users,
} from '../../db/schema.js';
import { londonToday } from '../../clock.js';
import {
  assessedBeforeAllocation,
  cancelledForResources,
  indicatorStandards,
  groupsStartedOnTime,
  logsOnTime,
  registersOnTime,
  reportsOnTime,
  supervisionActionsDone,
  supervisionAtInterval,
  treatmentManagerNamed,
  type Indicator,
  type IndicatorStandards,
} from '../../domain/qa/indicators.js';
import { isIsoDate } from '../../domain/schedule/calendar.js';
import { authorise, type Actor } from '../access.js';
import { currentProgramme } from '../programme-lookup.js';
import { appendAudit } from '../audit.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { supervisionRulesOf } from '../staff/accreditation.js';
import { validate } from '../validate.js';

const day = (what: string) =>
  z
    .string({ error: `Enter ${what}` })
    .trim()
    .refine((v) => isIsoDate(v), `${what[0].toUpperCase()}${what.slice(1)} must be a real date in the form YYYY-MM-DD`);

export const periodInput = z.object({
  siteId: z.coerce
    .number({ error: 'Choose a site' })
    .int('Choose a site')
    .min(1, 'Choose a site')
    .max(2 ** 31 - 1, 'Choose a site'),
  programmeId: z.string({ error: 'Choose a programme' }).trim().min(1, 'Choose a programme'),
  from: day('the first day of the period'),
  to: day('the last day of the period'),
});

/** The day of a stored moment, in Europe/London. */
const dayOf = (moment: Date) => londonToday(moment);

/** The operational indicators of a site and programme over a period (both days included), as things stood on `today`. */
export async function operationalIndicators(db: Db, actor: Actor, input: unknown, today = londonToday()): Promise<Indicator[]> {
  const period = validate(periodInput, input);
  if (period.to < period.from) throw ValidationFailed.one('to', 'The last day of the period must be on or after the first');
  authorise(actor, 'qa.indicators.read', period.siteId);
  return db.transaction(async (tx) => {
    const [site] = await tx.select().from(sites).where(eq(sites.id, period.siteId));
    if (!site) throw new NotFound('Site');
    const programme = await currentProgramme(tx, period.programmeId);
    // Days up to the period's end that have passed: a session later than today has no register yet to judge.
    const until = period.to < today ? period.to : today;
    const standards = indicatorStandards(programme);
    const groups = await groupsOf(tx, period.siteId, period.programmeId);
    const groupIds = groups.map((g) => g.id);
    const sessions = groupIds.length
      ? await tx
          .select({ s: groupSessions, groupName: programmeGroups.name })
          .from(groupSessions)
          .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
          .where(and(inArray(groupSessions.groupId, groupIds), ne(groupSessions.status, 'cancelled')))
          .orderBy(asc(groupSessions.sessionDate), asc(groupSessions.startTime))
      : [];
    const cancelled = groupIds.length
      ? await tx
          .select({ s: groupSessions, groupName: programmeGroups.name })
          .from(groupSessions)
          .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
          .where(and(inArray(groupSessions.groupId, groupIds), eq(groupSessions.status, 'cancelled')))
          .orderBy(asc(groupSessions.sessionDate))
      : [];
    const inPeriod = sessions.filter(({ s }) => s.sessionDate >= period.from && s.sessionDate <= until);
    const active = groups.filter((g) => inPeriod.some(({ s }) => s.groupId === g.id) || (g.earliestStart >= period.from && g.earliestStart <= period.to));
    const ids = inPeriod.map(({ s }) => s.id);
    // The facilitators who delivered in the period: the staff indicators judge these.
    const staff = await deliverers(tx, ids);
    const [registers, logs] = ids.length
      ? await Promise.all([
          tx.select().from(sessionRegisters).where(inArray(sessionRegisters.sessionId, ids)),
          tx.select().from(sessionLogs).where(inArray(sessionLogs.sessionId, ids)),
        ])
      : [[], []];
    const sessionDoc = (recorded: Map<number, Date>) =>
      inPeriod.map(({ s, groupName }) => ({
        label: `${groupName} session ${s.number}, ${s.sessionDate}`,
        href: `/groups/${s.groupId}#session-${s.id}`,
        from: s.sessionDate,
        recordedOn: recorded.has(s.id) ? dayOf(recorded.get(s.id)!) : null,
      }));

    const indicators = [
      treatmentManagerNamed(
        active.map((g) => ({ ...g, label: g.name, href: `/groups/${g.id}`, firstSession: null })),
        standards.target,
      ),
      await supervisionIndicator(tx, staff, period, until, standards.target),
      cancelledForResources(
        cancelled
          .filter(({ s }) => s.sessionDate >= period.from && s.sessionDate <= period.to)
          .map(({ s, groupName }) => ({
            label: `${groupName} session ${s.number}, ${s.sessionDate}`,
            href: `/groups/${s.groupId}#session-${s.id}`,
            cause: s.cancelCause,
            reason: s.cancelReason ?? '',
          })),
        standards.target,
      ),
      groupsStartedOnTime(
        active.map((g) => ({
          label: g.name,
          href: `/groups/${g.id}`,
          treatmentManager: g.treatmentManager,
          earliestStart: g.earliestStart,
          firstSession: sessions.find(({ s }) => s.groupId === g.id)?.s.sessionDate ?? null,
        })),
        standards.groupStartWithinDays,
        standards.target,
      ),
      await actionsIndicator(tx, staff, period, until, standards.target),
      await allocationIndicator(tx, groupIds, period, standards.target),
      registersOnTime(sessionDoc(new Map(registers.map((r) => [r.sessionId, r.createdAt]))), standards),
      logsOnTime(sessionDoc(new Map(logs.map((l) => [l.sessionId, l.createdAt]))), standards),
      await reportsIndicator(
        tx,
        groupIds,
        sessions.map(({ s }) => s),
        period,
        standards,
      ),
    ];
    await appendAudit(tx, actor, {
      action: 'qa.indicators_viewed',
      subjectType: 'site',
      subjectId: period.siteId,
      details: { programmeId: period.programmeId, from: period.from, to: period.to },
    });
    return indicators;
  });
}

interface GroupRow {
  id: number;
  name: string;
  earliestStart: string;
  /** The group's treatment manager while still an active treatment manager of the site, else null. */
  treatmentManager: string | null;
}

async function groupsOf(ex: Executor, siteId: number, programmeId: string): Promise<GroupRow[]> {
  const rows = await ex
    .select({ g: programmeGroups, manager: users })
    .from(programmeGroups)
    .innerJoin(programmeVersions, eq(programmeVersions.id, programmeGroups.programmeVersionId))
    .innerJoin(users, eq(users.id, programmeGroups.treatmentManagerId))
    .where(and(eq(programmeGroups.siteId, siteId), eq(programmeVersions.programmeId, programmeId)))
    .orderBy(asc(programmeGroups.name));
  const atSite = new Set((await ex.select({ userId: userSites.userId }).from(userSites).where(eq(userSites.siteId, siteId))).map((u) => u.userId));
  return rows.map(({ g, manager }) => ({
    id: g.id,
    name: g.name,
    earliestStart: g.earliestStart,
    treatmentManager: !manager.disabled && manager.role === 'treatment_manager' && atSite.has(manager.id) ? manager.displayName : null,
  }));
}

/** The facilitators who delivered any of these sessions, with their names. */
async function deliverers(ex: Executor, sessionIds: number[]): Promise<Staff> {
  if (sessionIds.length === 0) return [];
  return ex
    .selectDistinct({ id: users.id, displayName: users.displayName })
    .from(sessionFacilitators)
    .innerJoin(users, eq(users.id, sessionFacilitators.userId))
    .where(inArray(sessionFacilitators.sessionId, sessionIds))
    .orderBy(asc(users.displayName));
}

type Staff = Array<{ id: number; displayName: string }>;

async function supervisionIndicator(ex: Executor, staff: Staff, period: z.infer<typeof periodInput>, until: string, target: number): Promise<Indicator> {
  const ids = staff.map((f) => f.id);
  const [records, accreditations, rules] = await Promise.all([
    ids.length
      ? ex
          .select()
          .from(supervisions)
          .where(and(inArray(supervisions.facilitatorId, ids), lte(supervisions.supervisedOn, until)))
      : [],
    ids.length
      ? ex
          .select()
          .from(facilitatorAccreditations)
          .where(and(inArray(facilitatorAccreditations.userId, ids), eq(facilitatorAccreditations.programmeId, period.programmeId)))
      : [],
    supervisionRulesOf(ex, [period.programmeId]),
  ]);
  return supervisionAtInterval(
    staff.map((f) => {
      const own = records.filter((r) => r.facilitatorId === f.id).map((r) => r.supervisedOn);
      const before = own.filter((d) => d < period.from).sort();
      const accredited = accreditations.find((a) => a.userId === f.id)?.accreditedOn;
      const since = before.at(-1) ?? (accredited && accredited > period.from ? accredited : period.from);
      return { label: f.displayName, href: `/facilitators/${f.id}#supervision`, since, supervisedOn: own.filter((d) => d >= period.from).sort() };
    }),
    until,
    rules.get(period.programmeId)!.intervalDays,
    target,
  );
}

async function actionsIndicator(ex: Executor, staff: Staff, period: z.infer<typeof periodInput>, until: string, target: number): Promise<Indicator> {
  const ids = staff.map((f) => f.id);
  const actions = ids.length
    ? await ex
        .select({ a: supervisionActions, facilitatorId: supervisions.facilitatorId })
        .from(supervisionActions)
        .innerJoin(supervisions, eq(supervisions.id, supervisionActions.supervisionId))
        .where(and(inArray(supervisions.facilitatorId, ids), gte(supervisionActions.dueOn, period.from), lte(supervisionActions.dueOn, until)))
    : [];
  return supervisionActionsDone(
    staff.map((f) => ({
      label: f.displayName,
      href: `/facilitators/${f.id}#supervision`,
      actions: actions.filter((x) => x.facilitatorId === f.id).map(({ a }) => ({ description: a.description, dueOn: a.dueOn, completedOn: a.completedOn })),
    })),
    target,
  );
}

async function allocationIndicator(ex: Executor, groupIds: number[], period: z.infer<typeof periodInput>, target: number): Promise<Indicator> {
  const joined = groupIds.length
    ? await ex
        .select({ m: groupMembers, givenName: people.givenName, familyName: people.familyName, prisonNumber: people.prisonNumber })
        .from(groupMembers)
        .innerJoin(people, eq(people.id, groupMembers.personId))
        .where(inArray(groupMembers.groupId, groupIds))
    : [];
  const men = joined.filter(({ m }) => dayOf(m.createdAt) >= period.from && dayOf(m.createdAt) <= period.to);
  const scores = men.length
    ? await ex
        .select({ personId: riskScores.personId, at: riskScores.createdAt })
        .from(riskScores)
        .where(
          inArray(
            riskScores.personId,
            men.map(({ m }) => m.personId),
          ),
        )
    : [];
  return assessedBeforeAllocation(
    men.map(({ m, givenName, familyName, prisonNumber }) => {
      const allocatedOn = dayOf(m.createdAt);
      const before = scores.filter((s) => s.personId === m.personId && s.at <= m.createdAt).map((s) => dayOf(s.at));
      return { label: `${givenName} ${familyName} (${prisonNumber})`, href: `/people/${m.personId}`, allocatedOn, riskScoredOn: before.sort().at(-1) ?? null };
    }),
    target,
  );
}

async function reportsIndicator(
  ex: Executor,
  groupIds: number[],
  sessions: Array<{ groupId: number; sessionDate: string }>,
  period: z.infer<typeof periodInput>,
  standards: IndicatorStandards,
): Promise<Indicator> {
  const left = groupIds.length
    ? await ex
        .select({ m: groupMembers, givenName: people.givenName, familyName: people.familyName, prisonNumber: people.prisonNumber, report: treatmentReports })
        .from(groupMembers)
        .innerJoin(people, eq(people.id, groupMembers.personId))
        .leftJoin(treatmentReports, eq(treatmentReports.memberId, groupMembers.id))
        .where(and(inArray(groupMembers.groupId, groupIds), isNotNull(groupMembers.leftAt)))
    : [];
  return reportsOnTime(
    left
      .map(({ m, givenName, familyName, prisonNumber, report }) => {
        const leftOn = dayOf(m.leftAt!);
        // His last session: the group's last one on or before the day he left.
        const last = sessions.filter((s) => s.groupId === m.groupId && s.sessionDate <= leftOn).at(-1)?.sessionDate ?? leftOn;
        return {
          label: `${givenName} ${familyName} (${prisonNumber})`,
          href: `/group-members/${m.id}/report`,
          from: last,
          recordedOn: report ? dayOf(report.createdAt) : null,
        };
      })
      .filter((d) => d.from >= period.from && d.from <= period.to),
    standards,
  );
}
