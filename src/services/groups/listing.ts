// The groups a person may see, with their places and dates.
import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/connection.js';
import { groupMembers, groupSessions, programmeGroups, programmeVersions, sites } from '../../db/schema.js';
import { onlyOwn } from '../../domain/permissions.js';
import { authorise, visibleSites, type Actor } from '../access.js';
import { ownGroupIds } from '../own-groups.js';

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
      (await queryRows<{ group_id: number }>(db, sql`SELECT group_id FROM ${ownGroupIds(actor.userId)} own`)).map((t) => Number(t.group_id)),
    );
    visible = visible.filter((r) => mine.has(r.group.id));
  }
  const ids = visible.map((r) => r.group.id);
  const sessions = ids.length
    ? await db
        .select()
        .from(groupSessions)
        .where(and(inArray(groupSessions.groupId, ids), ne(groupSessions.status, 'cancelled')))
    : [];
  const members = ids.length
    ? await db
        .select()
        .from(groupMembers)
        .where(and(inArray(groupMembers.groupId, ids), isNull(groupMembers.leftAt)))
    : [];
  return visible.map(({ group, siteName, programmeId, programmeVersion }) => {
    const dates = sessions
      .filter((s) => s.groupId === group.id)
      .map((s) => s.sessionDate)
      .sort();
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
