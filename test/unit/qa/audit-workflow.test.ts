// The audit workflow table: each status reached by one transition, who may make each, and the refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAuditTransition, auditStatuses, auditTransitions, availableAuditTransitions } from '../../../src/domain/qa/audit-workflow.js';

test('an audit goes planned → in progress → rated → site response → closed, one transition each, or back from site response to rated', () => {
  assert.deepEqual(
    auditStatuses.map((s) => s.id),
    ['planned', 'in_progress', 'rated', 'site_response', 'closed'],
  );
  assert.deepEqual(
    auditTransitions.map((t) => `${t.from.join('|')}>${t.to}`),
    ['planned>in_progress', 'in_progress>rated', 'rated>site_response', 'site_response>closed', 'site_response>rated'],
  );
});

test('an auditor who does not agree the plan asks the site to revise it: the audit goes back to rated for a new response', () => {
  const asked = applyAuditTransition({ status: 'site_response' }, 'revise', { role: 'auditor' });
  assert.ok(asked.ok && asked.status === 'rated' && asked.transition.effects.includes('returns_response'));
  const bySite = applyAuditTransition({ status: 'site_response' }, 'revise', { role: 'treatment_manager' });
  assert.ok(!bySite.ok && bySite.refusal === 'not_allowed_for_role');
  assert.deepEqual(
    availableAuditTransitions('site_response', 'auditor').map((t) => t.id),
    ['close', 'revise'],
  );
});

test('only an auditor draws the sample, which starts the audit; the site’s treatment manager responds', () => {
  const started = applyAuditTransition({ status: 'planned' }, 'start', { role: 'auditor' });
  assert.ok(started.ok && started.status === 'in_progress' && started.transition.effects.includes('draws_sample'));
  for (const role of ['administrator', 'treatment_manager', 'facilitator'] as const) {
    const refused = applyAuditTransition({ status: 'planned' }, 'start', { role });
    assert.ok(!refused.ok && refused.refusal === 'not_allowed_for_role', role);
  }
  assert.deepEqual(
    availableAuditTransitions('rated', 'treatment_manager').map((t) => t.id),
    ['respond'],
  );
});

test('the sample is drawn once: an audit in progress cannot be started again, and a closed one accepts nothing', () => {
  const again = applyAuditTransition({ status: 'in_progress' }, 'start', { role: 'auditor' });
  assert.ok(!again.ok && again.refusal === 'not_from_this_status');
  const closed = applyAuditTransition({ status: 'closed' }, 'close', { role: 'auditor' });
  assert.ok(!closed.ok && closed.refusal === 'closed');
});
