// A man's end-of-treatment report: who he is, the group and programme, how far he got, his catch-ups, and the
// facilitators' summary of his work on each of the programme's risk domains. The summary is written by the
// group's facilitators or the site's treatment manager; the report is read by them and by auditors.
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../db/connection.js';
import {
  catchUpSessions,
  groupFacilitators,
  groupMembers,
  groupSessions,
  people,
  programmeVersions,
  registerEntries,
  requiredCatchUps,
  sites,
  treatmentReports,
  users,
} from '../db/schema.js';
import { isMissed, type RegisterEntry } from '../domain/delivery/register.js';
import { onlyOwn, type Action } from '../domain/permissions.js';
import type { ProgrammeDefinition } from '../domain/programme/definition.js';
import { authorise, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { AccessDenied, EditConflict, NotFound } from './errors.js';
import { loadGroup } from './groups/access.js';
import { isOwnGroup } from './own-groups.js';
import { progressOfMember, type Progress } from './progress.js';
import { changesFor, type ScaleChange } from './psychometrics.js';
import { validate } from './validate.js';

const maxSummary = 4000;

export interface TreatmentReport {
  memberId: number;
  /** 0 until a summary has been written. */
  version: number;
  man: { personId: number; name: string; prisonNumber: string; dateOfBirth: string };
  group: { id: number; name: string; siteName: string; programmeName: string; programmeVersion: number; totalSessions: number };
  team: Array<{ displayName: string; teamRole: string }>;
  joinedOn: string;
  leftOn: string | null;
  leftReason: string | null;
  firstSession: string | null;
  lastSession: string | null;
  progress: Progress;
  /** The programme's blocks, each with whether he has done every session of it (attended, or missed and caught up). */
  blocks: Array<{ number: number; title: string; completed: boolean }>;
  catchUps: Array<{ sessionNumber: number; date: string; status: string; deliveredOn: string | null; facilitatorName: string }>;
  domains: Array<{ id: string; name: string; summary: string }>;
  /** His psychometric change per scale (each scale measures one of the programme's risk domains). */
  psychometricChange: ScaleChange[];
  writtenBy: string | null;
  writtenAt: Date | null;
}

/** The member, his group, and the check that the actor may do `action` for him (a facilitator: his own groups only). */
async function loadMemberFor(ex: Executor, actor: Actor, memberId: number, action: Action) {
  const [member] = await ex.select().from(groupMembers).where(eq(groupMembers.id, memberId));
  if (!member) throw new NotFound('Group member');
  const group = await loadGroup(ex, member.groupId);
  authorise(actor, action, group.siteId);
  if (onlyOwn(actor.role, action) && !(await isOwnGroup(ex, actor, group.id))) {
    throw new AccessDenied('You can see the reports of the men in your own groups only');
  }
  return { member, group };
}

export async function getTreatmentReport(db: Db, actor: Actor, memberId: number): Promise<TreatmentReport> {
  return db.transaction(async (tx) => {
    const { member, group } = await loadMemberFor(tx, actor, memberId, 'treatment_report.read');
    const [man] = await tx.select().from(people).where(eq(people.id, member.personId));
    const [site] = await tx.select({ name: sites.name }).from(sites).where(eq(sites.id, group.siteId));
    const [programme] = await tx.select().from(programmeVersions).where(eq(programmeVersions.id, group.programmeVersionId));
    const definition = programme.definition as ProgrammeDefinition;
    const team = await tx
      .select({ displayName: users.displayName, teamRole: groupFacilitators.teamRole })
      .from(groupFacilitators)
      .innerJoin(users, eq(users.id, groupFacilitators.userId))
      .where(eq(groupFacilitators.groupId, group.id));
    const sessions = await tx
      .select({ id: groupSessions.id, block: groupSessions.block, date: groupSessions.sessionDate, status: groupSessions.status })
      .from(groupSessions)
      .where(eq(groupSessions.groupId, group.id))
      .orderBy(asc(groupSessions.sessionDate));
    const live = sessions.filter((s) => s.status !== 'cancelled');
    const catchUps = await tx
      .select({
        sessionNumber: catchUpSessions.sessionNumber,
        date: catchUpSessions.sessionDate,
        status: catchUpSessions.status,
        deliveredOn: catchUpSessions.deliveredOn,
        facilitatorName: users.displayName,
      })
      .from(catchUpSessions)
      .innerJoin(users, eq(users.id, catchUpSessions.facilitatorId))
      .where(eq(catchUpSessions.memberId, memberId))
      .orderBy(asc(catchUpSessions.sessionDate));
    const entries = new Map(
      (await tx.select().from(registerEntries).where(eq(registerEntries.memberId, memberId))).map((e) => [e.sessionId, e as RegisterEntry]),
    );
    const caughtUp = new Set(
      (
        await tx
          .select()
          .from(requiredCatchUps)
          .where(and(eq(requiredCatchUps.memberId, memberId), eq(requiredCatchUps.status, 'delivered')))
      ).map((c) => c.sessionId),
    );
    const done = (sessionId: number) => {
      const entry = entries.get(sessionId);
      return entry !== undefined && (!isMissed(entry, definition.completionRule.minutesMissedAllowed) || caughtUp.has(sessionId));
    };
    const blocks = definition.blocks.map((b) => {
      const ofBlock = live.filter((s) => s.block === b.number);
      return { number: b.number, title: b.title, completed: ofBlock.length > 0 && ofBlock.every((s) => done(s.id)) };
    });
    const [report] = await tx.select().from(treatmentReports).where(eq(treatmentReports.memberId, memberId));
    const [writer] = report ? await tx.select({ name: users.displayName }).from(users).where(eq(users.id, report.writtenBy)) : [];
    await appendAudit(tx, actor, {
      action: 'treatment_report.viewed',
      subjectType: 'person',
      subjectId: member.personId,
      siteId: group.siteId,
      details: { memberId, parts: ['attendance', 'catch_ups', 'psychometric_change', 'summaries'] },
    });
    return {
      memberId,
      version: report?.version ?? 0,
      man: { personId: man.id, name: `${man.givenName} ${man.familyName}`, prisonNumber: man.prisonNumber, dateOfBirth: man.dateOfBirth },
      group: {
        id: group.id,
        name: group.name,
        siteName: site.name,
        programmeName: definition.name,
        programmeVersion: programme.version,
        totalSessions: definition.totalSessions,
      },
      team,
      joinedOn: member.createdAt.toISOString().slice(0, 10),
      leftOn: member.leftAt?.toISOString().slice(0, 10) ?? null,
      leftReason: member.leftReason,
      firstSession: live[0]?.date ?? null,
      lastSession: live.at(-1)?.date ?? null,
      progress: await progressOfMember(tx, memberId),
      blocks,
      catchUps,
      domains: definition.riskDomains.map((d) => ({ id: d.id, name: d.name, summary: report?.summaries[d.id] ?? '' })),
      psychometricChange: (await changesFor(tx, [member.personId])).get(member.personId) ?? [],
      writtenBy: writer?.name ?? null,
      writtenAt: report?.updatedAt ?? null,
    };
  });
}

/** The summary form: a text per risk domain (may be left blank while treatment goes on), and the version seen. */
function summariesInput(definition: ProgrammeDefinition) {
  const text = (name: string) =>
    z
      .string({ error: `Enter the summary for ${name.toLowerCase()}` })
      .trim()
      .max(maxSummary, `The summary for ${name.toLowerCase()} must be ${maxSummary} characters or fewer`);
  return z.object({
    version: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
      z.number({ error: 'The form is missing the report version; reload the page' }).int().min(0),
    ),
    ...Object.fromEntries(definition.riskDomains.map((d) => [d.id, text(d.name).optional().default('')])),
  });
}

/** Saves the facilitators' summaries; a report changed by someone else since the form was opened is a conflict. */
export async function saveTreatmentSummaries(db: Db, actor: Actor, memberId: number, input: unknown): Promise<void> {
  await db.transaction(async (tx) => {
    const { member, group } = await loadMemberFor(tx, actor, memberId, 'treatment_report.write');
    const [programme] = await tx.select().from(programmeVersions).where(eq(programmeVersions.id, group.programmeVersionId));
    const definition = programme.definition as ProgrammeDefinition;
    const { version, ...texts } = validate(summariesInput(definition), input) as { version: number } & Record<string, string>;
    const summaries = Object.fromEntries(definition.riskDomains.map((d) => [d.id, texts[d.id] ?? '']));
    const saved =
      version === 0
        ? await tx.insert(treatmentReports).values({ memberId, summaries, writtenBy: actor.userId! }).onConflictDoNothing().returning()
        : await tx
            .update(treatmentReports)
            .set({ summaries, writtenBy: actor.userId!, version: version + 1, updatedAt: new Date() })
            .where(and(eq(treatmentReports.memberId, memberId), eq(treatmentReports.version, version)))
            .returning();
    if (saved.length === 0) throw new EditConflict('This end-of-treatment report');
    await appendAudit(tx, actor, {
      action: 'treatment_report.summaries_saved',
      subjectType: 'person',
      subjectId: member.personId,
      siteId: group.siteId,
      details: { memberId, domains: Object.keys(summaries).filter((id) => summaries[id] !== '') },
    });
  });
}
