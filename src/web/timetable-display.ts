// How timetables read on the pages: sessions grouped by ISO week, dates with their weekday, status tags.
import { dayNumber, isoDate, weekdayNames, weekStart, type WeekdayName } from '../domain/schedule/calendar.js';
import { sortSlots, weekdayTitles } from '../domain/schedule/slots.js';
import type { Slot } from '../domain/schedule/solver.js';
import type { TimetableSession } from '../services/groups/detail.js';
import type { AffectedGroup } from '../services/scheduling.js';
import { ValidationFailed } from '../services/errors.js';
import { DateInputs } from './dates.js';

const dayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const longFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

export const shortDay = (date: string) => dayFormat.format(new Date(`${date}T12:00:00Z`));
export const longDay = (date: string) => longFormat.format(new Date(`${date}T12:00:00Z`));

export const statusTags: Record<string, { text: string; classes: string }> = {
  scheduled: { text: 'Scheduled', classes: 'govuk-tag--blue' },
  cancelled: { text: 'Cancelled', classes: 'govuk-tag--red' },
  delivered: { text: 'Delivered', classes: 'govuk-tag--green' },
  booked: { text: 'Booked', classes: 'govuk-tag--blue' },
  unscheduled: { text: 'Not scheduled', classes: 'govuk-tag--orange' },
  closed: { text: 'Closed', classes: 'govuk-tag--grey' },
};

export const weekdayLabels: Record<string, string> = weekdayTitles;

/** 'Monday to Friday at 09:00 and 13:30; Saturday at 10:00': a site's slots in a line, days grouped by their times. */
export function slotTimesByDay(slots: Slot[]): string {
  const timesByDay = new Map<WeekdayName, string[]>();
  for (const s of sortSlots(slots)) timesByDay.set(s.weekday, [...(timesByDay.get(s.weekday) ?? []), s.start]);
  const and = (items: string[]) => (items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
  const runs: Array<{ days: WeekdayName[]; times: string }> = [];
  for (const [day, times] of timesByDay) {
    const last = runs.at(-1);
    const previousDay = weekdayNames[weekdayNames.indexOf(day) - 1];
    if (last && last.times === and(times) && last.days.at(-1) === previousDay) last.days.push(day);
    else runs.push({ days: [day], times: and(times) });
  }
  return runs
    .map(
      ({ days, times }) =>
        `${days.length > 2 ? `${weekdayTitles[days[0]]} to ${weekdayTitles[days[days.length - 1]]}` : and(days.map((d) => weekdayTitles[d]))} at ${times}`,
    )
    .join('; ');
}

export function byWeek(sessions: TimetableSession[], today: string, problems: Record<number, string[]> = {}) {
  const weeks = new Map<string, TimetableSession[]>();
  for (const s of sessions) {
    const monday = isoDate(weekStart(dayNumber(s.date)));
    weeks.set(monday, [...(weeks.get(monday) ?? []), s]);
  }
  return [...weeks.entries()].map(([monday, list]) => ({
    monday,
    caption: `Week beginning ${longDay(monday)}`,
    sessions: list.map((s) => ({
      ...s,
      day: shortDay(s.date),
      tag: statusTags[s.status] ?? { text: s.status, classes: '' },
      facilitatorNames: s.facilitators.map((f) => f.displayName).join(' and '),
      problems: problems[s.id] ?? [],
      changeable: s.status === 'scheduled' && s.date >= today,
      // A session has a log (and its facilitators record it) once it has taken place.
      loggable: s.status !== 'cancelled' && s.date <= today,
    })),
  }));
}

/** Groups whose sessions still to run break a rule, with each session's day in words. */
export function presentAffected(groups: AffectedGroup[]) {
  return groups.map((g) => ({ ...g, sessions: g.sessions.map((s) => ({ ...s, day: shortDay(s.date) })) }));
}

/** "1 day" or "3 days". */
export const dayCount = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

export const supervisionTags: Record<string, { text: string; classes: string }> = {
  current: { text: 'Current', classes: 'govuk-tag--green' },
  due: { text: 'Supervision due', classes: 'govuk-tag--yellow' },
  overdue: { text: 'Supervision overdue', classes: 'govuk-tag--orange' },
  lapsed: { text: 'Lapsed', classes: 'govuk-tag--red' },
};

const pickerDates = { date: 'Date' };

/**
 * The week views' date picker (a GET form of day, month and year): which day's week to show, and what the
 * picker shows — that week's Monday, or what was typed with its error when it is not a real date (the page
 * then shows the current week).
 */
export function weekPicker(query: Record<string, unknown>) {
  const typed = DateInputs.fromForm(query, pickerDates);
  const problem = typed.firstProblem();
  const date = problem ? undefined : typeof typed.input.date === 'string' && typed.input.date ? typed.input.date : undefined;
  return {
    date,
    status: problem ? 400 : 200,
    view(monday: string) {
      if (!problem) return { pickerItems: DateInputs.fromRecord({ date: monday }, pickerDates).items('date'), errors: {}, errorList: [] };
      const shown = typed.view(ValidationFailed.one(problem.field, problem.problem.message));
      return { pickerItems: typed.items('date'), ...shown };
    },
  };
}
