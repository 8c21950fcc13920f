// The waitlist for a programme at a site: referrals awaiting allocation, ordered by the domain (risk, then
// release date), with days waiting and a warning when a man may be released before a group starting now ends.
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/connection.js';
import { people, referrals } from '../db/schema.js';
import { calendarDay } from '../domain/people/dates.js';
import type { RiskCategory } from '../domain/programme/definition.js';
import { earliestGroupEnd, orderWaitlist, type WaitlistCandidate } from '../domain/referral/waitlist.js';
import { authorise, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { currentProgramme } from './programme-lookup.js';
import { requiredDate } from './input-fields.js';
import { validate } from './validate.js';

export interface WaitlistEntry {
  position: number;
  referralId: number;
  referralVersion: number;
  personId: number;
  prisonNumber: string;
  givenName: string;
  familyName: string;
  riskCategory: RiskCategory | null;
  earliestReleaseDate: string | null;
  waitlistedOn: string;
  daysWaiting: number;
  releaseBeforeGroupEnds: boolean;
}

export interface Waitlist {
  siteId: number;
  programmeId: string;
  today: string;
  /** The earliest a group starting today could end (the date the warning compares with). */
  earliestGroupEnd: string;
  entries: WaitlistEntry[];
}

const waitlistQuery = z.object({
  siteId: z.coerce.number({ error: 'Choose a site' }).int().positive('Choose a site'),
  programmeId: z.string({ error: 'Choose a programme' }).trim().min(1, 'Choose a programme'),
  today: requiredDate('date'),
});

/** The ordered waitlist for one site and programme. `today` is the calendar day the wait is measured to. */
export async function listWaitlist(db: Db, actor: Actor, input: { siteId: number; programmeId: string; today: string }): Promise<Waitlist> {
  authorise(actor, 'waitlist.read');
  const { siteId, programmeId, today } = validate(waitlistQuery, input);
  authorise(actor, 'waitlist.read', siteId);
  return db.transaction(async (tx) => {
    const programme = await currentProgramme(tx, programmeId);
    const rows = await tx
      .select({
        referralId: referrals.id,
        referralVersion: referrals.version,
        waitlistedAt: referrals.waitlistedAt,
        statusChangedAt: referrals.statusChangedAt,
        personId: people.id,
        prisonNumber: people.prisonNumber,
        givenName: people.givenName,
        familyName: people.familyName,
        earliestReleaseDate: people.earliestReleaseDate,
        riskCategory: sql<
          string | null
        >`(SELECT rs.category FROM risk_scores rs WHERE rs.person_id = ${people.id} AND rs.instrument = 'rm2000s' ORDER BY rs.created_at DESC, rs.id DESC LIMIT 1)`,
      })
      .from(referrals)
      .innerJoin(people, eq(people.id, referrals.personId))
      .where(and(eq(referrals.siteId, siteId), eq(referrals.programmeId, programmeId), eq(referrals.status, 'awaiting_allocation')));
    const byId = new Map(rows.map((r) => [String(r.referralId), r]));
    const candidates: WaitlistCandidate[] = rows.map((r) => ({
      referralId: String(r.referralId),
      siteId: String(siteId),
      programmeId,
      status: 'awaiting_allocation',
      ...(r.riskCategory ? { riskCategory: r.riskCategory as RiskCategory } : {}),
      ...(r.earliestReleaseDate ? { earliestReleaseDate: r.earliestReleaseDate } : {}),
      enteredWaitlistOn: calendarDay(r.waitlistedAt ?? r.statusChangedAt),
    }));
    const ordered = orderWaitlist(candidates, { siteId: String(siteId), programme }, today);
    await appendAudit(tx, actor, {
      action: 'waitlist.viewed',
      subjectType: 'waitlist',
      subjectId: `${siteId}/${programmeId}`,
      siteId,
      details: { count: ordered.length },
    });
    return {
      siteId,
      programmeId,
      today,
      earliestGroupEnd: earliestGroupEnd(today, programme),
      entries: ordered.map((w) => {
        const r = byId.get(w.referralId)!;
        return {
          position: w.position,
          referralId: r.referralId,
          referralVersion: r.referralVersion,
          personId: r.personId,
          prisonNumber: r.prisonNumber,
          givenName: r.givenName,
          familyName: r.familyName,
          riskCategory: w.riskCategory ?? null,
          earliestReleaseDate: r.earliestReleaseDate,
          waitlistedOn: w.enteredWaitlistOn,
          daysWaiting: w.daysWaiting,
          releaseBeforeGroupEnds: w.releaseBeforeGroupEnds,
        };
      }),
    };
  });
}
