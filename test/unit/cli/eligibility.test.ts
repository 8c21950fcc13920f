import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../support/run-cli.js';

const man = {
  sex: 'male',
  age: 30,
  convictions: [{ category: 'sexual_contact', attempt: true }],
  riskCategories: { rm2000s: 'low' },
  iq: 95,
  sexualMurder: true,
};

// Each case starts its own process, so they run side by side.
describe('sotp eligibility', { concurrency: 4 }, () => {
  test('sotp eligibility: a low-risk sexual murderer with an attempted contact offence is eligible for Core SOTP', async () => {
    const run = await runCli(['eligibility', '--programme', 'core-sotp'], JSON.stringify(man));
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.result, 'eligible');
    assert.deepEqual(
      out.criteria.map((c: { id: string }) => c.id),
      ['male', 'adult', 'contact_sexual_conviction', 'risk', 'iq'],
    );
    for (const c of out.criteria) {
      assert.equal(c.status, 'met');
      assert.equal(typeof c.reason, 'string');
    }
  });

  test('sotp eligibility: IQ 80 is not over 80, so not eligible; missing facts are unknown', async () => {
    const run = await runCli(['eligibility', '--programme', 'core-sotp'], JSON.stringify({ sex: 'male', iq: 80 }));
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.result, 'not_eligible');
    assert.deepEqual(
      out.criteria.map((c: { status: string }) => c.status),
      ['met', 'unknown', 'unknown', 'unknown', 'not_met'],
    );
  });

  test('sotp eligibility: nothing known is undetermined', async () => {
    const run = await runCli(['eligibility', '--programme', 'core-sotp'], '{}');
    assert.equal(JSON.parse(run.stdout).result, 'undetermined');
  });

  test('sotp eligibility: an unknown programme exits 2 naming --programme', async () => {
    const run = await runCli(['eligibility', '--programme', 'no-such-programme'], JSON.stringify(man));
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /--programme/);
  });

  const badInput: [string, unknown, string][] = [
    ['an age that is not a number', { ...man, age: 'thirty' }, 'age'],
    ['an unknown conviction category', { ...man, convictions: [{ category: 'arson', attempt: false }] }, 'convictions.0.category'],
    ['a conviction without its attempt flag', { ...man, convictions: [{ category: 'sexual_contact' }] }, 'convictions.0.attempt'],
    ['an unknown risk category', { ...man, riskCategories: { rm2000s: 'extreme' } }, 'riskCategories.rm2000s'],
    ['an unknown field', { ...man, shoeSize: 10 }, 'shoeSize'],
  ];
  for (const [what, input, field] of badInput) {
    test(`sotp eligibility: ${what} exits 2 naming ${field}, nothing on stdout`, async () => {
      const run = await runCli(['eligibility', '--programme', 'core-sotp'], JSON.stringify(input));
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, new RegExp(field.replace(/\./g, '\\.')));
    });
  }
});
