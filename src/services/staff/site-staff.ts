// A site's staff as the treatment manager and the auditor see it: the named treatment manager of each programme
// at the site, and each facilitator with who last supervised them, when, and how their accreditations stand.
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/connection.js';
import { programmeVersions, sites, siteTreatmentManagers, supervisions, userSites, users } from '../../db/schema.js';
import { authorise, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { EditConflict, NotFound, ValidationFailed } from '../errors.js';
import { londonToday } from '../scheduling.js';
import { validate } from '../validate.js';
import { standingAccreditations, type StandingAccreditation } from './accreditation.js';

export interface SiteStaff {
  site: { id: number; name: string };
  /** Each programme recorded in sotp with its named treatment manager at this site, or null when none is named. */
  treatmentManagers: Array<{ programmeId: string; programmeName: string; manager: { id: number; displayName: string } | null; version: number }>;
  /** The site's treatment managers, for naming one. */
  candidates: Array<{ id: number; displayName: string }>;
  facilitators: Array<{
    id: number;
    displayName: string;
    lastSupervision: { on: string; supervisorName: string } | null;
    accreditations: StandingAccreditation[];
  }>;
}

export async function siteStaff(db: Db, actor: Actor, siteId: number, today = londonToday()): Promise<SiteStaff> {
  authorise(actor, 'site.staff.read', siteId);
  return db.transaction(async (tx) => {
    const [site] = await tx.select().from(sites).where(eq(sites.id, siteId));
    if (!site) throw new NotFound('Site');
    const programmes = await tx
      .selectDistinctOn([programmeVersions.programmeId], { id: programmeVersions.programmeId, name: programmeVersions.name })
      .from(programmeVersions)
      .orderBy(programmeVersions.programmeId, desc(programmeVersions.version));
    const named = await tx
      .select({ t: siteTreatmentManagers, displayName: users.displayName })
      .from(siteTreatmentManagers)
      .innerJoin(users, eq(users.id, siteTreatmentManagers.userId))
      .where(eq(siteTreatmentManagers.siteId, siteId));
    const atSite = (role: 'facilitator' | 'treatment_manager') =>
      tx
        .select({ id: users.id, displayName: users.displayName })
        .from(users)
        .innerJoin(userSites, eq(userSites.userId, users.id))
        .where(and(eq(userSites.siteId, siteId), eq(users.role, role), eq(users.disabled, false)))
        .orderBy(asc(users.displayName));
    const [facilitators, managers] = await Promise.all([atSite('facilitator'), atSite('treatment_manager')]);
    const ids = facilitators.map((f) => f.id);
    const supervisor = users;
    const last = ids.length
      ? await tx
          .selectDistinctOn([supervisions.facilitatorId], {
            facilitatorId: supervisions.facilitatorId,
            on: supervisions.supervisedOn,
            supervisorName: supervisor.displayName,
          })
          .from(supervisions)
          .innerJoin(supervisor, eq(supervisor.id, supervisions.supervisorId))
          .where(inArray(supervisions.facilitatorId, ids))
          .orderBy(supervisions.facilitatorId, desc(supervisions.supervisedOn), desc(supervisions.id))
      : [];
    const accreditations = await standingAccreditations(tx, ids, today);
    await appendAudit(tx, actor, { action: 'site.staff_viewed', subjectType: 'site', subjectId: siteId });
    return {
      site: { id: site.id, name: site.name },
      treatmentManagers: programmes.map((p) => {
        const n = named.find((x) => x.t.programmeId === p.id);
        return { programmeId: p.id, programmeName: p.name, manager: n ? { id: n.t.userId, displayName: n.displayName } : null, version: n?.t.version ?? 0 };
      }),
      candidates: managers,
      facilitators: facilitators.map((f) => {
        const l = last.find((x) => x.facilitatorId === f.id);
        return {
          id: f.id,
          displayName: f.displayName,
          lastSupervision: l ? { on: l.on, supervisorName: l.supervisorName } : null,
          accreditations: accreditations.filter((a) => a.userId === f.id),
        };
      }),
    };
  });
}

export const nameTreatmentManagerInput = z.object({
  programmeId: z.string({ error: 'Choose a programme' }).trim().min(1, 'Choose a programme'),
  userId: z.coerce
    .number({ error: 'Choose a treatment manager' })
    .int('Choose a treatment manager')
    .min(1, 'Choose a treatment manager')
    .max(2 ** 31 - 1, 'Choose a treatment manager'),
  version: z.coerce.number({ error: 'The form is missing the record version; reload the page' }).int().min(0),
});

/** Names (or changes) the treatment manager of a site and programme: a treatment manager assigned to the site. */
export async function nameTreatmentManager(db: Db, actor: Actor, siteId: number, input: unknown): Promise<void> {
  authorise(actor, 'site.treatment_manager.name');
  const values = validate(nameTreatmentManagerInput, input);
  await db.transaction(async (tx) => {
    const [site] = await tx.select().from(sites).where(eq(sites.id, siteId));
    if (!site) throw new NotFound('Site');
    const [programme] = await tx
      .select({ id: programmeVersions.id })
      .from(programmeVersions)
      .where(eq(programmeVersions.programmeId, values.programmeId))
      .limit(1);
    if (!programme) throw ValidationFailed.one('programmeId', 'Choose a programme from the list');
    const [manager] = await tx
      .select({ id: users.id })
      .from(users)
      .innerJoin(userSites, and(eq(userSites.userId, users.id), eq(userSites.siteId, siteId)))
      .where(and(eq(users.id, values.userId), eq(users.role, 'treatment_manager'), eq(users.disabled, false)));
    if (!manager) throw ValidationFailed.one('userId', `The treatment manager must be a treatment manager of ${site.name}`);
    const [existing] = await tx
      .select()
      .from(siteTreatmentManagers)
      .where(and(eq(siteTreatmentManagers.siteId, siteId), eq(siteTreatmentManagers.programmeId, values.programmeId)));
    if ((existing?.version ?? 0) !== values.version) throw new EditConflict('The named treatment manager');
    if (existing) {
      await tx
        .update(siteTreatmentManagers)
        .set({ userId: values.userId, version: existing.version + 1, updatedAt: new Date() })
        .where(and(eq(siteTreatmentManagers.siteId, siteId), eq(siteTreatmentManagers.programmeId, values.programmeId)));
    } else {
      await tx.insert(siteTreatmentManagers).values({ siteId, programmeId: values.programmeId, userId: values.userId });
    }
    await appendAudit(tx, actor, {
      action: 'site.treatment_manager_named',
      subjectType: 'site',
      subjectId: siteId,
      details: { programmeId: values.programmeId, userId: values.userId },
    });
  });
}
