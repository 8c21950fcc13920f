// Benchmark for the timetable solver on the estate of issue 15: 40 sites × 3 groups, each group's team 4 of the
// site's facilitators, random absences and closures; with 6 and with 8 facilitators a site. Every timetable is
// checked by the independent checker. `--exact` also solves each site exactly (src/domain/schedule/exact.ts; slow,
// run offline) and compares; `--sites N` changes the number of sites.
import { calendarLowerBound, teamLowerBound } from '../src/domain/schedule/bounds.js';
import { dayNumber, isoDate, isoWeekday } from '../src/domain/schedule/calendar.js';
import { checkTimetable } from '../src/domain/schedule/check.js';
import { exactSiteOptimum } from '../src/domain/schedule/exact.js';
import { programmeRules, type ProgrammeRules } from '../src/domain/schedule/planner.js';
import { solve, type Scenario, type Slot } from '../src/domain/schedule/solver.js';
import { findProgrammeDefinition } from '../src/programme-files.js';
import { markdownTable, reportResults } from './results.js';

const argument = (name: string) => process.argv.indexOf(name);
const sites = argument('--sites') > 0 ? Number(process.argv[argument('--sites') + 1]) : 40;
const exact = argument('--exact') > 0;
const groupsPerSite = 3;
const teamSize = 4;
const leaveShare = 0.1;
const closureShare = 0.01;
const firstDay = dayNumber('2027-01-04');
const seed = 20270104;
/** Groups re-planned one at a time with every other group fixed, as "Generate timetable" does. */
const singleGroupSamples = 12;

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

/** Weekdays of the coming year drawn with the given chance each. */
function someWeekdays(random: () => number, share: number): string[] {
  const days: string[] = [];
  for (let day = firstDay; day < firstDay + 365; day++) {
    if (isoWeekday(day) <= 5 && random() < share) days.push(isoDate(day));
  }
  return days;
}

function nationalEstate(facilitatorsPerSite: number): Scenario {
  const random = prng(seed);
  const scenario: Scenario = { programme: 'core-sotp', closures: [], sites: [], facilitators: [], groups: [] };
  for (let s = 0; s < sites; s++) {
    const site = `S${s}`;
    scenario.sites.push({ id: site, rooms: [`${site}-R1`, `${site}-R2`], slots });
    for (const date of someWeekdays(random, closureShare)) scenario.closures.push({ site, date });
    const staff = Array.from({ length: facilitatorsPerSite }, (_, i) => `${site}-F${i}`);
    for (const id of staff) {
      scenario.facilitators.push({
        id,
        sites: [site],
        programmes: ['core-sotp'],
        unavailable: someWeekdays(random, leaveShare),
        maxSessionsPerDay: 1,
        maxSessionsPerWeek: 5,
      });
    }
    for (let g = 0; g < groupsPerSite; g++) {
      const team = [...staff].sort(() => random() - 0.5).slice(0, teamSize);
      scenario.groups.push({ id: `${site}-G${g}`, site, earliestStart: isoDate(firstDay + 7 * Math.floor(random() * 4)), team });
    }
  }
  return scenario;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fixed = (x: number) => x.toFixed(3);
const days = (from: string, to: string) => dayNumber(to) - dayNumber(from) + 1;

interface Measured {
  row: Array<string | number>;
  note: string;
}

function measure(rules: ProgrammeRules, facilitatorsPerSite: number): Measured {
  const scenario = nationalEstate(facilitatorsPerSite);
  const started = performance.now();
  const solution = solve(scenario, rules);
  const solveMs = performance.now() - started;
  const violations = checkTimetable(scenario, rules, solution);
  const finish = new Map(solution.groups.map((g) => [g.id, g.lastDate]));
  const ratioOf = (group: Scenario['groups'][number], end: string) =>
    days(group.earliestStart, end) / days(group.earliestStart, calendarLowerBound(scenario, rules, group));
  const planned = scenario.groups.filter((g) => finish.has(g.id));
  const ratios = planned.map((g) => ratioOf(g, finish.get(g.id) as string));
  const lowerBounds = planned.map((g) => ratioOf(g, teamLowerBound(scenario, rules, g) as string));

  // One group at a time with every other group's sessions fixed, as the app's "Generate timetable" plans.
  const samples = scenario.groups.filter((_, i) => i % Math.ceil(scenario.groups.length / singleGroupSamples) === 0);
  const singleMs = samples.map((g) => {
    const others = solution.sessions.filter((s) => s.group !== g.id);
    const t0 = performance.now();
    solve({ ...scenario, fixedSessions: others }, rules, { onlyGroups: [g.id] });
    return performance.now() - t0;
  });

  const row: Array<string | number> = [
    `${sites} × ${groupsPerSite} groups, ${facilitatorsPerSite} facilitators/site`,
    (solveMs / 1000).toFixed(2),
    Math.round(Math.max(...singleMs)),
    violations.length,
    solution.unscheduled.length,
    fixed(mean(ratios)),
    fixed(Math.max(...ratios)),
    fixed(mean(lowerBounds)),
    fixed(mean(ratios) / mean(lowerBounds)),
  ];
  if (!exact) return { row: [...row, '—', '—', '—', '—'], note: '' };

  const exactStarted = performance.now();
  const siteMeans: Array<{ site: string; solver: number; exact: number }> = [];
  let exactViolations = 0;
  for (const site of scenario.sites) {
    const optimum = exactSiteOptimum(scenario, rules, site.id);
    if (!optimum) continue;
    const siteScenario = { ...scenario, groups: scenario.groups.filter((g) => g.site === site.id) };
    exactViolations += checkTimetable(siteScenario, rules, { sessions: optimum.sessions, unscheduled: [] }).length;
    const groups = scenario.groups.filter((g) => g.site === site.id);
    siteMeans.push({
      site: site.id,
      solver: mean(groups.map((g) => ratioOf(g, finish.get(g.id) as string))),
      exact: mean(groups.map((g) => ratioOf(g, optimum.finishes.get(g.id) as string))),
    });
  }
  const exactMs = performance.now() - exactStarted;
  const exactMean = mean(siteMeans.map((s) => s.exact));
  const solverMean = mean(siteMeans.map((s) => s.solver));
  const worst = siteMeans.reduce((a, b) => (b.solver / b.exact > a.solver / a.exact ? b : a));
  return {
    row: [
      ...row,
      `${fixed(exactMean)} (${siteMeans.length} sites)`,
      fixed(solverMean / exactMean),
      `${siteMeans.filter((s) => s.solver > s.exact * 1.05).length}; worst ${worst.site} ${fixed(worst.solver)} vs ${fixed(worst.exact)}`,
      `${(exactMs / 1000).toFixed(1)} s, ${exactViolations} violations`,
    ],
    note: '',
  };
}

const definition = findProgrammeDefinition('core-sotp');
if (!definition) throw new Error('programmes/core-sotp.v1.json not found');
const rules = programmeRules(definition);
const rows = [measure(rules, 6), measure(rules, 8)].map((m) => m.row);
reportResults(
  'Timetable solver (bench/plan.ts)',
  [
    markdownTable(
      [
        'estate',
        'solve s (whole estate)',
        'one group, others fixed: worst ms',
        'violations (independent checker)',
        'unscheduled',
        'group ratio: mean',
        'worst',
        'lower bound on the mean',
        'mean / lower bound',
        'exact per-site mean',
        'solver / exact (same sites)',
        'sites > 5% above exact',
        'exact: time, violations',
      ],
      rows,
    ),
    '',
    `Command: \`npm run bench:plan${exact ? ' -- --exact' : ''}${sites !== 40 ? ` --sites ${sites}` : ''}\`. Group ratio = (finish − earliest start + 1) / (calendar bound − earliest start + 1), in days:`,
    `the objective the solver minimises (its mean). Each site: 2 rooms, Mon–Fri 09:00 and 13:30; each group's team is ${teamSize} of the site's facilitators;`,
    `each facilitator is away on ~${leaveShare * 100}% of weekdays and each site closed on ~${closureShare * 100}% (seeded ${seed}); facilitators at most 1 session a day, 5 a week.`,
    "The lower bound on each group's finish is its own team's: the day it would finish if it had its site and team to itself",
    '(slot weekdays on which at least 2 of its team are at work); the mean of those ratios bounds the mean from below.',
    `"One group, others fixed" re-plans ${singleGroupSamples} groups each with every other group's sessions fixed (the app's "Generate timetable").`,
    'The exact per-site optimum is a dynamic programme over the sessions each group has run (exact here because rooms and weekly limits',
    'cannot bind and facilitators meet once a day); its timetables are re-checked by the independent checker.',
  ].join('\n'),
);
