// `sotp plan`: one group's session dates from a start date, or a whole estate's timetable from a scenario file.
// weeks = ISO weeks (Monday-Sunday) touched from the first session to the last, both included.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { isIsoDate, minutesOfTime, weekdayNames, type WeekdayName } from '../../domain/schedule/calendar.js';
import { planGroup, PlanRequestError, programmeRules, type ProgrammeRules } from '../../domain/schedule/planner.js';
import { objectiveOf, solve, type GroupGap, type Obstacle, type Scenario } from '../../domain/schedule/solver.js';
import { findProgrammeDefinition } from '../../programme-files.js';
import { BadInput } from '../errors.js';
import { parseOrBadInput, printJson } from '../io.js';

interface PlanOptions {
  programme?: string;
  start?: string;
  weekdays: string;
  time: string;
  perWeek?: string;
  closures?: string;
  scenario?: string;
  json?: boolean;
}

const isoDate = z.string().refine(isIsoDate, 'must be a real date in the form YYYY-MM-DD');
const time = z.string().refine((t) => minutesOfTime(t) !== undefined, 'must be a time in the form HH:MM');
const id = z.string().min(1);

function duplicates(ids: string[]): number[] {
  return ids.flatMap((value, i) => (ids.indexOf(value) < i ? [i] : []));
}

const scenarioSchema = z
  .strictObject({
    programme: id,
    closures: z.array(z.strictObject({ site: id, date: isoDate })).default([]),
    sites: z.array(
      z.strictObject({
        id,
        rooms: z.array(id),
        slots: z.array(z.strictObject({ weekday: z.enum(weekdayNames), start: time })),
      }),
    ),
    facilitators: z.array(
      z.strictObject({
        id,
        sites: z.array(id),
        programmes: z.array(id),
        accreditations: z.array(z.strictObject({ programme: id, accreditedOn: isoDate, supervisionCurrentUntil: isoDate })).optional(),
        unavailable: z.array(isoDate).default([]),
        maxSessionsPerDay: z.number().int().min(1).default(1),
        maxSessionsPerWeek: z.number().int().min(1).default(5),
      }),
    ),
    groups: z.array(z.strictObject({ id, site: id, earliestStart: isoDate, team: z.array(id), cover: z.array(id).optional() })),
  })
  .superRefine((scenario, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const siteIds = new Set(scenario.sites.map((s) => s.id));
    const facilitatorIds = new Set(scenario.facilitators.map((f) => f.id));
    for (const list of ['sites', 'facilitators', 'groups'] as const) {
      for (const i of duplicates(scenario[list].map((x) => x.id))) issue([list, i, 'id'], `duplicate id "${scenario[list][i].id}"`);
    }
    scenario.sites.forEach((site, s) => {
      for (const i of duplicates(site.rooms)) issue(['sites', s, 'rooms', i], `duplicate room "${site.rooms[i]}"`);
    });
    scenario.closures.forEach((c, i) => siteIds.has(c.site) || issue(['closures', i, 'site'], `unknown site "${c.site}"`));
    scenario.facilitators.forEach((f, i) => {
      f.sites.forEach((s, j) => siteIds.has(s) || issue(['facilitators', i, 'sites', j], `unknown site "${s}"`));
      f.accreditations?.forEach((a, j) => {
        if (a.supervisionCurrentUntil < a.accreditedOn) {
          issue(['facilitators', i, 'accreditations', j, 'supervisionCurrentUntil'], 'must be on or after accreditedOn');
        }
      });
    });
    scenario.groups.forEach((g, i) => {
      if (!siteIds.has(g.site)) issue(['groups', i, 'site'], `unknown site "${g.site}"`);
      g.team.forEach((f, j) => facilitatorIds.has(f) || issue(['groups', i, 'team', j], `unknown facilitator "${f}"`));
      g.cover?.forEach((f, j) => g.team.includes(f) || issue(['groups', i, 'cover', j], `cover facilitator "${f}" is not in the group's team`));
    });
  });

function rulesFor(programmeId: string, field: string): ProgrammeRules {
  const def = findProgrammeDefinition(programmeId);
  if (!def) throw new BadInput(`${field}: unknown programme "${programmeId}"`);
  return programmeRules(def);
}

function requireDate(value: string, field: string): string {
  if (!isIsoDate(value)) throw new BadInput(`${field}: "${value}" is not a real date in the form YYYY-MM-DD`);
  return value;
}

function parseWeekdays(value: string): WeekdayName[] {
  const names = value.split(',').map((w) => w.trim().toLowerCase());
  for (const name of names) {
    if (!(weekdayNames as readonly string[]).includes(name)) {
      throw new BadInput(`--weekdays: unknown weekday "${name}" (use ${weekdayNames.join(',')})`);
    }
  }
  return names as WeekdayName[];
}

function parsePerWeek(value: string | undefined, rules: ProgrammeRules): number {
  if (value === undefined) return rules.maxSessionsPerWeek;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > rules.maxSessionsPerWeek) {
    throw new BadInput(`--per-week: must be a whole number from 1 to ${rules.maxSessionsPerWeek} (the programme's weekly maximum), got "${value}"`);
  }
  return n;
}

const optionOfField = { start: '--start', weekdays: '--weekdays', time: '--time', perWeek: '--per-week', closures: '--closures' };

function planOneGroup(options: PlanOptions): void {
  if (!options.start) throw new BadInput('--start: a start date (YYYY-MM-DD) is needed, or --scenario FILE');
  const programmeId = options.programme ?? 'core-sotp';
  const rules = rulesFor(programmeId, '--programme');
  const request = {
    start: requireDate(options.start, '--start'),
    weekdays: parseWeekdays(options.weekdays),
    time: options.time,
    perWeek: parsePerWeek(options.perWeek, rules),
    closures: options.closures ? options.closures.split(',').map((d) => requireDate(d.trim(), '--closures')) : [],
  };
  let plan;
  try {
    plan = planGroup(rules, request);
  } catch (error) {
    if (error instanceof PlanRequestError) throw new BadInput(`${optionOfField[error.field]}: ${error.message}`);
    throw error;
  }
  if (options.json) printJson({ programme: rules.id, version: rules.version, ...plan });
  else {
    for (const s of plan.sessions) process.stdout.write(`${s.number}\tblock ${s.block}\t${s.date}\t${s.start}-${s.end}\n`);
    process.stdout.write(`${plan.firstDate} to ${plan.lastDate}, ${plan.weeks} weeks\n`);
  }
}

async function readScenarioFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new BadInput(`--scenario: cannot read file ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadInput(`--scenario: not valid JSON (${(error as Error).message})`);
  }
}

async function planScenario(options: PlanOptions): Promise<void> {
  const scenario: Scenario = parseOrBadInput(scenarioSchema, await readScenarioFile(options.scenario as string), 'scenario');
  const rules = rulesFor(scenario.programme, 'programme');
  scenario.sites.forEach((site, s) =>
    site.slots.forEach((slot, i) => {
      if ((minutesOfTime(slot.start) ?? 0) + rules.sessionMinutes > 24 * 60) {
        throw new BadInput(`sites.${s}.slots.${i}.start: a ${rules.sessionMinutes}-minute session at ${slot.start} would run past midnight`);
      }
    }),
  );
  const solution = solve(scenario, rules);
  if (options.json) printJson({ ...solution, objective: objectiveOf(solution) });
  else {
    const gaps = new Map(solution.gaps.map((g) => [g.group, g]));
    for (const g of solution.groups) {
      const gap = gaps.get(g.id);
      const versus = gap
        ? `\tbound ${gap.bound}, ratio ${gap.ratio.toFixed(3)}${gap.daysLost ? `, ${gap.daysLost} meeting days lost: ${lostTo(gap)}` : ''}`
        : '';
      process.stdout.write(`${g.id}\t${g.firstDate} to ${g.lastDate}${versus}\n`);
    }
    for (const u of solution.unscheduled) process.stdout.write(`${u.group}\tunscheduled: ${u.reason}\n`);
    const objective = objectiveOf(solution);
    process.stdout.write(`mean ratio to the calendar bound ${objective.meanRatio.toFixed(3)}; last finish ${objective.lastFinish || 'none'}\n`);
  }
}

/** The obstacles that took a group's lost days, most days first, in a few words each. */
function lostTo(gap: GroupGap): string {
  return gap.reasons
    .slice(0, 3)
    .map((r) => `${r.days} to ${obstacleWords(r.obstacle)} (${r.first} to ${r.last})`)
    .join('; ');
}

function obstacleWords(o: Obstacle): string {
  switch (o.kind) {
    case 'bank-holiday':
      return o.title;
    case 'closure':
      return 'site closure';
    case 'room-taken':
      return `room ${o.room} taken by ${o.by}`;
    case 'unavailable':
      return `${o.facilitator} away`;
    case 'not-supervised':
      return `${o.facilitator} not supervised`;
    case 'booked':
      return `${o.facilitator} with ${o.by}`;
    case 'day-limit':
      return `${o.facilitator}'s daily limit`;
    case 'week-limit':
      return `${o.facilitator}'s weekly limit`;
  }
}

export function registerPlanCommands(program: Command): void {
  program
    .command('plan')
    .description('Plan session dates: one group from --start, or every group in a --scenario file (groups that cannot be finished are listed as unscheduled).')
    .option('--programme <id>', 'programme id', 'core-sotp')
    .option('--start <date>', 'first possible session date, YYYY-MM-DD')
    .option('--weekdays <list>', 'weekdays the group meets, comma-separated', 'mon,tue,wed,thu,fri')
    .option('--time <HH:MM>', 'session start time', '09:00')
    .option('--per-week <n>', "sessions a week at most (default: the programme's maximum)")
    .option('--closures <dates>', 'dates the site is closed, comma-separated YYYY-MM-DD')
    .option('--scenario <file>', 'plan many groups from a scenario JSON file (sites, rooms, slots, facilitators, groups)')
    .option('--json', 'print JSON')
    .action(async (options: PlanOptions) => {
      if (options.scenario) await planScenario(options);
      else planOneGroup(options);
    });
}
