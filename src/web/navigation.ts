// The service navigation each role sees: a link shows when the permissions table lets the role take the action
// behind it. Links only help people find things: access is checked in the services.
import { can, type Action } from '../domain/permissions.js';
import type { Actor } from '../services/access.js';

interface NavigationItem {
  href: string;
  text: string;
  /** Absent for pages every signed-in user (Home) or anyone (Programmes) may open. */
  action?: Action;
}

const items: NavigationItem[] = [
  { href: '/', text: 'Home' },
  { href: '/admin/users', text: 'Users', action: 'user.manage' },
  { href: '/admin/sites', text: 'Sites', action: 'site.manage' },
  { href: '/caseload', text: 'Caseload', action: 'referral.read' },
  { href: '/people', text: 'People', action: 'person.read' },
  { href: '/waitlist', text: 'Waitlist', action: 'waitlist.read' },
  { href: '/groups', text: 'Groups', action: 'group.read' },
  { href: '/staff', text: 'Staff', action: 'staff.read' },
  { href: '/my/week', text: 'My week', action: 'own_week.read' },
  { href: '/psychometric-change', text: 'Psychometrics', action: 'psychometric.summary.read' },
  { href: '/evaluations', text: 'Evaluations', action: 'evaluation.read' },
  { href: '/audits', text: 'Audits', action: 'audit.read' },
  { href: '/programmes', text: 'Programmes' },
];

export function navigationFor(actor: Actor | null, currentUrl: string) {
  const path = currentUrl.split('?')[0];
  const visible = actor ? items.filter((i) => !i.action || can(actor.role, i.action)) : items.filter((i) => i.href === '/programmes');
  return visible.map((i) => ({
    href: i.href,
    text: i.text,
    active: i.href === '/' ? path === '/' : path.startsWith(i.href),
  }));
}
