// A session's register as data: the statuses a man can have, which need minutes or a reason, when an entry
// means he missed the session (and must catch it up), what changed between two versions of a register, and a
// man's progress through the programme with the completion rule. Pure: the services read and write.

export const registerStatuses = [
  { id: 'attended', label: 'Attended', needs: null },
  { id: 'late', label: 'Late', needs: 'minutes' },
  { id: 'left_early', label: 'Left early', needs: 'minutes' },
  { id: 'excused_absence', label: 'Excused absence', needs: 'reason' },
  { id: 'unexcused_absence', label: 'Unexcused absence', needs: null },
  { id: 'removed', label: 'Removed from the session', needs: 'reason' },
] as const;

export type RegisterStatus = (typeof registerStatuses)[number]['id'];
export const registerStatusIds = registerStatuses.map((s) => s.id) as [RegisterStatus, ...RegisterStatus[]];

/** The longest a man can be late or leave early: a whole session (Core SOTP's are 150 minutes). */
export const maxMinutesMissed = 150;

export function registerStatus(id: RegisterStatus) {
  return registerStatuses.find((s) => s.id === id)!;
}

export interface RegisterEntry {
  status: RegisterStatus;
  /** Minutes late or left early; null for the other statuses. */
  minutes: number | null;
  /** Why he was absent (excused) or removed; null for the other statuses. */
  reason: string | null;
}

/**
 * Whether an entry is a missed session: any absence or removal, or being late or leaving early by more than the
 * programme allows (its completionRule.minutesMissedAllowed).
 */
export function isMissed(entry: RegisterEntry, minutesMissedAllowed: number): boolean {
  switch (entry.status) {
    case 'attended':
      return false;
    case 'late':
    case 'left_early':
      return (entry.minutes ?? 0) > minutesMissedAllowed;
    case 'excused_absence':
    case 'unexcused_absence':
    case 'removed':
      return true;
  }
}

/** An entry in words, as the register's history and conflict page show it: "Late (20 minutes)". */
export function entryText(entry: RegisterEntry | undefined): string {
  if (!entry) return 'Not recorded';
  const label = registerStatus(entry.status).label;
  if (entry.minutes !== null) return `${label} (${entry.minutes} minutes)`;
  if (entry.reason !== null) return `${label}: ${entry.reason}`;
  return label;
}

export interface EntryChange {
  personId: number;
  was: string;
  now: string;
}

/** The men whose entry differs between two versions of a register, in the order of `personIds`. */
export function registerChanges(
  personIds: readonly number[],
  before: ReadonlyMap<number, RegisterEntry>,
  after: ReadonlyMap<number, RegisterEntry>,
): EntryChange[] {
  return personIds.map((personId) => ({ personId, was: entryText(before.get(personId)), now: entryText(after.get(personId)) })).filter((c) => c.was !== c.now);
}

export type ProgressState = 'in_progress' | 'complete' | 'deselected';

export interface Progress {
  attended: number;
  missed: number;
  caughtUp: number;
  outstandingCatchUps: number;
  state: ProgressState;
}

export interface ProgressFacts {
  /** His entries in the registers recorded so far. */
  entries: readonly RegisterEntry[];
  /** His required catch-ups that are not withdrawn. */
  catchUps: ReadonlyArray<{ status: 'outstanding' | 'delivered' }>;
  /** Recorded completion or deselection (the referral's status), else in progress. */
  state: ProgressState;
}

export function progressOf(facts: ProgressFacts, minutesMissedAllowed: number): Progress {
  const missed = facts.entries.filter((e) => isMissed(e, minutesMissedAllowed)).length;
  return {
    attended: facts.entries.length - missed,
    missed,
    caughtUp: facts.catchUps.filter((c) => c.status === 'delivered').length,
    outstandingCatchUps: facts.catchUps.filter((c) => c.status === 'outstanding').length,
    state: facts.state,
  };
}

/**
 * The completion rule (every_session_attended_or_caught_up): every session of the programme has a register
 * entry for him, and every one he missed has been caught up. Returns why not, or undefined when he has completed.
 */
export function completionShortfall(progress: Progress, totalSessions: number): string | undefined {
  const recorded = progress.attended + progress.missed;
  if (recorded < totalSessions) {
    return `He has a register entry for ${recorded} of the ${totalSessions} sessions: every session must be held and recorded`;
  }
  if (progress.outstandingCatchUps > 0) {
    return `He has ${progress.outstandingCatchUps} catch-up${progress.outstandingCatchUps === 1 ? '' : 's'} still to do`;
  }
  if (progress.caughtUp < progress.missed) return `He has caught up ${progress.caughtUp} of the ${progress.missed} sessions he missed`;
  return undefined;
}
