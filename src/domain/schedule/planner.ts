// Plans one group's sessions on its own: earliest dates on chosen weekdays at one start time,
// skipping bank holidays and closures. Also the calendar-only lower bound for the solver.
import type { ProgrammeDefinition } from '../programme/definition.js';
import { sessionBlocks } from '../programme/definition.js';
import {
  dayNumber,
  isBankHoliday,
  isoDate,
  isoWeekday,
  minutesOfTime,
  timeOfMinutes,
  weekStart,
  weeksSpanned,
  weekdayNames,
  type IsoDate,
  type WeekdayName,
} from './calendar.js';

/** The few facts about a programme that scheduling needs. */
export interface ProgrammeRules {
  id: string;
  version: number;
  /** Block of each session, index 0 = session 1. */
  blocks: number[];
  sessionMinutes: number;
  maxSessionsPerWeek: number;
  maxSessionsPerDay: number;
  facilitatorsPerSession: number;
}

export function programmeRules(def: ProgrammeDefinition): ProgrammeRules {
  return {
    id: def.id,
    version: def.version,
    blocks: sessionBlocks(def),
    sessionMinutes: def.sessionMinutes,
    maxSessionsPerWeek: def.maxSessionsPerWeek,
    maxSessionsPerDay: def.maxSessionsPerDay,
    facilitatorsPerSession: def.facilitatorsPerSession,
  };
}

export interface GroupPlanRequest {
  start: IsoDate;
  weekdays: WeekdayName[];
  time: string;
  perWeek: number;
  closures: IsoDate[];
}

export interface Session {
  number: number;
  block: number;
  date: IsoDate;
  start: string;
  end: string;
}

export interface GroupPlan {
  sessions: Session[];
  firstDate: IsoDate;
  lastDate: IsoDate;
  weeks: number;
}

/** Why a group plan request cannot be met at all; the field is the request's. */
export class PlanRequestError extends Error {
  constructor(
    readonly field: keyof GroupPlanRequest,
    message: string,
  ) {
    super(message);
    this.name = 'PlanRequestError';
  }
}

function validateRequest(rules: ProgrammeRules, request: GroupPlanRequest): number {
  const startMinutes = minutesOfTime(request.time);
  if (startMinutes === undefined) throw new PlanRequestError('time', `"${request.time}" is not a time in the form HH:MM`);
  if (startMinutes + rules.sessionMinutes > 24 * 60) {
    throw new PlanRequestError('time', `a ${rules.sessionMinutes}-minute session starting at ${request.time} would run past midnight`);
  }
  if (!Number.isInteger(request.perWeek) || request.perWeek < 1 || request.perWeek > rules.maxSessionsPerWeek) {
    throw new PlanRequestError('perWeek', `must be a whole number from 1 to ${rules.maxSessionsPerWeek} (the programme's weekly maximum)`);
  }
  if (request.weekdays.length === 0) throw new PlanRequestError('weekdays', 'at least one weekday is needed');
  return startMinutes;
}

/** Places every session in block order on the earliest allowed dates, one a day, perWeek an ISO week at most. */
export function planGroup(rules: ProgrammeRules, request: GroupPlanRequest): GroupPlan {
  const startMinutes = validateRequest(rules, request);
  const allowedWeekdays = new Set(request.weekdays.map((w) => weekdayNames.indexOf(w) + 1));
  const closed = new Set(request.closures.map(dayNumber));
  const start = timeOfMinutes(startMinutes);
  const end = timeOfMinutes(startMinutes + rules.sessionMinutes);
  const sessions: Session[] = [];
  let week = Number.NaN;
  let inWeek = 0;
  for (let day = dayNumber(request.start); sessions.length < rules.blocks.length; day++) {
    if (!allowedWeekdays.has(isoWeekday(day)) || isBankHoliday(day) || closed.has(day)) continue;
    if (weekStart(day) !== week) {
      week = weekStart(day);
      inWeek = 0;
    }
    if (inWeek >= request.perWeek) continue;
    inWeek++;
    sessions.push({ number: sessions.length + 1, block: rules.blocks[sessions.length], date: isoDate(day), start, end });
  }
  const firstDate = sessions[0].date;
  const lastDate = sessions[sessions.length - 1].date;
  return { sessions, firstDate, lastDate, weeks: weeksSpanned(dayNumber(firstDate), dayNumber(lastDate)) };
}
