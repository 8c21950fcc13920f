// Lower bounds on when groups can finish, to judge the solver's timetables: the calendar alone, and a
// site's facilitator capacity (no timetable can beat either).
import { dayNumber, isBankHoliday, isoDate, weekStart, weekdayName, type DayNumber, type IsoDate, type WeekdayName } from './calendar.js';
import { planGroup, type ProgrammeRules } from './planner.js';
import type { Facilitator, Group, Scenario, Site } from './solver.js';

function siteOf(scenario: Scenario, group: Group): Site {
  const site = scenario.sites.find((s) => s.id === group.site);
  if (!site) throw new RangeError(`group ${group.id}: unknown site "${group.site}"`);
  return site;
}

function siteClosures(scenario: Scenario, site: string): IsoDate[] {
  return scenario.closures.filter((c) => c.site === site).map((c) => c.date);
}

/** The group's finish with every slot weekday of its own (by default its site's) and no other group, room or facilitator in the way. */
export function calendarLowerBound(scenario: Scenario, rules: ProgrammeRules, group: Group): IsoDate {
  const site = siteOf(scenario, group);
  const slots = group.slots ?? site.slots;
  const weekdays = [...new Set(slots.map((s) => s.weekday))] as WeekdayName[];
  const time = [...slots].sort((a, b) => a.start.localeCompare(b.start))[0]?.start ?? '00:00';
  return planGroup(rules, {
    start: group.earliestStart,
    weekdays,
    time,
    perWeek: rules.maxSessionsPerWeek,
    closures: siteClosures(scenario, site.id),
  }).lastDate;
}

/**
 * The group's finish if it had its site to itself: a session on each slot weekday (within the weekly maximum) on
 * which enough of its own team are at work and supervised, nothing else in the way. Never before the calendar bound.
 */
export function teamLowerBound(scenario: Scenario, rules: ProgrammeRules, group: Group): IsoDate | undefined {
  const site = siteOf(scenario, group);
  const weekdays = new Set((group.slots ?? site.slots).map((s) => s.weekday));
  const closed = new Set(siteClosures(scenario, site.id));
  const team = scenario.facilitators.filter((f) => group.team.includes(f.id) && f.programmes.includes(rules.id) && f.sites.includes(site.id));
  const atWork = (date: IsoDate) =>
    team.filter((f) => {
      const a = f.accreditations?.find((x) => x.programme === rules.id);
      return !f.unavailable.includes(date) && (!a || (date >= a.accreditedOn && date <= a.supervisionCurrentUntil));
    }).length;
  let placed = 0;
  let week = Number.NaN;
  let inWeek = 0;
  const start = dayNumber(group.earliestStart);
  for (let day = start; day < start + 366 * 10; day++) {
    const date = isoDate(day);
    if (!weekdays.has(weekdayName(day)) || isBankHoliday(day) || closed.has(date)) continue;
    if (weekStart(day) !== week) [week, inWeek] = [weekStart(day), 0];
    if (inWeek >= rules.maxSessionsPerWeek || atWork(date) < rules.facilitatorsPerSession) continue;
    inWeek++;
    if (++placed === rules.blocks.length) return date;
  }
  return undefined;
}

interface SiteCapacity {
  site: Site;
  groups: Group[];
  staff: Facilitator[];
  closed: Set<DayNumber>;
}

/** Most sessions the site could hold on the day: limited by groups started, rooms × slots, and free facilitators. */
function dailyCapacity(rules: ProgrammeRules, c: SiteCapacity, day: DayNumber): number {
  if (isBankHoliday(day) || c.closed.has(day)) return 0;
  const slots = c.site.slots.filter((s) => s.weekday === weekdayName(day)).length;
  const groups = c.groups.filter((g) => dayNumber(g.earliestStart) <= day).length;
  const facilitatorSessions = c.staff.filter((f) => !f.unavailable.includes(isoDate(day))).reduce((n, f) => n + Math.min(f.maxSessionsPerDay, slots), 0);
  return Math.min(groups * rules.maxSessionsPerDay, slots * c.site.rooms.length, Math.floor(facilitatorSessions / rules.facilitatorsPerSession));
}

/** Most sessions in the ISO week starting on the Monday: facilitators' and groups' weekly limits on top of the days'. */
function weeklyCapacity(rules: ProgrammeRules, c: SiteCapacity, monday: DayNumber, days: number[]): number {
  const facilitatorSessions = c.staff.reduce((n, f) => {
    const free = days.filter((cap, i) => cap > 0 && !f.unavailable.includes(isoDate(monday + i))).length;
    return n + Math.min(f.maxSessionsPerWeek, free * f.maxSessionsPerDay);
  }, 0);
  const groupSessions = c.groups.reduce((n, g) => {
    const open = days.filter((cap, i) => cap > 0 && monday + i >= dayNumber(g.earliestStart)).length;
    return n + Math.min(rules.maxSessionsPerWeek, open);
  }, 0);
  return Math.min(Math.floor(facilitatorSessions / rules.facilitatorsPerSession), groupSessions);
}

/**
 * The earliest date by which the site's facilitators could possibly have run every session of all its groups
 * (a facilitator who also works elsewhere is counted as wholly the site's, so this stays a lower bound).
 * It bounds the site's last finish, never earlier than any group's calendar bound.
 */
export function facilitatorDaysLowerBound(scenario: Scenario, rules: ProgrammeRules, siteId: string): IsoDate | undefined {
  const site = scenario.sites.find((s) => s.id === siteId);
  const groups = scenario.groups.filter((g) => g.site === siteId);
  if (!site || groups.length === 0) return undefined;
  const teams = new Set(groups.flatMap((g) => g.team));
  const staff = scenario.facilitators.filter((f) => teams.has(f.id) && f.sites.includes(siteId) && f.programmes.includes(rules.id));
  const capacity: SiteCapacity = { site, groups, staff, closed: new Set(siteClosures(scenario, siteId).map(dayNumber)) };
  const calendarBound = groups
    .map((g) => calendarLowerBound(scenario, rules, g))
    .sort()
    .at(-1) as IsoDate;
  const needed = groups.length * rules.blocks.length;
  const horizon = dayNumber(calendarBound) + 366 * 10;
  let done = 0;
  for (let monday = weekStart(Math.min(...groups.map((g) => dayNumber(g.earliestStart)))); monday < horizon; monday += 7) {
    const days = Array.from({ length: 7 }, (_, i) => dailyCapacity(rules, capacity, monday + i));
    const weekCap = weeklyCapacity(rules, capacity, monday, days);
    let inWeek = 0;
    for (let i = 0; i < 7; i++) {
      inWeek = Math.min(weekCap, inWeek + days[i]);
      if (done + inWeek >= needed) {
        const date = isoDate(monday + i);
        return date > calendarBound ? date : calendarBound;
      }
    }
    done += inWeek;
  }
  return undefined;
}
