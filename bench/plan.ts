// Benchmark for the timetable solver: a generated national estate (120 sites, 3 groups each) solved in one run,
// checked by the independent checker and compared with the calendar and facilitator-days lower bounds.
import { calendarLowerBound, facilitatorDaysLowerBound } from '../src/domain/schedule/bounds.js';
import { dayNumber, isoDate, isoWeekday, weeksSpanned } from '../src/domain/schedule/calendar.js';
import { checkTimetable } from '../src/domain/schedule/check.js';
import { programmeRules, type ProgrammeRules } from '../src/domain/schedule/planner.js';
import { solve, type Scenario, type Slot } from '../src/domain/schedule/solver.js';
import { findProgrammeDefinition } from '../src/programme-files.js';
import { markdownTable, reportResults } from './results.js';

const sites = 120;
const groupsPerSite = 3;
const leaveShare = 0.1;
const firstDay = dayNumber('2027-01-04');
const seed = 20270104;

/** mulberry32: a small seeded PRNG so every run plans the same estate. */
function prng(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const slots: Slot[] = (['mon', 'tue', 'wed', 'thu', 'fri'] as const).flatMap((weekday) => [
  { weekday, start: '09:00' },
  { weekday, start: '13:30' },
]);

/** Each facilitator is away on about a tenth of the weekdays of the year (leave, training). */
function leaveDays(random: () => number): string[] {
  const days: string[] = [];
  for (let day = firstDay; day < firstDay + 365; day++) {
    if (isoWeekday(day) <= 5 && random() < leaveShare) days.push(isoDate(day));
  }
  return days;
}

function nationalEstate(facilitatorsPerSite: number): Scenario {
  const random = prng(seed);
  const scenario: Scenario = { programme: 'core-sotp', closures: [], sites: [], facilitators: [], groups: [] };
  for (let s = 0; s < sites; s++) {
    const site = `S${s}`;
    scenario.sites.push({ id: site, rooms: [`${site}-R1`, `${site}-R2`], slots });
    const team = Array.from({ length: facilitatorsPerSite }, (_, i) => `${site}-F${i}`);
    for (const id of team) {
      scenario.facilitators.push({ id, sites: [site], programmes: ['core-sotp'], unavailable: leaveDays(random), maxSessionsPerDay: 1, maxSessionsPerWeek: 5 });
    }
    for (let g = 0; g < groupsPerSite; g++) {
      scenario.groups.push({ id: `${site}-G${g}`, site, earliestStart: isoDate(firstDay + 7 * Math.floor(random() * 4)), team });
    }
  }
  return scenario;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fixed = (x: number) => x.toFixed(3);

function weeksFrom(start: string, end: string): number {
  return weeksSpanned(dayNumber(start), dayNumber(end));
}

function measure(rules: ProgrammeRules, facilitatorsPerSite: number): Array<string | number> {
  const scenario = nationalEstate(facilitatorsPerSite);
  const started = performance.now();
  const solution = solve(scenario, rules);
  const solveMs = performance.now() - started;
  const violations = checkTimetable(scenario, rules, solution);
  const finish = new Map(solution.groups.map((g) => [g.id, g.lastDate]));
  const calendarRatios = scenario.groups
    .filter((g) => finish.has(g.id))
    .map((g) => weeksFrom(g.earliestStart, finish.get(g.id) as string) / weeksFrom(g.earliestStart, calendarLowerBound(scenario, rules, g)));
  const siteRatios = scenario.sites.map((site) => {
    const groups = scenario.groups.filter((g) => g.site === site.id);
    const start = groups.map((g) => g.earliestStart).sort()[0];
    const last = groups
      .map((g) => finish.get(g.id) ?? '9999-12-31')
      .sort()
      .at(-1) as string;
    return weeksFrom(start, last) / weeksFrom(start, facilitatorDaysLowerBound(scenario, rules, site.id) as string);
  });
  return [
    `${sites} × ${groupsPerSite} groups, ${facilitatorsPerSite} facilitators/site`,
    Math.round(solveMs),
    violations.length,
    solution.unscheduled.length,
    fixed(mean(calendarRatios)),
    fixed(Math.max(...calendarRatios)),
    `${calendarRatios.filter((r) => r === 1).length}/${calendarRatios.length}`,
    fixed(mean(siteRatios)),
    fixed(Math.max(...siteRatios)),
  ];
}

const definition = findProgrammeDefinition('core-sotp');
if (!definition) throw new Error('programmes/core-sotp.v1.json not found');
const rules = programmeRules(definition);
const rows = [measure(rules, 6), measure(rules, 8)];
reportResults(
  'Timetable solver (bench/plan.ts)',
  [
    markdownTable(
      [
        'estate',
        'solve ms',
        'violations (independent checker)',
        'unscheduled',
        'group weeks / calendar bound: mean',
        'worst',
        'groups on the calendar bound',
        'site weeks / facilitator-days bound: mean',
        'worst',
      ],
      rows,
    ),
    '',
    `Weeks are ISO weeks from the group's earliest start to its last session. Each facilitator is away on ~${leaveShare * 100}% of weekdays (seeded);`,
    '2 rooms and 10 slots a week (Mon-Fri 09:00, 13:30) per site; facilitators at most 1 session a day and 5 a week.',
    'With 6 facilitators and 3 groups a site can run at most 3 sessions a day, exactly one per group, so every day a facilitator',
    'is away costs some group a day: the calendar bound is out of reach and the facilitator-days bound is the fair comparison.',
    'The 8-facilitator row (not in the brief) shows the calendar bound met by most groups once facilitators are less scarce;',
    'the rest sit at sites whose facilitator-days bound is itself past the calendar bound (3 or more of 8 away on a day).',
  ].join('\n'),
);
