// The data a harm monitor look needs, on the demo data, as an administrator would have imported it: the programme's
// completers released in March 2021 and reconvicted in 2022, and a comparison pool of 300 men released from 2018.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../src/db/connection.js';
import { people, referrals } from '../../src/db/schema.js';
import type { Actor } from '../../src/services/access.js';
import { importCohortFile } from '../../src/services/cohort-imports.js';
import { importReconvictions } from '../../src/services/reconvictions.js';

/** Returns the id of the imported comparison pool. */
export async function importMonitorData(db: Db, admin: Actor, pseudonymKey: string): Promise<number> {
  const completers = await db
    .select({ id: people.id, prisonNumber: people.prisonNumber })
    .from(referrals)
    .innerJoin(people, eq(people.id, referrals.personId))
    .where(and(eq(referrals.programmeId, 'core-sotp'), eq(referrals.status, 'programme_complete')));
  if (completers.length === 0) throw new Error('the demo data has no completers of Core SOTP');
  await db
    .update(people)
    .set({ earliestReleaseDate: '2021-03-01' })
    .where(
      inArray(
        people.id,
        completers.map((m) => m.id),
      ),
    );
  const records = completers.map((m, i) => `${m.prisonNumber},sexual,2022-0${1 + (i % 6)}-10`);
  await importReconvictions(
    db,
    admin,
    { fileName: 'national.csv', content: `prison_number,outcome,offence_date\n${records.join('\n')}\n`, dataAsOf: '2026-06-30' },
    pseudonymKey,
  );
  const pool = ['person_ref,treated,release_date,end_of_followup,risk_band,age_at_release,prior_sexual,sexual_reoffence_date'];
  for (let i = 0; i < 300; i++)
    pool.push(`C${i},0,20${18 + (i % 4)}-0${1 + (i % 9)}-15,2026-06-30,medium,${25 + (i % 30)},${i % 3},${i % 50 === 0 ? '2023-05-05' : ''}`);
  return (await importCohortFile(db, admin, { kind: 'comparison', fileName: 'pool.csv', content: pool.join('\n') })).cohortImport.id;
}
