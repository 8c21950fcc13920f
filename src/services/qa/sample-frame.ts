// The frame an audit's recording sample is drawn from: every recording still held (not purged) of a session of a
// group of the site and programme whose day falls in the period, with the session's block (from the group's own
// programme version, by session number) and the facilitators who delivered it. No access checks: callers make them.
import { and, asc, eq, gte, inArray, isNull, lte } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import { groupSessions, programmeGroups, programmeVersions, recordings, sessionFacilitators } from '../../db/schema.js';
import { sessionBlocks, type ProgrammeDefinition } from '../../domain/programme/definition.js';
import type { FrameRecording } from '../../domain/qa/sample.js';

export interface AuditPeriod {
  siteId: number;
  programmeId: string;
  /** First and last day of the period, inclusive (YYYY-MM-DD). */
  from: string;
  to: string;
}

export async function readSampleFrame(ex: Executor, period: AuditPeriod): Promise<FrameRecording[]> {
  const rows = await ex
    .select({
      id: recordings.id,
      sessionId: groupSessions.id,
      groupId: programmeGroups.id,
      number: groupSessions.number,
      date: groupSessions.sessionDate,
      versionId: programmeGroups.programmeVersionId,
    })
    .from(recordings)
    .innerJoin(groupSessions, eq(groupSessions.id, recordings.sessionId))
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .innerJoin(programmeVersions, eq(programmeVersions.id, programmeGroups.programmeVersionId))
    .where(
      and(
        isNull(recordings.purgedAt),
        eq(programmeGroups.siteId, period.siteId),
        eq(programmeVersions.programmeId, period.programmeId),
        gte(groupSessions.sessionDate, period.from),
        lte(groupSessions.sessionDate, period.to),
      ),
    )
    .orderBy(asc(recordings.id));
  if (rows.length === 0) return [];
  const versionIds = [...new Set(rows.map((r) => r.versionId))];
  const versions = await ex
    .select({ id: programmeVersions.id, definition: programmeVersions.definition })
    .from(programmeVersions)
    .where(inArray(programmeVersions.id, versionIds));
  const blocksOf = new Map(versions.map((v) => [v.id, sessionBlocks(v.definition as ProgrammeDefinition)]));
  const links = await ex
    .select({ sessionId: sessionFacilitators.sessionId, userId: sessionFacilitators.userId })
    .from(sessionFacilitators)
    .where(inArray(sessionFacilitators.sessionId, [...new Set(rows.map((r) => r.sessionId))]));
  return rows.map((r) => ({
    id: r.id,
    sessionId: r.sessionId,
    groupId: r.groupId,
    block: blocksOf.get(r.versionId)![r.number - 1],
    date: r.date,
    facilitators: links
      .filter((l) => l.sessionId === r.sessionId)
      .map((l) => l.userId)
      .sort((a, b) => a - b),
  }));
}
