// Booking one session by hand, outside the solver (a catch-up, a facilitator swap): a catch-up uses one of its
// site's slots on an open day and never double-books its room or the man; nobody's time is double-booked or
// over their limits. Each refusal names the field to change and what is in the way.
import { dayNumber, isBankHoliday, minutesOfTime, timeOfMinutes, weekdayName, type IsoDate } from './calendar.js';
import type { Slot } from './solver.js';
import { sortSlots, weekdayTitles } from './slots.js';

export interface TimeRange {
  date: IsoDate;
  start: string;
  end: string;
}

/** Something already holding a room or a person's time, named as people read it ("Group B session 14"). */
export interface Booking extends TimeRange {
  label: string;
}

const readableDayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** 'Tuesday 5 January 2027' for a calendar day, for messages people read. */
export function readableDay(date: IsoDate): string {
  return readableDayFormat.format(new Date(`${date}T12:00:00Z`));
}

export const overlaps = (a: TimeRange, b: TimeRange): boolean => a.date === b.date && a.start < b.end && b.start < a.end;

/** The time a session starting then takes, or undefined when it would not finish before midnight. */
export function sessionTime(date: IsoDate, start: string, sessionMinutes: number): TimeRange | undefined {
  const minutes = minutesOfTime(start);
  if (minutes === undefined || minutes + sessionMinutes >= 24 * 60) return undefined;
  return { date, start, end: timeOfMinutes(minutes + sessionMinutes) };
}

export interface CatchUpPlace {
  siteName: string;
  siteSlots: Slot[];
  closures: Array<{ date: IsoDate; reason: string }>;
  roomName: string;
  /** Live group sessions and booked catch-ups in the chosen room on the day. */
  roomBookings: Booking[];
  /** The man's own group's live sessions on the day: he cannot be in two places. */
  groupSessions: Booking[];
}

export interface BookingRefusal {
  field: 'date' | 'start' | 'roomId';
  message: string;
}

/** Why a catch-up may not be at this time in this room, or undefined when it may. */
export function catchUpRefusal(at: TimeRange, place: CatchUpPlace): BookingRefusal | undefined {
  const day = dayNumber(at.date);
  if (isBankHoliday(day)) return { field: 'date', message: `${readableDay(at.date)} is a bank holiday` };
  const closure = place.closures.find((c) => c.date === at.date);
  if (closure) return { field: 'date', message: `${place.siteName} is closed on ${readableDay(at.date)} (${closure.reason})` };
  const weekday = weekdayName(day);
  const thatDay = sortSlots(place.siteSlots.filter((s) => s.weekday === weekday));
  if (thatDay.length === 0)
    return { field: 'date', message: `${place.siteName} has no session slots on ${weekdayTitles[weekday]}s: choose a day it runs sessions` };
  if (!thatDay.some((s) => s.start === at.start)) {
    const times = thatDay.map((s) => s.start);
    const choice = times.length === 1 ? times[0] : `${times.slice(0, -1).join(', ')} or ${times.at(-1)}`;
    return { field: 'start', message: `${place.siteName}’s session slots on ${weekdayTitles[weekday]}s start at ${choice}` };
  }
  const ownClash = place.groupSessions.find((b) => overlaps(b, at));
  if (ownClash) return { field: 'start', message: `That time overlaps his group’s ${ownClash.label} (${ownClash.start} to ${ownClash.end})` };
  const roomClash = place.roomBookings.find((b) => overlaps(b, at));
  if (roomClash) return { field: 'roomId', message: `${place.roomName} is taken by ${roomClash.label} at ${roomClash.start}` };
  return undefined;
}

export interface FacilitatorTime {
  name: string;
  unavailable: IsoDate[];
  /** Their live group sessions and booked catch-ups in the ISO week of the date, wherever they are. */
  week: Booking[];
  maxSessionsPerDay: number;
  maxSessionsPerWeek: number;
}

/** Why the facilitator cannot take a session at this time (away, already booked, or over a limit), or undefined. */
export function facilitatorTimeRefusal(at: TimeRange, facilitator: FacilitatorTime): string | undefined {
  const { name } = facilitator;
  if (facilitator.unavailable.includes(at.date)) return `${name} is unavailable on ${readableDay(at.date)}`;
  const clash = facilitator.week.find((b) => overlaps(b, at));
  if (clash) return `${name} is already booked for ${clash.label} from ${clash.start} to ${clash.end} on ${readableDay(at.date)}`;
  const perDay = facilitator.maxSessionsPerDay;
  if (facilitator.week.filter((b) => b.date === at.date).length >= perDay)
    return `${name} would be over their limit of ${perDay} session${perDay === 1 ? '' : 's'} a day`;
  if (facilitator.week.length >= facilitator.maxSessionsPerWeek)
    return `${name} would be over their limit of ${facilitator.maxSessionsPerWeek} sessions a week`;
  return undefined;
}
