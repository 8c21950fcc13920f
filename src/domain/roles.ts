// The roles a user of sotp can hold. Permissions elsewhere (e.g. the referral workflow) name these ids.
export const roles = ['administrator', 'treatment_manager', 'assessor', 'facilitator', 'auditor', 'researcher'] as const;
export type Role = (typeof roles)[number];

export const roleLabels: Record<Role, string> = {
  administrator: 'Administrator',
  treatment_manager: 'Treatment manager',
  assessor: 'Assessor',
  facilitator: 'Facilitator',
  auditor: 'Auditor',
  researcher: 'Researcher',
};

/** National roles see every site; the others see only the sites they are assigned to. */
export const nationalRoles: ReadonlySet<Role> = new Set<Role>(['administrator', 'auditor', 'researcher']);
