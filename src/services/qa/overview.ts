// The national overview of audits (issue 13): for every site and programme, the latest ratings and the actions of
// its audits' plans still open, so auditors and administrators see at a glance where delivery or treatment
// management falls short and where a site has not done what it agreed.
import { asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import { londonToday } from '../../clock.js';
import type { Db } from '../../db/connection.js';
import { auditActions, audits, sites } from '../../db/schema.js';
import type { AuditStatusId } from '../../domain/qa/audit-workflow.js';
import { authorise, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { currentProgrammeDefinitions } from '../programmes.js';
import { storedRatings, type StoredRating } from './ratings.js';

/** The audit statuses that carry ratings. */
const ratedStatuses: AuditStatusId[] = ['rated', 'site_response', 'closed'];

export interface OverviewRow {
  siteId: number;
  siteName: string;
  programmeId: string;
  programmeName: string;
  /** The rated audit with the latest period, with its ratings; null when none has been rated. */
  latest: null | { auditId: number; from: string; to: string; status: AuditStatusId; ratings: StoredRating[] };
  openActions: number;
  overdueActions: number;
}

export async function auditOverview(db: Db, actor: Actor, today = londonToday()): Promise<OverviewRow[]> {
  authorise(actor, 'audit.overview.read');
  return db.transaction(async (tx) => {
    const siteRows = await tx.select({ id: sites.id, name: sites.name }).from(sites).orderBy(asc(sites.name));
    const programmes = await currentProgrammeDefinitions(tx);
    const rated = await tx.select().from(audits).where(inArray(audits.status, ratedStatuses)).orderBy(desc(audits.periodTo), desc(audits.id));
    const open = await tx
      .select({ siteId: audits.siteId, programmeId: audits.programmeId, dueOn: auditActions.dueOn })
      .from(auditActions)
      .innerJoin(audits, eq(audits.id, auditActions.auditId))
      .where(isNull(auditActions.completedOn));
    const rows: OverviewRow[] = [];
    for (const site of siteRows) {
      for (const programme of programmes) {
        const latest = rated.find((a) => a.siteId === site.id && a.programmeId === programme.id);
        const actions = open.filter((a) => a.siteId === site.id && a.programmeId === programme.id);
        rows.push({
          siteId: site.id,
          siteName: site.name,
          programmeId: programme.id,
          programmeName: programme.name,
          latest: latest
            ? {
                auditId: latest.id,
                from: latest.periodFrom,
                to: latest.periodTo,
                status: latest.status as AuditStatusId,
                ratings: await storedRatings(tx, latest.id),
              }
            : null,
          openActions: actions.length,
          overdueActions: actions.filter((a) => a.dueOn < today).length,
        });
      }
    }
    await appendAudit(tx, actor, { action: 'audit.overview.viewed', subjectType: 'audit', details: { rows: rows.length } });
    return rows;
  });
}
