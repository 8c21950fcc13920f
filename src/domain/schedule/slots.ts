// A site's weekly session slots (weekday and start time): what makes a new one acceptable, and the rule that a
// group meets only in slots its site offers. A session ends its programme's session length after the start.
import { minutesOfTime, weekdayNames, type WeekdayName } from './calendar.js';
import type { Slot } from './solver.js';

export const weekdayTitles: Record<WeekdayName, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

/** 'mon 09:00': how a slot travels in forms and is compared. */
export const slotKey = (slot: Slot): string => `${slot.weekday} ${slot.start}`;

/** 'Monday 09:00', for people. */
export const slotTitle = (slot: Slot): string => `${weekdayTitles[slot.weekday]} ${slot.start}`;

/** Monday first, then by start time. */
export function sortSlots<T extends Slot>(slots: T[]): T[] {
  return [...slots].sort((a, b) => weekdayNames.indexOf(a.weekday) - weekdayNames.indexOf(b.weekday) || a.start.localeCompare(b.start));
}

export interface SlotRefusal {
  field: 'weekday' | 'start';
  message: string;
}

/**
 * Why a site may not add this slot, or undefined when it may: the same weekday and time twice is one slot, and a
 * session starting there must finish before midnight (a day's times run 00:00 to 23:59; none crosses into the next day).
 */
export function newSiteSlotRefusal(slot: Slot, existing: Slot[], sessionMinutes: number): SlotRefusal | undefined {
  const start = minutesOfTime(slot.start);
  if (start === undefined) return { field: 'start', message: 'Start time must be a time in the form HH:MM, like 09:00' };
  if (start + sessionMinutes >= 24 * 60) {
    return { field: 'start', message: `A ${sessionMinutes}-minute session starting at ${slot.start} would not finish before midnight` };
  }
  if (existing.some((s) => slotKey(s) === slotKey(slot)))
    return { field: 'start', message: `The site already has a session slot on ${weekdayTitles[slot.weekday]} at ${slot.start}` };
  return undefined;
}

/** The group's slots its site does not offer (in week order); empty when the group meets only in the site's slots. */
export function slotsOutsideSite(groupSlots: Slot[], siteSlots: Slot[]): Slot[] {
  const offered = new Set(siteSlots.map(slotKey));
  return sortSlots(groupSlots.filter((s) => !offered.has(slotKey(s))));
}

/**
 * Whether a group still meets in its slots, so that its site must keep offering them: while it has sessions from
 * `today` on, or none planned yet (planning it would use them). A finished or closed group's slots hold nothing.
 */
export function groupStillMeets(status: string, lastSessionDate: string | undefined, today: string): boolean {
  if (status === 'closed') return false;
  return lastSessionDate === undefined || lastSessionDate >= today;
}
