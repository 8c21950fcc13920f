// Scenarios shared by the schedule tests: a small hand-made site and a fast-check generator of estates.
import fc from 'fast-check';
import { findProgrammeDefinition } from '../../../src/programme-files.js';
import { programmeRules } from '../../../src/domain/schedule/planner.js';
import type { Facilitator, Scenario, Slot } from '../../../src/domain/schedule/solver.js';
import type { WeekdayName } from '../../../src/domain/schedule/calendar.js';

const core = findProgrammeDefinition('core-sotp');
if (!core) throw new Error('programmes/core-sotp.v1.json is missing');
export const rules = programmeRules(core);

export const weekdaySlots = (starts: string[]): Slot[] =>
  (['mon', 'tue', 'wed', 'thu', 'fri'] as WeekdayName[]).flatMap((weekday) => starts.map((start) => ({ weekday, start })));

export const facilitator = (id: string, overrides: Partial<Facilitator> = {}): Facilitator => ({
  id,
  sites: ['A'],
  programmes: ['core-sotp'],
  unavailable: [],
  maxSessionsPerDay: 1,
  maxSessionsPerWeek: 5,
  ...overrides,
});

/** One site, three rooms, 09:00 and 13:30 every weekday, three groups sharing six facilitators (plus two odd ones). */
export function smallSite(): Scenario {
  const staff = ['f1', 'f2', 'f3', 'f4', 'f5', 'f6'];
  return {
    programme: 'core-sotp',
    closures: [],
    sites: [{ id: 'A', rooms: ['A1', 'A2', 'A3'], slots: weekdaySlots(['09:00', '13:30']) }],
    facilitators: [...staff.map((id) => facilitator(id)), facilitator('outsider'), facilitator('unaccredited', { programmes: ['other-programme'] })],
    groups: ['g1', 'g2', 'g3'].map((id) => ({ id, site: 'A', earliestStart: '2027-01-04', team: [...staff, 'unaccredited'] })),
  };
}

const starts = ['08:30', '09:00', '10:00', '13:30', '14:00'];
const weekdays: WeekdayName[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const isoOf = (day: number) => new Date(Date.UTC(2027, 0, 4 + day)).toISOString().slice(0, 10);

/** Random estates: 1-3 sites, rooms, slots, facilitators (some on two sites, some unaccredited, some with supervision ending), leave, closures, teams (some with a cover facilitator). */
export const arbitraryScenario: fc.Arbitrary<Scenario> = fc
  .record({
    siteCount: fc.integer({ min: 1, max: 3 }),
    seed: fc.array(
      fc.record({
        rooms: fc.integer({ min: 0, max: 9 }).map((n) => (n === 0 ? 0 : 1 + (n % 2))),
        slots: fc.uniqueArray(fc.record({ weekday: fc.constantFrom(...weekdays), start: fc.constantFrom(...starts) }), {
          minLength: 3,
          maxLength: 10,
          selector: (s) => `${s.weekday} ${s.start}`,
        }),
        closures: fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 6 }),
      }),
      { minLength: 3, maxLength: 3 },
    ),
    staff: fc.array(
      fc.record({
        home: fc.integer({ min: 0, max: 2 }),
        alsoAt: fc.option(fc.integer({ min: 0, max: 2 })),
        accredited: fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
        leave: fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 25 }),
        perDay: fc.integer({ min: 1, max: 2 }),
        perWeek: fc.integer({ min: 2, max: 6 }),
        supervisedUntil: fc.option(fc.integer({ min: 0, max: 500 })),
      }),
      { minLength: 2, maxLength: 10 },
    ),
    groups: fc.array(
      fc.record({
        site: fc.integer({ min: 0, max: 2 }),
        start: fc.integer({ min: 0, max: 60 }),
        team: fc.uniqueArray(fc.nat(9), { minLength: 2, maxLength: 5 }),
        outsider: fc.option(fc.nat(9)),
        lastIsCover: fc.boolean(),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .map(({ siteCount, seed, staff, groups }) => {
    const siteId = (i: number) => `S${i % siteCount}`;
    const sites = seed.slice(0, siteCount).map((s, i) => ({
      id: siteId(i),
      rooms: Array.from({ length: s.rooms }, (_, r) => `R${r}`),
      slots: s.slots,
    }));
    const facilitators = staff.map((f, i) => ({
      id: `f${i}`,
      sites: [...new Set([siteId(f.home), ...(f.alsoAt === null ? [] : [siteId(f.alsoAt)])])],
      programmes: f.accredited ? ['core-sotp'] : ['other'],
      accreditations:
        f.supervisedUntil === null ? [] : [{ programme: 'core-sotp', accreditedOn: '2026-01-01', supervisionCurrentUntil: isoOf(f.supervisedUntil) }],
      unavailable: f.leave.map(isoOf),
      maxSessionsPerDay: f.perDay,
      maxSessionsPerWeek: f.perWeek,
    }));
    // Teams are drawn mostly from the site's own staff, sometimes with someone from elsewhere.
    const teamOf = (site: string, picks: number[], outsider: number | null) => {
      const local = facilitators.filter((f) => f.sites.includes(site)).map((f) => f.id);
      const chosen = local.length ? picks.map((p) => local[p % local.length]) : [];
      if (outsider !== null) chosen.push(facilitators[outsider % facilitators.length].id);
      return [...new Set(chosen)];
    };
    return {
      programme: 'core-sotp',
      closures: seed.slice(0, siteCount).flatMap((s, i) => s.closures.map((d) => ({ site: siteId(i), date: isoOf(d) }))),
      sites,
      facilitators,
      groups: groups.map((g, i) => {
        const team = teamOf(siteId(g.site), g.team, g.outsider);
        return { id: `g${i}`, site: siteId(g.site), earliestStart: isoOf(g.start), team, cover: g.lastIsCover ? team.slice(-1) : [] };
      }),
    };
  });
