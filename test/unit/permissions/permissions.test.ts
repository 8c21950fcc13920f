// The permissions table decides for services (authorise), routes (permits) and navigation (can).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { can, permissions } from '../../../src/domain/permissions.js';
import { referralTransitions } from '../../../src/domain/referral/workflow.js';
import { roles, type Role } from '../../../src/domain/roles.js';
import { authorise, type Actor } from '../../../src/services/access.js';
import { AccessDenied } from '../../../src/services/errors.js';
import { navigationFor } from '../../../src/web/navigation.js';
import { areasFor } from '../../../src/web/routes/home/areas.js';

const actor = (role: Role, siteIds: number[] = [1]): Actor => ({ userId: 7, username: 'someone', role, siteIds });
const refusal = (f: () => void): AccessDenied | undefined => {
  try {
    f();
    return undefined;
  } catch (error) {
    if (error instanceof AccessDenied) return error;
    throw error;
  }
};

test('a role the table does not name for an action is refused, at any site', () => {
  assert.ok(refusal(() => authorise(actor('facilitator'), 'person.edit')));
  assert.ok(refusal(() => authorise(actor('facilitator'), 'person.edit', 1)));
  assert.equal(
    refusal(() => authorise(actor('assessor'), 'person.edit', 1)),
    undefined,
  );
});

test('a site-scoped action holds a treatment manager to his own sites and lets a national role act at any', () => {
  assert.equal(
    refusal(() => authorise(actor('treatment_manager', [1]), 'group.manage', 1)),
    undefined,
  );
  assert.equal(refusal(() => authorise(actor('treatment_manager', [1]), 'group.manage', 2))?.scope, 'site');
  assert.equal(
    refusal(() => authorise(actor('auditor', []), 'group.read', 2)),
    undefined,
  );
});

test('an action without site scope does not look at the site', () => {
  assert.equal(
    refusal(() => authorise(actor('administrator', []), 'user.manage', 99)),
    undefined,
  );
});

test('a researcher refused a named record is told researchers see pseudonymised cohorts only', () => {
  assert.match(refusal(() => authorise(actor('researcher', []), 'person.read'))?.message ?? '', /pseudonymised cohorts only/);
});

test('moving a referral on is permitted to exactly the roles the referral workflow names in its transitions', () => {
  const named = new Set(referralTransitions.flatMap((t) => t.roles as readonly Role[]));
  assert.deepEqual(
    roles.filter((r) => can(r, 'referral.transition')),
    roles.filter((r) => named.has(r)),
  );
  assert.ok(named.size > 0);
});

test('every action of the table names at least one role and says what it is', () => {
  for (const [action, p] of Object.entries(permissions)) {
    assert.ok(p.roles.length > 0, action);
    assert.ok(p.description.length > 10, action);
    for (const own of (p as { own?: readonly Role[] }).own ?? [])
      assert.ok(p.roles.includes(own as never), `${action}: ${own} acts on its own records only if it may act at all`);
  }
});

test('the navigation shows a role the links of the actions it may take, and no others', () => {
  const links = (role: Role) => navigationFor(actor(role), '/').map((i) => i.text);
  assert.deepEqual(
    links('facilitator'),
    ['Home', 'Caseload', 'People', 'Groups', 'Staff', 'My week', 'Programmes'],
    'not the waitlist: its men are in no group yet; Staff: his own pipeline record',
  );
  assert.deepEqual(links('researcher'), ['Home', 'Psychometrics', 'Evaluations', 'Programmes']);
  assert.deepEqual(
    links('administrator'),
    ['Home', 'Users', 'Sites', 'Groups', 'Staff', 'Psychometrics', 'Evaluations', 'Audits', 'Programmes'],
    'administrators read audits',
  );
});

test('the home page links an area only for a role that may open it', () => {
  const linked = (role: Role) =>
    areasFor(role)
      .filter((a) => a.href)
      .map((a) => a.href);
  assert.deepEqual(linked('assessor'), ['/people', '/caseload']);
  assert.deepEqual(linked('auditor'), ['/audits', '/evaluations']);
});
