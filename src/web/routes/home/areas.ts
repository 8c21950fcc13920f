// Which areas each role works in, in that role's words (PRODUCT.md's roles table). Areas without an href are
// still to come. An area links to its page only when the permissions table lets the role take its action.
import { can, type Action } from '../../../domain/permissions.js';
import type { Role } from '../../../domain/roles.js';

interface Area {
  title: string;
  description: string;
  href?: string;
  /** The action behind the page; absent for public pages. */
  action?: Action;
}

const areas: Record<Role, Area[]> = {
  administrator: [
    { title: 'Users', description: 'Create and disable user accounts and assign their sites.', href: '/admin/users', action: 'user.manage' },
    { title: 'Sites', description: 'The prisons where programmes are delivered.', href: '/admin/sites', action: 'site.manage' },
    {
      title: 'Programme definitions',
      description: 'Programme manuals as versioned data: their versions, what changed between two, and uploading a new one.',
      href: '/admin/programmes',
      action: 'programme.manage',
    },
    { title: 'Instruments', description: 'Risk instrument definitions.' },
    { title: 'Outcome evaluations', description: 'Import reconviction records and cohorts; run evaluations.', href: '/evaluations', action: 'evaluation.read' },
  ],
  treatment_manager: [
    { title: 'Referrals and caseload', description: 'Referrals, assessment decisions and eligibility.', href: '/caseload', action: 'referral.read' },
    { title: 'People', description: 'Men in custody: details, offence history, risk scores and eligibility.', href: '/people', action: 'person.read' },
    { title: 'Waitlist', description: 'Men assessed as suitable, ordered by need and urgency.', href: '/waitlist', action: 'waitlist.read' },
    { title: 'Groups and timetables', description: 'Groups, facilitator teams and session timetables.', href: '/groups', action: 'group.read' },
    {
      title: 'Facilitators',
      description: 'Facilitators’ availability, limits, accreditation and supervision.',
      href: '/facilitators',
      action: 'facilitator.list',
    },
    { title: 'Supervision', description: 'Facilitator supervision records.' },
    { title: 'Reports', description: 'End-of-treatment and site reports.' },
  ],
  assessor: [
    { title: 'Risk scoring', description: 'RM2000/S, OSP/DC and OSP/IIC, with the points behind every result.', href: '/people', action: 'person.read' },
    { title: 'Caseload', description: 'Referrals awaiting assessment and their status.', href: '/caseload', action: 'referral.read' },
    { title: 'Psychometric tests', description: 'Tests before and after treatment in each risk domain.' },
  ],
  facilitator: [
    { title: 'My week', description: 'Your timetable and calendar feed.', href: '/my/week', action: 'own_week.read' },
    { title: 'My groups', description: 'The groups whose team you are in, with their timetables.', href: '/groups', action: 'group.read' },
    { title: 'My availability', description: 'Days you cannot facilitate.', href: '/my/availability', action: 'own_week.read' },
  ],
  auditor: [
    {
      title: 'Audits',
      description: 'Open an audit of a site and programme and draw its reproducible random sample of session recordings.',
      href: '/audits',
      action: 'audit.read',
    },
    { title: 'Outcome evaluations', description: 'Read the stored evaluation runs and their inputs.', href: '/evaluations', action: 'evaluation.read' },
  ],
  researcher: [
    {
      title: 'Evaluations',
      description: 'Pseudonymised cohorts, reconviction records and matched comparisons of treated men.',
      href: '/evaluations',
      action: 'evaluation.read',
    },
  ],
};

export function areasFor(role: Role): Array<Omit<Area, 'action'>> {
  return areas[role].map(({ action, href, ...area }) => (href && (!action || can(role, action)) ? { ...area, href } : area));
}
