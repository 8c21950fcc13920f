// Whether sessions already planned still keep the staffing rules as facts change after planning: a closure day
// added, a facilitator's unavailable day, supervision that lapses, an accreditation suspended or withdrawn.
import type { IsoDate } from './calendar.js';

export interface PlannedStaffing {
  date: IsoDate;
  /** Facilitator ids. */
  facilitators: string[];
}

export interface StaffingFacts {
  /** Days the session's site is closed. */
  closures: ReadonlySet<IsoDate>;
  /** Each facilitator's unavailable days. */
  unavailable: ReadonlyMap<string, ReadonlySet<IsoDate>>;
  /** Each facilitator's accreditation for the session's programme and how it stands today; absent when they have none. */
  accreditations: ReadonlyMap<string, { accreditedOn: IsoDate; deliversUntil: IsoDate; endedBy: 'supervision' | 'suspension' | 'withdrawal' | null }>;
}

export type SessionConflict =
  | { kind: 'closure' }
  | { kind: 'unavailable'; facilitator: string }
  | { kind: 'not-accredited'; facilitator: string }
  | { kind: 'supervision-lapsed'; facilitator: string; until: IsoDate };

/** Every staffing rule the session now breaks; empty when it may run as planned. */
export function sessionConflicts(session: PlannedStaffing, facts: StaffingFacts): SessionConflict[] {
  const conflicts: SessionConflict[] = [];
  if (facts.closures.has(session.date)) conflicts.push({ kind: 'closure' });
  for (const facilitator of session.facilitators) {
    if (facts.unavailable.get(facilitator)?.has(session.date)) conflicts.push({ kind: 'unavailable', facilitator });
    const accreditation = facts.accreditations.get(facilitator);
    if (!accreditation || session.date < accreditation.accreditedOn) conflicts.push({ kind: 'not-accredited', facilitator });
    else if (session.date > accreditation.deliversUntil) {
      conflicts.push(
        accreditation.endedBy === 'supervision'
          ? { kind: 'supervision-lapsed', facilitator, until: accreditation.deliversUntil }
          : { kind: 'not-accredited', facilitator },
      );
    }
  }
  return conflicts;
}
