// Demo data for trying sotp out: two prisons and one user per role. Never in production.
import { count, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { people, programmeGroups, sites, userSites, users } from '../db/schema.js';
import { projectPath } from '../paths.js';
import { calendarDay } from '../domain/people/dates.js';
import type { ConvictionCategory } from '../domain/programme/definition.js';
import type { Role } from '../domain/roles.js';
import { systemActor, type Actor } from './access.js';
import { getEligibility, recordEligibilityOverride } from './eligibility.js';
import { groupsWithPlaces } from './group-membership.js';
import { addConviction, createPerson } from './people.js';
import { createReferral, transitionReferral, type Referral } from './referrals.js';
import { ospFromRecord, rm2000FromRecord, scorePerson } from './risk-scores.js';
import { readPersonRecord } from './people.js';
import { createSite, listSites } from './sites.js';
import { createUser } from './users.js';
import { seedDemoGroups } from './demo-groups.js';
import { seedDemoWork } from './demo-work.js';
import { seedDemoRegisters } from './demo-registers.js';
import { seedDemoPsychometrics } from './demo-psychometrics.js';
import { seedDemoRecordings } from './recordings.js';
import { seedDemoStaff } from './demo-staff.js';

export const demoSites = [
  { code: 'NGT', name: 'HMP Northgate' },
  { code: 'SMR', name: 'HMP Southmoor' },
] as const;

export const demoUsers: Array<{ username: string; displayName: string; role: Role; sites: string[] }> = [
  { username: 'admin', displayName: 'Ada Administrator', role: 'administrator', sites: [] },
  { username: 'manager', displayName: 'Morgan Manager', role: 'treatment_manager', sites: ['NGT'] },
  { username: 'manager2', displayName: 'Sam Southmoor', role: 'treatment_manager', sites: ['SMR'] },
  { username: 'assessor', displayName: 'Alex Assessor', role: 'assessor', sites: ['NGT', 'SMR'] },
  { username: 'facilitator', displayName: 'Frankie Facilitator', role: 'facilitator', sites: ['NGT'] },
  { username: 'facilitator2', displayName: 'Jo Facilitator', role: 'facilitator', sites: ['SMR'] },
  { username: 'auditor', displayName: 'Audrey Auditor', role: 'auditor', sites: [] },
  { username: 'researcher', displayName: 'Rene Researcher', role: 'researcher', sites: [] },
];

export class DemoRefused extends Error {}

export async function isEmpty(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(users);
  return row.n === 0;
}

/** Adds whatever demo sites and users are missing; existing ones are left as they are. */
/** Tiny sample videos (a few KB each, made once with ffmpeg) that the demo groups' first sessions get as recordings. */
const demoRecordingSamples = [projectPath('demo', 'recordings', 'session-1.webm'), projectPath('demo', 'recordings', 'session-2.mp4')];

/** `fileStoreDir`: where the demo recordings go; without it (tests), no recordings are added. */
export async function seedDemo(
  db: Db,
  options: { password: string; production: boolean; actor?: Actor; fileStoreDir?: string },
): Promise<{ created: string[] }> {
  if (options.production) throw new DemoRefused('demo data is refused when NODE_ENV=production');
  const actor = options.actor ?? systemActor;
  const created: string[] = [];
  const existingSites = new Set((await db.select({ code: sites.code }).from(sites)).map((s) => s.code));
  for (const site of demoSites) {
    if (existingSites.has(site.code)) continue;
    await createSite(db, actor, site);
    created.push(site.name);
  }
  const siteIds = new Map((await listSites(db, actor)).map((s) => [s.code, s.id]));
  const existingUsers = new Set((await db.select({ username: users.username }).from(users)).map((u) => u.username));
  for (const user of demoUsers) {
    if (existingUsers.has(user.username)) continue;
    await createUser(db, actor, {
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      siteIds: user.sites.map((code) => siteIds.get(code)),
      password: options.password,
    });
    created.push(user.username);
  }
  const [{ n: peopleCount }] = await db.select({ n: count() }).from(people);
  const toAllocate = peopleCount === 0 ? await seedDemoPeople(db, siteIds) : [];
  if (peopleCount === 0) created.push('60 men with convictions, scores and referrals');
  created.push(...(await seedDemoGroups(db, { password: options.password, actor })).created);
  await allocateDemoMen(db, toAllocate);
  await seedDemoRegisters(db);
  const demoGroupIds = (await db.select({ id: programmeGroups.id }).from(programmeGroups)).map((g) => g.id);
  const logged = await seedDemoWork(db, { groupIds: demoGroupIds, fileStoreDir: options.fileStoreDir });
  if (logged > 0) created.push(`${logged} session logs`);
  if (peopleCount === 0) {
    const tests = await seedDemoPsychometrics(db, await demoActor(db, 'assessor'), calendarDay(new Date()));
    created.push(`${tests} psychometric tests of the demo groups' men`);
  }
  if (options.fileStoreDir) {
    const demoSiteIds = demoSites.map((site) => siteIds.get(site.code)).filter((id): id is number => id !== undefined);
    const groupIds = (await db.select({ id: programmeGroups.id }).from(programmeGroups).where(inArray(programmeGroups.siteId, demoSiteIds))).map((g) => g.id);
    const added = await seedDemoRecordings(db, { fileStoreDir: options.fileStoreDir, samples: demoRecordingSamples, groupIds });
    if (added > 0) created.push(`${added} session recordings`);
  }
  created.push(...(await seedDemoStaff(db, { password: options.password })));
  return { created };
}

/** A demo man waiting to be allocated to his site's group, then walked on by `after` (e.g. start, complete). */
interface PendingAllocation {
  manager: Actor;
  referral: Referral;
  after: string[];
}

/**
 * Men whose demo status is in or past a group are allocated to a named group of their site (made after the
 * people, by seedDemoGroups), so the demo data keeps the rule that allocated men are members of a group.
 * With no group with a free place they stay on the waitlist.
 */
async function allocateDemoMen(db: Db, pending: PendingAllocation[]): Promise<void> {
  for (const { manager, referral, after } of pending) {
    const [group] = await db.transaction((tx) => groupsWithPlaces(tx, referral.siteId, referral.programmeId));
    if (!group) continue;
    let current = await transitionReferral(db, manager, referral.id, 'allocate', { version: referral.version, groupId: group.id });
    // The demo's completed and deselected men finish in a group that began only weeks ago: their history is
    // made up, so their completion is recorded as the completion record would, without its 84-session rule.
    for (const step of after) {
      current = await transitionReferral(db, manager, current.id, step, { reason: demoReasons[step], version: current.version }, undefined, true);
    }
  }
}

// ---- Demo men: fictional names, deterministic (a seeded PRNG), made through the services so history and audit are real.

/** mulberry32: a small seeded PRNG, so the demo data is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const demoGivenNames = [
  'Alden',
  'Barnaby',
  'Cedric',
  'Dorian',
  'Elwood',
  'Fenwick',
  'Gideon',
  'Horace',
  'Ivor',
  'Jasper',
  'Kenelm',
  'Lionel',
  'Merrick',
  'Norbert',
  'Oswin',
  'Peregrine',
  'Quillon',
  'Rupert',
  'Silas',
  'Tobias',
  'Ulric',
  'Vernon',
  'Wilfred',
  'Xander',
  'Yorick',
  'Zebulon',
];
const demoFamilyNames = [
  'Ashgrove',
  'Brackenridge',
  'Cobblestone',
  'Dunmore',
  'Eastwick',
  'Fallowfield',
  'Greystoke',
  'Hollowell',
  'Inchbald',
  'Jessamy',
  'Kettleby',
  'Larkspur',
  'Marchbank',
  'Nethercott',
  'Oakhurst',
  'Pennyworth',
  'Quarrington',
  'Ravensworth',
  'Stonebridge',
  'Thistlewood',
  'Underhill',
  'Verity',
  'Whitlock',
  'Yarrowby',
];
const demoOffences: Record<ConvictionCategory, string[]> = {
  sexual_contact: ['Sexual assault', 'Rape', 'Sexual activity with a child', 'Assault by penetration'],
  sexual_non_contact: ['Indecent exposure', 'Voyeurism', 'Possession of indecent images'],
  violent: ['Assault occasioning actual bodily harm', 'Wounding', 'Robbery'],
  burglary: ['Burglary (dwelling)', 'Burglary (non-dwelling)'],
  other: ['Theft', 'Criminal damage', 'Possession of a controlled drug', 'Fraud'],
};

// Every status, with extra men on the waitlist; paths are walked with the real transitions.
const demoTargets = [
  'draft',
  'submitted',
  'awaiting_assessment',
  'assessment_started',
  'not_eligible',
  'not_suitable',
  'suitable_not_ready',
  'assessed_suitable',
  'awaiting_allocation',
  'allocated',
  'on_programme',
  'programme_complete',
  'deselected',
  'on_hold',
  'withdrawn',
  'awaiting_allocation',
  'awaiting_allocation',
  'awaiting_allocation',
  'submitted',
  'awaiting_assessment',
] as const;
const toAssessment = ['submit', 'accept_for_assessment', 'start_assessment'];
const toWaitlist = [...toAssessment, 'record_suitable', 'add_to_waitlist'];
const demoPaths: Record<(typeof demoTargets)[number], string[]> = {
  draft: [],
  submitted: ['submit'],
  awaiting_assessment: ['submit', 'accept_for_assessment'],
  assessment_started: toAssessment,
  not_eligible: [...toAssessment, 'record_not_eligible'],
  not_suitable: [...toAssessment, 'record_not_suitable'],
  suitable_not_ready: [...toAssessment, 'record_suitable_not_ready'],
  assessed_suitable: [...toAssessment, 'record_suitable'],
  awaiting_allocation: toWaitlist,
  // Allocation needs a group, made after the people: these stop on the waitlist and go on in allocateDemoMen.
  allocated: [...toWaitlist, 'allocate'],
  on_programme: [...toWaitlist, 'allocate', 'start_programme'],
  programme_complete: [...toWaitlist, 'allocate', 'start_programme', 'complete_programme'],
  deselected: [...toWaitlist, 'allocate', 'start_programme', 'deselect'],
  on_hold: [...toAssessment, 'put_on_hold'],
  withdrawn: ['submit', 'withdraw'],
};
const demoReasons: Record<string, string> = {
  record_not_eligible: 'RM2000/S low and no sexual murder: not eligible for Core SOTP.',
  record_not_suitable: 'Denies the offence entirely; not suitable for group work at present.',
  record_suitable_not_ready: 'Suitable, but needs to complete a substance misuse course first.',
  deselect: 'Disruptive behaviour that stops the group working', // the programme's own reason (deselectionReasons)
  put_on_hold: 'Transferred to healthcare for a period.',
  withdraw: 'Transferred to another establishment.',
};
const demoOverrideReason = 'IQ assessment booked; his education and work records show he can take part in group work.';

async function demoActor(db: Db, username: string): Promise<Actor> {
  const [user] = await db.select().from(users).where(eq(users.username, username));
  const siteRows = await db.select({ id: userSites.siteId }).from(userSites).where(eq(userSites.userId, user.id));
  return { userId: user.id, username: user.username, role: user.role as Role, siteIds: siteRows.map((r) => r.id) };
}

async function seedDemoPeople(db: Db, siteIds: Map<string, number>): Promise<PendingAllocation[]> {
  const pending: PendingAllocation[] = [];
  const random = prng(20_240_601);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const today = calendarDay(new Date());
  const thisYear = Number(today.slice(0, 4));
  const day = (y: number) => `${y}-${String(between(1, 12)).padStart(2, '0')}-${String(between(1, 28)).padStart(2, '0')}`;
  const assessor = await demoActor(db, 'assessor');
  const managers = { NGT: await demoActor(db, 'manager'), SMR: await demoActor(db, 'manager2') };
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
  const addDays = (from: string, days: number) => calendarDay(new Date(Date.parse(`${from}T00:00:00Z`) + days * 86_400_000));

  for (let i = 0; i < 60; i++) {
    const siteCode = i < 30 ? 'NGT' : 'SMR';
    const manager = managers[siteCode];
    const withIq = i % 9 !== 4; // a few men without an IQ result: their eligibility stays undetermined
    const target = demoTargets[i % demoTargets.length];
    // Men the demo walks onto the waitlist mostly have the profile Core SOTP is for (an IQ over 80, a contact
    // index offence, young, so RM2000/S medium or above), so the waitlist and groups have men in them.
    const headedForGroupWork = demoPaths[target].includes('add_to_waitlist');
    const birthYear = headedForGroupWork ? between(thisYear - 26, thisYear - 21) : between(thisYear - 70, thisYear - 21);
    // Sentenced for the index sexual offence in or after the year he turned 19; earlier convictions come before it.
    const sentenceYear = between(Math.max(birthYear + 19, thisYear - 6), thisYear - 1);
    const sentenceDate = day(sentenceYear);
    const person = await createPerson(db, manager, {
      prisonNumber: `D${1000 + i}${pick([...letters])}${pick([...letters])}`,
      givenName: pick(demoGivenNames),
      familyName: pick(demoFamilyNames),
      dateOfBirth: day(birthYear),
      sex: 'male',
      siteId: siteIds.get(siteCode),
      sentenceDate,
      // Every fifth man is due out within about four months, so the waitlist shows its warning.
      earliestReleaseDate: i % 5 === 0 ? addDays(today, between(30, 110)) : day(thisYear + between(1, 8)),
      neverMarried: pick(['yes', 'no', '']),
      ...(withIq ? { iqScore: between(headedForGroupWork ? 81 : 72, 125), iqTest: 'WAIS-IV', iqDate: day(thisYear - 1) } : {}),
      sexualMurder: i % 23 === 7 ? 'true' : '',
    });
    const convictionCount = between(1, 4);
    for (let c = 0; c < convictionCount; c++) {
      // The first conviction is the index sexual offence (on the sentence date); the rest are earlier and vary.
      const category: ConvictionCategory =
        c === 0
          ? i % 11 === 3 && !headedForGroupWork
            ? 'sexual_non_contact'
            : 'sexual_contact'
          : pick(['sexual_contact', 'violent', 'burglary', 'other', 'other'] as const);
      const sexual = category === 'sexual_contact' || category === 'sexual_non_contact';
      await addConviction(db, assessor, person.id, {
        convictionDate: c === 0 ? sentenceDate : day(between(birthYear + 18, sentenceYear - 1)),
        offence: pick(demoOffences[category]),
        category,
        attempt: sexual && random() < 0.1,
        victimMale: sexual && random() < 0.2,
        victimStranger: sexual && random() < 0.35,
        victimChild: category === 'sexual_contact' && random() < 0.4,
      });
    }
    if (i % 8 !== 6) {
      const record = await db.transaction((tx) => readPersonRecord(tx, assessor, person.id));
      const rm = rm2000FromRecord(record.person, record.convictions);
      await scorePerson(
        db,
        assessor,
        person.id,
        'rm2000s',
        { singleNeverMarried: false, ...rm, ageAtCommencementOfRisk: Math.max(18, thisYear - birthYear - between(0, 3)) },
        today,
      );
      if (i % 3 === 0) {
        const osp = ospFromRecord(record.person, record.convictions, today);
        await scorePerson(
          db,
          assessor,
          person.id,
          'osp',
          { indecentImageSanctions: 0, ageAtStartOfFollowup: thisYear - birthYear, yearsSinceStartOfFollowup: 0, ...osp },
          today,
        );
      }
    }
    let path = demoPaths[target];
    if (path.includes('add_to_waitlist')) {
      // Only eligible men reach the waitlist: a man computed not eligible is recorded so by the assessor; one
      // whose eligibility is undetermined (no IQ result) is let on by the manager's recorded override.
      const { result } = await getEligibility(db, manager, person.id, 'core-sotp', today);
      if (result === 'not_eligible') path = [...toAssessment, 'record_not_eligible'];
      if (result === 'undetermined')
        await recordEligibilityOverride(db, manager, person.id, 'core-sotp', { result: 'eligible', reason: demoOverrideReason }, today);
    }
    const allocateAt = path.indexOf('allocate');
    let referral = await createReferral(db, manager, { personId: person.id, programmeId: 'core-sotp' });
    for (const step of allocateAt < 0 ? path : path.slice(0, allocateAt)) {
      const actor = step === 'start_assessment' || step.startsWith('record_') ? assessor : manager;
      referral = await transitionReferral(db, actor, referral.id, step, { reason: demoReasons[step], version: referral.version });
    }
    if (allocateAt >= 0) pending.push({ manager, referral, after: path.slice(allocateAt + 1) });
  }
  return pending;
}
