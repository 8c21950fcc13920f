// Who may do what: one table of actions, the roles allowed each, and whether a role that is not national
// is held to its own sites. Services decide with it (authorise), routes declare with it (permits),
// navigation and pages show links and buttons with it (can); the README's matrix is rendered from it.
// Rules about *which* record a role may touch beyond its site (a facilitator's own week, the groups whose
// team he is in) stay in the services, but the roles they apply to are named here (`own`).
import { referralTransitions } from './referral/workflow.js';
import { roles, type Role } from './roles.js';

export interface Permission {
  readonly roles: readonly Role[];
  /** Roles outside the national ones act only on records of their own sites. */
  readonly siteScoped: boolean;
  /** Roles (among `roles`) that may act only on their own records, as the description says. */
  readonly own?: readonly Role[];
  /** What the refusal tells a role whose refusal has a reason of its own. */
  readonly refusals?: Partial<Record<Role, string>>;
  readonly description: string;
}

const namedRecords = { researcher: 'Researchers see pseudonymised cohorts only, never named records' } as const;
const recordReaders: readonly Role[] = ['treatment_manager', 'assessor', 'facilitator', 'auditor'];
const waitlistReaders: readonly Role[] = ['treatment_manager', 'assessor', 'auditor'];
/** The referral workflow names the roles of each transition; the permission to make one is their union. */
const transitionRoles: readonly Role[] = roles.filter((role) => referralTransitions.some((t) => (t.roles as readonly Role[]).includes(role)));

export const permissions = {
  'person.read': {
    roles: recordReaders,
    siteScoped: true,
    own: ['facilitator'],
    refusals: namedRecords,
    description: 'Find and read a man’s record: details, offence history, risk scores, eligibility (a facilitator: the men of his own groups)',
  },
  'person.edit': { roles: ['treatment_manager', 'assessor'], siteScoped: true, description: 'Record a man and change his details and offence history' },
  'risk.score': { roles: ['treatment_manager', 'assessor'], siteScoped: true, description: 'Score RM2000/S and OSP and store the result' },
  'psychometric.record': {
    roles: ['assessor'],
    siteScoped: true,
    description: 'Record a man’s psychometric tests before and after treatment and at follow-up, and correct them',
  },
  'eligibility.override': { roles: ['treatment_manager'], siteScoped: true, description: 'Override a computed eligibility result, with a reason' },
  'referral.read': {
    roles: recordReaders,
    siteScoped: true,
    own: ['facilitator'],
    refusals: namedRecords,
    description: 'Read referrals and the caseload (a facilitator: those of the men of his own groups)',
  },
  'referral.create': { roles: ['treatment_manager'], siteScoped: true, description: 'Refer a man to a programme' },
  'referral.transition': {
    roles: transitionRoles,
    siteScoped: true,
    description: 'Move a referral on (each transition names its roles in the referral workflow)',
  },
  // Not facilitators: the men waiting are in no group yet, and a facilitator sees the men of his own groups only.
  'waitlist.read': { roles: waitlistReaders, siteScoped: true, refusals: namedRecords, description: 'Read a site’s waitlist' },
  'group.read': {
    roles: ['treatment_manager', 'administrator', 'facilitator', 'auditor'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Read groups and their timetables (a facilitator: the groups whose team he is in)',
  },
  'group.manage': {
    roles: ['treatment_manager'],
    siteScoped: true,
    description: 'Create a group, plan and change its timetable, allocate and remove men, book catch-ups',
  },
  'catch_up.record_outcome': {
    roles: ['treatment_manager', 'facilitator'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Record a catch-up as delivered or cancelled (a facilitator: his own)',
  },
  'treatment_report.read': {
    roles: ['treatment_manager', 'facilitator', 'auditor'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Read a man’s end-of-treatment report (a facilitator: the men of the groups whose team he is in)',
  },
  'treatment_report.write': {
    roles: ['treatment_manager', 'facilitator'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Write the facilitators’ summary per risk domain in a man’s end-of-treatment report (a facilitator: his own groups)',
  },
  'session_log.read': {
    roles: ['treatment_manager', 'facilitator', 'auditor'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Read a session’s log (a facilitator: the sessions of his own groups)',
  },
  'session_log.write': {
    roles: ['treatment_manager', 'facilitator'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Write a session’s log: blocks and targets covered, deviations, incidents, a note per man (a facilitator: the sessions he facilitates)',
  },
  'session_log.write_after_lock': {
    roles: ['treatment_manager'],
    siteScoped: true,
    description: 'Change a session’s log after the days the programme leaves it open to facilitators',
  },
  'product.read': {
    roles: ['treatment_manager', 'facilitator', 'auditor'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'List and download participants’ work (a facilitator: of the men of his own groups)',
  },
  'product.upload': {
    roles: ['treatment_manager', 'facilitator'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Upload a man’s work from a session: PDF, Word or an image (a facilitator: for the sessions he facilitates)',
  },
  'register.record': {
    roles: ['treatment_manager', 'facilitator'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Record and correct a session’s register (a facilitator: the sessions he facilitates)',
  },
  'completion.record': {
    roles: ['treatment_manager'],
    siteScoped: true,
    description: 'Record that a man completed the programme (when the completion rule holds) or was deselected, with a reason from the programme’s list',
  },
  'site.week.read': { roles: ['treatment_manager', 'administrator', 'auditor'], siteScoped: true, description: 'Read a site’s week of sessions' },
  'site.setup.read': {
    roles: ['treatment_manager', 'administrator', 'auditor'],
    siteScoped: true,
    description: 'Read a site’s rooms, session slots and closures',
  },
  'site.setup.change': { roles: ['treatment_manager', 'administrator'], siteScoped: true, description: 'Change a site’s rooms, session slots and closures' },
  'facilitator.list': { roles: ['treatment_manager', 'administrator', 'auditor'], siteScoped: true, description: 'List a site’s facilitators' },
  'facilitator.read': {
    roles: ['treatment_manager', 'administrator', 'facilitator', 'auditor'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Read a facilitator’s availability, accreditation and week (a facilitator: his own)',
  },
  'facilitator.availability.change': {
    roles: ['treatment_manager', 'facilitator'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Record days a facilitator cannot facilitate (a facilitator: his own)',
  },
  'facilitator.profile.change': { roles: ['treatment_manager'], siteScoped: true, description: 'Set a facilitator’s limits' },
  'supervision.alerts.read': {
    roles: ['treatment_manager'],
    siteScoped: true,
    description: 'See supervision due or overdue, lapsed accreditations and overdue supervision actions for the facilitators of one’s sites',
  },
  'supervision.read': {
    roles: ['treatment_manager', 'administrator', 'facilitator', 'auditor'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Read a facilitator’s supervision records and how their accreditations stand (a facilitator: his own)',
  },
  'supervision.record': {
    roles: ['treatment_manager'],
    siteScoped: true,
    description: 'Record a supervision of a facilitator of one’s site: recordings watched, notes and agreed actions',
  },
  'supervision.action.complete': {
    roles: ['treatment_manager', 'facilitator'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Mark an agreed supervision action done (a facilitator: his own)',
  },
  'site.staff.read': {
    roles: ['treatment_manager', 'administrator', 'auditor'],
    siteScoped: true,
    description: 'See a site’s named treatment managers and who supervises whom, and when each was last supervised',
  },
  'qa.indicators.read': {
    roles: ['auditor', 'administrator', 'treatment_manager'],
    siteScoped: true,
    description: 'Read the operational audit’s indicators of a site and programme over a period, with the records behind each',
  },
  'site.treatment_manager.name': {
    roles: ['administrator'],
    siteScoped: false,
    description: 'Name the treatment manager of a site and programme',
  },
  'staff.read': {
    roles: ['treatment_manager', 'administrator', 'facilitator', 'auditor'],
    siteScoped: true,
    own: ['facilitator'],
    description:
      'Read a site’s facilitator pipeline and a member of staff’s record: stage moves with their evidence, training, accreditation (a facilitator: his own)',
  },
  'staff.move': {
    roles: ['treatment_manager'],
    siteScoped: true,
    description: 'Add a member of staff to the facilitator pipeline and move them on (each move names its roles in the pipeline file)',
  },
  'staff.import': {
    roles: ['administrator'],
    siteScoped: false,
    description: 'Import a staff list with accreditations granted before sotp (sotp staff import)',
  },
  'staff.sign_in.link': {
    roles: ['administrator'],
    siteScoped: false,
    description: 'Link a member of staff in the pipeline to a facilitator’s sign-in',
  },
  'own_week.read': { roles: ['facilitator'], siteScoped: false, description: 'See one’s own week of sessions and availability' },
  'calendar_link.create': { roles: ['facilitator'], siteScoped: false, description: 'Make or renew one’s calendar feed link' },
  'user.manage': { roles: ['administrator'], siteScoped: false, description: 'Create, read and disable user accounts' },
  'api_token.manage': { roles: ['administrator'], siteScoped: false, description: 'Make, list and revoke a user’s API tokens' },
  'programme.manage': { roles: ['administrator'], siteScoped: false, description: 'See every programme’s versions, compare two, and upload a new version' },
  'site.manage': { roles: ['administrator'], siteScoped: false, description: 'Record and list the prisons where programmes are delivered' },
  'membership.check': { roles: ['administrator', 'auditor'], siteScoped: false, description: 'Check that referral statuses and group memberships agree' },
  'evaluation.import': { roles: ['administrator', 'researcher'], siteScoped: false, description: 'Import cohort files and pseudonymised reconviction records' },
  'reconviction.import_named': {
    roles: ['administrator'],
    siteScoped: false,
    description: 'Import reconviction records keyed by prison number (pseudonymised on import)',
  },
  'evaluation.import_progress.read': {
    roles: ['administrator', 'researcher'],
    siteScoped: false,
    own: ['researcher'],
    description: 'Follow a cohort upload’s import as it is read and stored (a researcher: his own uploads)',
  },
  'evaluation.run': { roles: ['administrator', 'researcher'], siteScoped: false, description: 'Run an outcome evaluation' },
  'evaluation.read': { roles: ['administrator', 'auditor', 'researcher'], siteScoped: false, description: 'Read stored evaluation runs and imports' },
  'psychometric.summary.read': {
    roles: ['administrator', 'treatment_manager', 'auditor', 'researcher'],
    siteScoped: true,
    description: 'Read psychometric change summarised per group and per programme (proportions, no names)',
  },
  'psychometric.export': {
    roles: ['administrator', 'researcher'],
    siteScoped: false,
    description: 'Download each man’s pre and post psychometric scores and change, pseudonymised, as CSV',
  },
  'recording.upload': {
    roles: ['treatment_manager', 'facilitator'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Upload a session’s recording (a facilitator: of a session he facilitated)',
  },
  'recording.view': {
    roles: ['treatment_manager', 'facilitator', 'auditor'],
    siteScoped: true,
    own: ['facilitator'],
    description: 'Watch a session’s recording, every view audited (a facilitator: of the groups whose team he is in)',
  },
  'recording.purge': { roles: ['administrator'], siteScoped: false, description: 'Delete recordings whose retention has ended (sotp files purge)' },
  'audit.read': {
    roles: ['administrator', 'auditor', 'treatment_manager'],
    siteScoped: true,
    description: 'List audits and read one, with its report: indicators, recording sample with its seed and frame, review, ratings and action plan',
  },
  'audit.open': { roles: ['auditor'], siteScoped: false, description: 'Open an audit of a site and programme over a period' },
  'audit.sample.draw': {
    roles: ['auditor'],
    siteScoped: false,
    description: 'Draw an audit’s seeded, stratified sample of session recordings, which starts the audit (sampled recordings are kept past retention)',
  },
  'audit.review': {
    roles: ['auditor'],
    siteScoped: false,
    description: 'Record an audit’s clinical review: notes on each sampled recording watched, the checklist of material examined, comments on indicators',
  },
  'audit.rate': {
    roles: ['auditor'],
    siteScoped: false,
    description: 'Rate an audit’s quality of delivery and of treatment management, once the minimum number of recordings has been watched',
  },
  'audit.respond': {
    roles: ['treatment_manager'],
    siteScoped: true,
    description: 'Respond to a rated audit with the site’s action plan (the treatment manager named for the site and programme)',
  },
  'audit.close': {
    roles: ['auditor'],
    siteScoped: false,
    description: 'Close an audit once its action plan is agreed, or ask the site to revise the plan',
  },
  'audit.action.complete': {
    roles: ['treatment_manager'],
    siteScoped: true,
    description: 'Mark an action of the site’s audit action plan done',
  },
  'audit.overview.read': {
    roles: ['auditor', 'administrator'],
    siteScoped: false,
    description: 'Read the national overview of every site’s latest audit ratings and open actions',
  },
  'monitor.read': {
    roles: ['administrator', 'auditor', 'researcher'],
    siteScoped: false,
    description: 'Read a programme’s harm monitor: its design and every look',
  },
  'monitor.design': { roles: ['administrator'], siteScoped: false, description: 'Fix a programme’s harm-monitor design before its first look' },
  'monitor.look': {
    roles: ['administrator', 'researcher'],
    siteScoped: false,
    description: 'Take a harm-monitor look that is due now, without waiting for the scheduler',
  },
  'monitor.export': { roles: ['administrator', 'researcher'], siteScoped: false, description: 'Download the harm monitor’s looks as pseudonymised CSV' },
  'monitor.alerts.read': { roles: ['administrator'], siteScoped: false, description: 'Be told on the home page when a harm monitor crosses a boundary' },
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof permissions;
export const actions = Object.keys(permissions) as Action[];

export function permission(action: Action): Permission {
  return permissions[action];
}

export function can(role: Role, action: Action): boolean {
  return permission(action).roles.includes(role);
}

/** True when the role may take the action only on its own records (see the action's description). */
export function onlyOwn(role: Role, action: Action): boolean {
  return permission(action).own?.includes(role) ?? false;
}

/** The actions a role may take, in the table's order. */
export function actionsOf(role: Role): Action[] {
  return actions.filter((action) => can(role, action));
}
