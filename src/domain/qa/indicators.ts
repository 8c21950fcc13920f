// The operational audit's indicators (issue 13): each is computed from sotp's own records for a site, programme and
// period, and shown with its figure, its standard and the records behind it. Every indicator is built from the list
// of its records, each judged against the standard, so the figure always counts exactly the records it lists.
// The rules are pure: the service reads the facts (src/services/qa/indicators.ts).
import { dayNumber, type IsoDate } from '../schedule/calendar.js';
import type { ProgrammeDefinition } from '../programme/definition.js';
import { cancellationCauseLabel, resourceCauses } from '../schedule/cancellation.js';

export type IndicatorArea = 'management_support' | 'resources' | 'staff_support' | 'assessments_and_paperwork';

/** The operational audit's four areas, in the source document's words and order (pages and the CSV file show them so). */
export const indicatorAreas: ReadonlyArray<{ id: IndicatorArea; heading: string }> = [
  { id: 'management_support', heading: 'Management support' },
  { id: 'resources', heading: 'Resources' },
  { id: 'staff_support', heading: 'Staff support' },
  { id: 'assessments_and_paperwork', heading: 'Assessments and paperwork' },
];

/**
 * Every indicator's id: auditors' comments are kept by it, so an id outside this list is no indicator. An indicator
 * whose id is missing here does not compile (Indicator.id is typed by it).
 */
export const indicatorIds = [
  'treatment_manager_named',
  'supervision_at_interval',
  'cancelled_for_resources',
  'groups_started_on_time',
  'supervision_actions_done',
  'assessed_before_allocation',
  'registers_on_time',
  'logs_on_time',
  'reports_on_time',
] as const;

export type IndicatorId = (typeof indicatorIds)[number];

export function isIndicatorId(id: string): id is IndicatorId {
  return (indicatorIds as readonly string[]).includes(id);
}

export interface IndicatorRecord {
  /** What the record is, in words ("Group 3 session 12, 4 March 2027"). */
  label: string;
  /** The record's page. */
  href: string;
  meets: boolean;
  /** Why it meets the standard or not ("register recorded 5 days after the session"). */
  detail: string;
}

export interface Indicator {
  id: IndicatorId;
  area: IndicatorArea;
  label: string;
  /** The standard in words. */
  standard: string;
  /** The share of records that must meet the standard. */
  target: number;
  records: IndicatorRecord[];
  meeting: number;
  of: number;
  /** True when there is nothing to judge, or the share meeting it reaches the target. */
  meetsStandard: boolean;
}

/** The standards: programme data (`audit.standards` in the programme file), read with indicatorStandards. */
export interface IndicatorStandards {
  registerWithinDays: number;
  logWithinDays: number;
  reportWithinDays: number;
  groupStartWithinDays: number;
  /** The share of records that must meet each standard. */
  target: number;
}

export const defaultIndicatorStandards: IndicatorStandards = {
  registerWithinDays: 2,
  logWithinDays: 7,
  reportWithinDays: 28,
  groupStartWithinDays: 28,
  target: 1,
};

/** A programme's indicator standards: its file's `audit.standards`, or the defaults for a file written without them. */
export function indicatorStandards(definition: Pick<ProgrammeDefinition, 'audit'>): IndicatorStandards {
  return definition.audit?.standards ?? defaultIndicatorStandards;
}

function indicator(head: Omit<Indicator, 'records' | 'meeting' | 'of' | 'meetsStandard'>, records: IndicatorRecord[]): Indicator {
  const meeting = records.filter((r) => r.meets).length;
  return { ...head, records, meeting, of: records.length, meetsStandard: records.length === 0 || meeting / records.length >= head.target };
}

const daysBetween = (from: IsoDate, to: IsoDate) => dayNumber(to) - dayNumber(from);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export interface GroupFacts {
  label: string;
  href: string;
  treatmentManager: string | null;
  earliestStart: IsoDate;
  /** The day of its first session still held (not cancelled), or null before it has one. */
  firstSession: IsoDate | null;
}

export function treatmentManagerNamed(groups: GroupFacts[], target: number): Indicator {
  return indicator(
    {
      id: 'treatment_manager_named',
      area: 'management_support',
      label: 'Groups with a named treatment manager',
      standard: 'Every group has a treatment manager',
      target,
    },
    groups.map((g) => ({ label: g.label, href: g.href, meets: g.treatmentManager !== null, detail: g.treatmentManager ?? 'No treatment manager named' })),
  );
}

export function groupsStartedOnTime(groups: GroupFacts[], withinDays: number, target: number): Indicator {
  const started = groups.filter((g) => g.firstSession !== null);
  return indicator(
    {
      id: 'groups_started_on_time',
      area: 'resources',
      label: 'Groups that started within 4 weeks of their earliest start',
      standard: `A group’s first session is at most ${withinDays} days after its earliest start`,
      target,
    },
    started.map((g) => {
      const late = daysBetween(g.earliestStart, g.firstSession!);
      return { label: g.label, href: g.href, meets: late <= withinDays, detail: `First session ${plural(late, 'day')} after the earliest start` };
    }),
  );
}

export interface CancellationFacts {
  label: string;
  href: string;
  cause: string | null;
  reason: string;
}

/** The sessions cancelled in the period: each meets the standard unless it was lost for want of staff or a room. */
export function cancelledForResources(sessions: CancellationFacts[], target: number): Indicator {
  return indicator(
    {
      id: 'cancelled_for_resources',
      area: 'resources',
      label: 'Cancelled sessions not lost for want of staff or a room',
      standard: 'No session cancelled because facilitators or a room were not available',
      target,
    },
    sessions.map((s) => ({
      label: s.label,
      href: s.href,
      meets: s.cause === null || !resourceCauses.has(s.cause),
      detail: `${cancellationCauseLabel(s.cause)}: ${s.reason}`,
    })),
  );
}

export interface SupervisionFacts {
  label: string;
  href: string;
  /** The day supervision of this facilitator was first due to count from: accreditation, or the last supervision before the period. */
  since: IsoDate;
  /** Supervisions within the period, in date order. */
  supervisedOn: IsoDate[];
}

/**
 * Supervision at the programme's interval: no stretch of the period (from `since`, through each supervision, to the
 * period's end) longer than the interval without a supervision.
 */
export function supervisionAtInterval(facilitators: SupervisionFacts[], periodEnd: IsoDate, intervalDays: number, target: number): Indicator {
  return indicator(
    {
      id: 'supervision_at_interval',
      area: 'management_support',
      label: 'Facilitators supervised at the programme’s interval',
      standard: `At most ${intervalDays} days between supervisions`,
      target,
    },
    facilitators.map((f) => {
      const days = [f.since, ...f.supervisedOn, periodEnd];
      const longest = Math.max(...days.slice(1).map((d, i) => daysBetween(days[i], d)));
      return { label: f.label, href: f.href, meets: longest <= intervalDays, detail: `Longest stretch without supervision: ${plural(longest, 'day')}` };
    }),
  );
}

export interface ActionFacts {
  label: string;
  href: string;
  /** Agreed actions due within the period. */
  actions: Array<{ description: string; dueOn: IsoDate; completedOn: IsoDate | null }>;
}

/** Facilitators none of whose supervision actions due in the period was left undone past its due date. */
export function supervisionActionsDone(facilitators: ActionFacts[], target: number): Indicator {
  return indicator(
    {
      id: 'supervision_actions_done',
      area: 'staff_support',
      label: 'Facilitators with no overdue supervision action',
      standard: 'Every agreed action done by its due date',
      target,
    },
    facilitators.map((f) => {
      const overdue = f.actions.filter((a) => a.completedOn === null || a.completedOn > a.dueOn);
      return {
        label: f.label,
        href: f.href,
        meets: overdue.length === 0,
        detail:
          overdue.length === 0
            ? `${plural(f.actions.length, 'action')} done on time`
            : `Overdue: ${overdue.map((a) => `${a.description} (due ${a.dueOn})`).join('; ')}`,
      };
    }),
  );
}

export interface AllocationFacts {
  label: string;
  href: string;
  allocatedOn: IsoDate;
  /** The day his latest risk score before allocation was recorded, or null when none was. */
  riskScoredOn: IsoDate | null;
}

export function assessedBeforeAllocation(men: AllocationFacts[], target: number): Indicator {
  return indicator(
    {
      id: 'assessed_before_allocation',
      area: 'assessments_and_paperwork',
      label: 'Men assessed before allocation',
      standard: 'A risk score recorded, and eligibility confirmed, before a man joins a group',
      target,
    },
    men.map((m) => ({
      label: m.label,
      href: m.href,
      meets: m.riskScoredOn !== null && m.riskScoredOn <= m.allocatedOn,
      detail: m.riskScoredOn === null ? 'No risk score before allocation' : `Risk scored ${m.riskScoredOn}, allocated ${m.allocatedOn}`,
    })),
  );
}

export interface DocumentFacts {
  label: string;
  href: string;
  /** The day the document is due from: the session's day, or a man's last session. */
  from: IsoDate;
  /** The day it was first recorded, or null when it has not been. */
  recordedOn: IsoDate | null;
}

function onTime(id: IndicatorId, label: string, what: string, withinDays: number, target: number, documents: DocumentFacts[]): Indicator {
  return indicator(
    { id, area: 'assessments_and_paperwork', label, standard: `${what} within ${plural(withinDays, 'day')}`, target },
    documents.map((d) => {
      if (d.recordedOn === null) return { label: d.label, href: d.href, meets: false, detail: 'Not recorded' };
      const late = daysBetween(d.from, d.recordedOn);
      return { label: d.label, href: d.href, meets: late <= withinDays, detail: `Recorded ${plural(late, 'day')} after` };
    }),
  );
}

export const registersOnTime = (sessions: DocumentFacts[], s: IndicatorStandards) =>
  onTime('registers_on_time', 'Registers recorded on time', 'A session’s register recorded', s.registerWithinDays, s.target, sessions);
export const logsOnTime = (sessions: DocumentFacts[], s: IndicatorStandards) =>
  onTime('logs_on_time', 'Session logs written on time', 'A session’s log written', s.logWithinDays, s.target, sessions);
export const reportsOnTime = (men: DocumentFacts[], s: IndicatorStandards) =>
  onTime(
    'reports_on_time',
    'End-of-treatment reports on time',
    'A man’s end-of-treatment report written after his last session',
    s.reportWithinDays,
    s.target,
    men,
  );
