// Which areas each role works in (PRODUCT.md's roles table). Areas without an href are still to come.
import type { Role } from '../../../domain/roles.js';

interface Area {
  title: string;
  description: string;
  href?: string;
}

const areas: Record<Role, Area[]> = {
  administrator: [
    { title: 'Users', description: 'Create and disable user accounts and assign their sites.', href: '/admin/users' },
    { title: 'Sites', description: 'The prisons where programmes are delivered.', href: '/admin/sites' },
    { title: 'Programme definitions', description: 'Programme manuals as versioned data: their versions, what changed between two, and uploading a new one.', href: '/admin/programmes' },
    { title: 'Instruments', description: 'Risk instrument definitions.' },
    { title: 'Outcome evaluations', description: 'Import reconviction records and cohorts; run evaluations.', href: '/evaluations' },
  ],
  treatment_manager: [
    { title: 'Referrals and caseload', description: 'Referrals, assessment decisions and eligibility.', href: '/caseload' },
    { title: 'People', description: 'Men in custody: details, offence history, risk scores and eligibility.', href: '/people' },
    { title: 'Waitlist', description: 'Men assessed as suitable, ordered by need and urgency.', href: '/waitlist' },
    { title: 'Groups and timetables', description: 'Groups, facilitator teams and session timetables.', href: '/groups' },
    { title: 'Facilitators', description: 'Facilitators’ availability, limits, accreditation and supervision.', href: '/facilitators' },
    { title: 'Supervision', description: 'Facilitator supervision records.' },
    { title: 'Reports', description: 'End-of-treatment and site reports.' },
  ],
  assessor: [
    { title: 'Risk scoring', description: 'RM2000/S, OSP/DC and OSP/IIC, with the points behind every result.', href: '/people' },
    { title: 'Caseload', description: 'Referrals awaiting assessment and their status.', href: '/caseload' },
    { title: 'Psychometric tests', description: 'Tests before and after treatment in each risk domain.' },
  ],
  facilitator: [
    { title: 'My sessions', description: 'Attendance, session logs, participants’ work and recordings.' },
    { title: 'My week', description: 'Your timetable and calendar feed.', href: '/my/week' },
    { title: 'My groups', description: 'The groups whose team you are in, with their timetables.', href: '/groups' },
    { title: 'My availability', description: 'Days you cannot facilitate.', href: '/my/availability' },
  ],
  auditor: [
    { title: 'Audits', description: 'Operational audit and clinical quality assurance.' },
    { title: 'Recording samples', description: 'A reproducible random sample of session recordings.' },
    { title: 'Outcome evaluations', description: 'Read the stored evaluation runs and their inputs.', href: '/evaluations' },
  ],
  researcher: [
    { title: 'Evaluations', description: 'Pseudonymised cohorts, reconviction records and matched comparisons of treated men.', href: '/evaluations' },
  ],
};

export function areasFor(role: Role): Area[] {
  return areas[role];
}
