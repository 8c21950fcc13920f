// Issue 13, item 8: "auditors read everything needed for the audit across sites but change nothing outside their
// audits", checked over the permissions table. The auditor's reads are listed here by hand, so that a write given
// to auditors (a new action, or a role added to an old one) fails until someone decides it is an audit's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actions, actionsOf, permission, type Action } from '../../../src/domain/permissions.js';
import { nationalRoles } from '../../../src/domain/roles.js';
import { authorise, type Actor } from '../../../src/services/access.js';
import { AccessDenied } from '../../../src/services/errors.js';

/** What an auditor reads for an audit: men's records and material, groups, staff, recordings, indicators, audits. */
const auditorReads: readonly Action[] = [
  'person.read',
  'referral.read',
  'waitlist.read',
  'group.read',
  'treatment_report.read',
  'session_log.read',
  'product.read',
  'site.week.read',
  'site.setup.read',
  'facilitator.list',
  'facilitator.read',
  'supervision.read',
  'site.staff.read',
  'qa.indicators.read',
  'staff.read',
  'membership.check',
  'evaluation.read',
  'psychometric.summary.read',
  'recording.view',
  'audit.read',
  'audit.overview.read',
  'monitor.read',
];

const auditor: Actor = { userId: 7, username: 'auditor', role: 'auditor', siteIds: [] };

test('every action the auditor may take is a read or a write of an audit: he changes nothing outside audits', () => {
  const writes = actionsOf('auditor').filter((a) => !auditorReads.includes(a));
  assert.ok(writes.length > 0, 'the auditor writes audits');
  for (const action of writes) assert.match(action, /^audit\./, `${action} (“${permission(action).description}”) is a write outside audits`);
});

test('the auditor’s reads only read: each is named as a read, list, view or check, and the auditor may take it', () => {
  for (const action of auditorReads) {
    assert.match(action, /\.(read|list|view|check)$/, `${action} is named as a read`);
    assert.ok(actionsOf('auditor').includes(action), `the auditor may ${action}: the list here is not stale`);
  }
});

test('the auditor reads across sites: a national role, no site of his own needed for any read', () => {
  assert.ok(nationalRoles.has('auditor'));
  for (const action of auditorReads) assert.doesNotThrow(() => authorise(auditor, action, 424242), action);
});

test('every write outside audits is refused to the auditor', () => {
  const outside = actions.filter((a) => !auditorReads.includes(a) && !a.startsWith('audit.'));
  assert.ok(outside.length > 20);
  for (const action of outside) assert.throws(() => authorise(auditor, action, 1), AccessDenied, action);
});
