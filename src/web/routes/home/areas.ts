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
    { title: 'Programme definitions', description: 'Programme manuals as versioned data.', href: '/programmes' },
    { title: 'Instruments', description: 'Risk instrument definitions.' },
  ],
  treatment_manager: [
    { title: 'Referrals and caseload', description: 'Referrals, assessment decisions and eligibility.' },
    { title: 'Waitlist', description: 'Men assessed as suitable, ordered by need and urgency.' },
    { title: 'Groups and timetables', description: 'Groups, facilitator teams and session timetables.' },
    { title: 'Supervision', description: 'Facilitator supervision records.' },
    { title: 'Reports', description: 'End-of-treatment and site reports.' },
  ],
  assessor: [
    { title: 'Risk scoring', description: 'RM2000/S, OSP/DC and OSP/IIC, with the points behind every result.' },
    { title: 'Psychometric tests', description: 'Tests before and after treatment in each risk domain.' },
  ],
  facilitator: [
    { title: 'My sessions', description: 'Attendance, session logs, participants’ work and recordings.' },
    { title: 'My week', description: 'Your timetable and calendar feed.' },
  ],
  auditor: [
    { title: 'Audits', description: 'Operational audit and clinical quality assurance.' },
    { title: 'Recording samples', description: 'A reproducible random sample of session recordings.' },
  ],
  researcher: [
    { title: 'Cohorts', description: 'Pseudonymised cohorts and reconviction records.' },
    { title: 'Evaluations', description: 'Matched comparisons of treated men and the harm monitor.' },
  ],
};

export function areasFor(role: Role): Area[] {
  return areas[role];
}
