// How long a session recording is kept: a number of days (configuration) after its group's last session,
// unless an audit has sampled it, in which case the audit decides (a later issue) and retention leaves it alone.
import { dayNumber, isoDate, type IsoDate } from '../schedule/calendar.js';

export interface RetainedRecording {
  /** The date of the group's last session that was not cancelled: the day the group ends. */
  groupEnds: IsoDate;
  auditSampled: boolean;
  purged: boolean;
}

/** The last day the recording is kept, counted from the day its group ends. */
export function keptUntil(groupEnds: IsoDate, retentionDays: number): IsoDate {
  return isoDate(dayNumber(groupEnds) + retentionDays);
}

/** Whether retention deletes the recording's file today: past its last day, not sampled by an audit, not already gone. */
export function retentionExpired(recording: RetainedRecording, retentionDays: number, today: IsoDate): boolean {
  if (recording.purged || recording.auditSampled) return false;
  return today > keptUntil(recording.groupEnds, retentionDays);
}
