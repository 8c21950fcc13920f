// Demo data of the facilitator pipeline: someone at every stage at HMP Northgate (and a withdrawal at Southmoor), made
// through the pipeline service as a treatment manager would; the demo facilitators accredited before the pipeline
// are loaded as `sotp staff import` loads a staff list; and one sign-in whose accreditation is suspended.
// Whose supervision has lapsed shows on their record from the supervision records. Added once: a database with
// anyone in the pipeline is left alone.
import { and, count, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { sites, staffMembers, userSites, users } from '../db/schema.js';
import type { Role } from '../domain/roles.js';
import { systemActor, type Actor } from './access.js';
import { addDays, londonToday } from './scheduling.js';
import { standingAccreditations } from './staff/accreditation.js';
import { importStaff } from './staff/import.js';
import { addStaffMember, linkSignIn, makeStageMove } from './staff/pipeline.js';
import { nameTreatmentManager } from './staff/site-staff.js';
import { createUser } from './users.js';

/** The demo sign-in whose accreditation is suspended (in the README's list of demo sign-ins). */
export const demoPipelineSignIns = [{ username: 'facilitator7', displayName: 'Sol Facilitator', site: 'NGT' }] as const;

type Steps = Array<[string, Record<string, unknown>]>;

async function actorOf(db: Db, username: string): Promise<Actor | undefined> {
  const [user] = await db.select().from(users).where(eq(users.username, username));
  if (!user) return undefined;
  const siteIds = (await db.select({ id: userSites.siteId }).from(userSites).where(eq(userSites.userId, user.id))).map((s) => s.id);
  return { userId: user.id, username: user.username, role: user.role as Role, siteIds };
}

export async function seedDemoStaff(db: Db, options: { password: string; today?: string }): Promise<string[]> {
  const [{ n }] = await db.select({ n: count() }).from(staffMembers);
  if (n > 0) return [];
  const today = options.today ?? londonToday();
  const ago = (days: number) => addDays(today, -days);
  const siteIds = new Map((await db.select().from(sites)).map((s) => [s.code, s.id]));
  const manager = await actorOf(db, 'manager');
  const manager2 = await actorOf(db, 'manager2');
  const ngt = siteIds.get('NGT');
  const smr = siteIds.get('SMR');
  if (!manager || !manager2 || ngt === undefined || smr === undefined) return [];
  const created: string[] = [];
  for (const s of demoPipelineSignIns) {
    if (await actorOf(db, s.username)) continue;
    await createUser(db, systemActor, {
      username: s.username,
      displayName: s.displayName,
      role: 'facilitator',
      siteIds: [siteIds.get(s.site)],
      password: options.password,
    });
    created.push(s.username);
  }
  // The demo groups' facilitators were accredited before the pipeline: loaded as a staff list would be, all but
  // the ones below whose whole history the pipeline shows (and anyone not accredited, on a database seeded again).
  const withHistory = new Set<string>(['facilitator3', ...demoPipelineSignIns.map((s) => s.username)]);
  let accredited = (
    await db
      .select({ userId: users.id, username: users.username, displayName: users.displayName, siteId: userSites.siteId })
      .from(users)
      .innerJoin(userSites, eq(userSites.userId, users.id))
      .where(and(eq(users.role, 'facilitator'), inArray(userSites.siteId, [ngt, smr])))
  ).filter((f) => !withHistory.has(f.username));
  const holding = new Set(
    (
      await standingAccreditations(
        db,
        accredited.map((f) => f.userId),
        today,
      )
    )
      .filter((a) => a.programmeId === 'core-sotp')
      .map((a) => a.userId),
  );
  accredited = accredited.filter((f) => holding.has(f.userId));
  const codes = new Map([...siteIds].map(([code, id]) => [id, code]));
  const csv = [
    'username,display_name,site_code,programme_id,accredited_on',
    ...accredited.map((f) => `${f.username},${f.displayName},${codes.get(f.siteId)},core-sotp,2024-01-01`),
  ];
  await importStaff(db, systemActor, { fileName: 'demo-staff.csv', content: csv.join('\n') }, today);

  const suitable = {
    psychometricResult: 'Within the expected range on every scale',
    interviewPanel: 'Morgan Manager and the head of reducing reoffending',
    interviewOutcome: 'suitable',
  };
  const toProgrammeTraining: Steps = [
    ['record_suitability', { ...suitable, interviewDate: ago(300) }],
    ['record_assessment_passed', { assessedOn: ago(280) }],
    ['record_fundamental_skills_training', { course: 'Fundamental skills (residential)', startedOn: ago(250), finishedOn: ago(240), result: 'passed' }],
    ['record_programme_training', { programmeId: 'core-sotp', startedOn: ago(200), finishedOn: ago(190), result: 'passed' }],
  ];
  const people: Array<{ name: string; siteId: number; actor: Actor; signIn?: string; steps: Steps }> = [
    { name: 'Priya Patel', siteId: ngt, actor: manager, steps: [] },
    {
      name: 'Tom Hughes',
      siteId: ngt,
      actor: manager,
      steps: [['record_suitability', { ...suitable, interviewDate: ago(20), interviewNotes: 'Good account of boundaries' }]],
    },
    { name: 'Grace Okoye', siteId: ngt, actor: manager, steps: toProgrammeTraining.slice(0, 2) },
    {
      name: 'Liam Doyle',
      siteId: ngt,
      actor: manager,
      steps: [
        ['record_suitability', { ...suitable, interviewOutcome: 'not_suitable', interviewDate: ago(40) }],
        ['record_not_selected', { reason: 'The interview panel found him not suitable for group work at present' }],
      ],
    },
    { name: 'Hannah Price', siteId: ngt, actor: manager, steps: toProgrammeTraining.slice(0, 3) },
    // Trained, waiting for an administrator to link a sign-in before she can be accredited.
    { name: 'Owen Clarke', siteId: ngt, actor: manager, steps: toProgrammeTraining },
    {
      name: 'Robin Facilitator',
      siteId: ngt,
      actor: manager,
      signIn: 'facilitator3',
      steps: [...toProgrammeTraining, ['accredit', { programmeId: 'core-sotp', accreditedOn: ago(180) }]],
    },
    {
      name: 'Sol Facilitator',
      siteId: ngt,
      actor: manager,
      signIn: 'facilitator7',
      steps: [
        ...toProgrammeTraining,
        ['accredit', { programmeId: 'core-sotp', accreditedOn: ago(20) }],
        ['suspend', { programmeId: 'core-sotp', from: today, reason: 'Pending the outcome of a conduct investigation' }],
      ],
    },
    {
      name: 'Nadia Rahman',
      siteId: smr,
      actor: manager2,
      steps: [...toProgrammeTraining.slice(0, 3), ['withdraw', { from: ago(100), reason: 'Moved to a post outside programmes' }]],
    },
  ];
  const store = { fileStoreDir: '', maxBytes: 0 };
  for (const p of people) {
    const { id } = await addStaffMember(
      db,
      p.actor,
      { displayName: p.name, siteId: String(p.siteId), appliedOn: ago(p.steps.length ? 330 : 10) },
      {},
      store,
      today,
    );
    const version = async () => (await db.select({ v: staffMembers.version }).from(staffMembers).where(eq(staffMembers.id, id)))[0].v;
    if (p.signIn) {
      const user = await actorOf(db, p.signIn);
      if (user) await linkSignIn(db, systemActor, id, { version: await version(), userId: user.userId });
    }
    for (const [move, input] of p.steps) await makeStageMove(db, p.actor, id, move, { version: await version(), ...input }, {}, store, today);
  }
  created.push(`${people.length + accredited.length} members of staff in the facilitator pipeline`);
  // Each site's treatment manager answers for its programme: supervision, and the site's response to an audit.
  for (const [siteId, named] of [
    [ngt, manager],
    [smr, manager2],
  ] as const) {
    await nameTreatmentManager(db, systemActor, siteId, { programmeId: 'core-sotp', userId: named.userId, version: 0 });
  }
  return created;
}
