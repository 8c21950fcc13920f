// The service navigation each role sees. Links only help people find things: access is checked in the services.
import type { Role } from '../domain/roles.js';
import type { Actor } from '../services/access.js';

interface NavigationItem {
  href: string;
  text: string;
  roles?: readonly Role[];
}

const items: NavigationItem[] = [
  { href: '/', text: 'Home' },
  { href: '/admin/users', text: 'Users', roles: ['administrator'] },
  { href: '/admin/sites', text: 'Sites', roles: ['administrator'] },
  { href: '/caseload', text: 'Caseload', roles: ['treatment_manager', 'assessor', 'facilitator', 'auditor'] },
  { href: '/people', text: 'People', roles: ['treatment_manager', 'assessor', 'facilitator', 'auditor'] },
  { href: '/waitlist', text: 'Waitlist', roles: ['treatment_manager', 'assessor', 'facilitator', 'auditor'] },
  { href: '/groups', text: 'Groups', roles: ['treatment_manager', 'administrator', 'auditor', 'facilitator'] },
  { href: '/my/week', text: 'My week', roles: ['facilitator'] },
  { href: '/evaluations', text: 'Evaluations', roles: ['researcher', 'administrator', 'auditor'] },
  { href: '/programmes', text: 'Programmes' },
];

export function navigationFor(actor: Actor | null, currentUrl: string) {
  const path = currentUrl.split('?')[0];
  const visible = actor ? items.filter((i) => !i.roles || i.roles.includes(actor.role)) : items.filter((i) => i.href === '/programmes');
  return visible.map((i) => ({
    href: i.href,
    text: i.text,
    active: i.href === '/' ? path === '/' : path.startsWith(i.href),
  }));
}
