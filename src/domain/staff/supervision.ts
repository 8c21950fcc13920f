// Whether a facilitator's accreditation for a programme stands on a given day, computed from the supervision
// records (issue 12) rather than a typed date. Supervision is due `intervalDays` after the last supervision (or
// after accreditation, before the first); while it is overdue the facilitator still delivers, and the treatment
// manager is told; once it is overdue by more than `graceDays` the accreditation has lapsed. A lapsed facilitator
// is not offered for sessions after the day it lapsed, and sessions already planned after it are flagged, until a
// supervision is recorded: that moves the due date on and so restores both.
//
// While supervision is not overdue beyond the grace period, the facilitator is expected to be supervised again
// and so stands for every later session: otherwise no group longer than one supervision interval could be planned.
import { dayNumber, isoDate, type IsoDate } from '../schedule/calendar.js';

export interface SupervisionRules {
  /** Days after a supervision that the next one is due. */
  intervalDays: number;
  /** Days after supervision falls due that the accreditation lapses. */
  graceDays: number;
}

/**
 * The source document says only that trained staff deliver "under the supervision of a Treatment Manager or
 * designated supervisor"; it gives no interval. These defaults are sotp's choice, used for a programme whose file
 * has no `supervision` rules: supervision every 6 weeks (two or three blocks of the programme at its usual pace,
 * so every block is close to a supervision), and 2 weeks' grace to arrange one that slipped.
 */
export const defaultSupervisionRules: SupervisionRules = { intervalDays: 42, graceDays: 14 };

/** How many days before supervision falls due a treatment manager is told. */
export const supervisionNoticeDays = 14;

/** A day after every planned session: the standing of an accreditation with no end in sight. */
export const openEnded: IsoDate = '9999-12-31';

export interface AccreditationRecord {
  accreditedOn: IsoDate;
  suspendedFrom: IsoDate | null;
  withdrawnFrom: IsoDate | null;
}

export type SupervisionStatus = 'current' | 'due' | 'overdue' | 'lapsed';

export interface AccreditationStanding {
  /** The last supervision on record, or null before the first. */
  lastSupervisedOn: IsoDate | null;
  /** The day the next supervision is due. */
  supervisionDueOn: IsoDate;
  /** The last day of the grace period: after it, with no supervision, the accreditation has lapsed. */
  graceEndsOn: IsoDate;
  supervision: SupervisionStatus;
  /** The last day the facilitator may deliver the programme, as things stand today ('9999-12-31' for no end). */
  deliversUntil: IsoDate;
  /** Why there is an end: supervision lapsed, the accreditation suspended or withdrawn; null when open-ended. */
  endedBy: 'supervision' | 'suspension' | 'withdrawal' | null;
}

const plusDays = (date: IsoDate, days: number): IsoDate => isoDate(dayNumber(date) + days);

/** The standing, on `today`, of one accreditation given the facilitator's last supervision. */
export function accreditationStanding(
  accreditation: AccreditationRecord,
  lastSupervisedOn: IsoDate | null,
  rules: SupervisionRules,
  today: IsoDate,
): AccreditationStanding {
  // A supervision before accreditation (during training) does not count towards the programme's supervision.
  const since = lastSupervisedOn && lastSupervisedOn > accreditation.accreditedOn ? lastSupervisedOn : accreditation.accreditedOn;
  const supervisionDueOn = plusDays(since, rules.intervalDays);
  const graceEndsOn = plusDays(supervisionDueOn, rules.graceDays);
  const supervision: SupervisionStatus =
    today > graceEndsOn
      ? 'lapsed'
      : today > supervisionDueOn
        ? 'overdue'
        : dayNumber(supervisionDueOn) - dayNumber(today) <= supervisionNoticeDays
          ? 'due'
          : 'current';
  const ends: Array<{ until: IsoDate; by: NonNullable<AccreditationStanding['endedBy']> }> = [];
  if (supervision === 'lapsed') ends.push({ until: graceEndsOn, by: 'supervision' });
  if (accreditation.suspendedFrom) ends.push({ until: plusDays(accreditation.suspendedFrom, -1), by: 'suspension' });
  if (accreditation.withdrawnFrom) ends.push({ until: plusDays(accreditation.withdrawnFrom, -1), by: 'withdrawal' });
  const first = ends.sort((a, b) => a.until.localeCompare(b.until))[0];
  return {
    lastSupervisedOn,
    supervisionDueOn,
    graceEndsOn,
    supervision,
    deliversUntil: first?.until ?? openEnded,
    endedBy: first?.by ?? null,
  };
}
