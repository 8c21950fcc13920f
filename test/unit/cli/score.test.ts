import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/run-cli.js';
import { ospExample, rm2000Example } from '../../support/issue-examples.js';

const rm2000 = rm2000Example;
const osp = ospExample;

// Each case starts its own process, so they run side by side.
describe('sotp score', { concurrency: 4 }, () => {
  test('sotp score rm2000: aged 27, 2 sexual and 6 criminal appearances, male victim, single is high raised to very_high', async () => {
    const run = await runCli(['score', 'rm2000'], JSON.stringify(rm2000));
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.instrument, 'rm2000s');
    assert.equal(typeof out.version, 'number');
    assert.equal(out.step1Points, 3);
    assert.equal(out.step1Category, 'high');
    assert.equal(out.aggravatingFactors, 2);
    assert.equal(out.category, 'very_high');
    assert.ok(Array.isArray(out.explanation) && out.explanation.every((s: unknown) => typeof s === 'string'));
  });

  test('sotp score rm2000 --input FILE reads the facts from the file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sotp-score-')), 'man.json');
    writeFileSync(file, JSON.stringify({ ...rm2000, ageAtCommencementOfRisk: 40, maleVictim: false }));
    const run = await runCli(['score', 'rm2000', '--input', file]);
    assert.equal(run.code, 0, run.stderr);
    // 40 → 0, 2 sexual → 1, 6 criminal → 1: 2 medium; one factor does not raise it.
    assert.equal(JSON.parse(run.stdout).category, 'medium');
  });

  test('sotp score osp: the example man scores 30 on OSP/DC (high, not reduced in custody) and low on OSP/IIC', async () => {
    const run = await runCli(['score', 'osp'], JSON.stringify(osp));
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    // 1 contact adult 5 + age 45 5 + last sexual sanction at 40 10 + 3 sanctions 6 + stranger 4.
    assert.equal(out.dc.points, 30);
    assert.equal(out.dc.band, 'high');
    assert.equal(out.dc.bandReduced, false);
    assert.ok(Math.abs(out.dc.probability - 0.021062) < 0.0001);
    assert.equal(out.iic.band, 'low');
    assert.equal(out.iic.probability, 0);
  });

  test('sotp score osp: for a woman both bands are not_applicable and the probabilities null', async () => {
    const run = await runCli(['score', 'osp'], JSON.stringify({ ...osp, sex: 'female' }));
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.deepEqual([out.dc.band, out.dc.probability, out.iic.band, out.iic.probability], ['not_applicable', null, 'not_applicable', null]);
  });

  test('sotp score osp: a man with no sexual sanction at all is not_applicable for OSP/DC and OSP/IIC', async () => {
    const run = await runCli(['score', 'osp'], JSON.stringify({ ...osp, contactAdultSexualSanctions: 0 }));
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.deepEqual(
      [out.dc.band, out.dc.points, out.dc.probability, out.iic.band, out.iic.probability],
      ['not_applicable', null, null, 'not_applicable', null],
    );
  });

  // [what, command, input, field the message must name]
  const badInput: [string, string, unknown, string][] = [
    ['a missing count', 'rm2000', { ...rm2000, sexualAppearances: undefined }, 'sexualAppearances'],
    ['a negative count', 'rm2000', { ...rm2000, criminalAppearances: -1 }, 'criminalAppearances'],
    ['a count that is not a whole number', 'rm2000', { ...rm2000, sexualAppearances: 1.5 }, 'sexualAppearances'],
    ['a man under 18', 'rm2000', { ...rm2000, ageAtCommencementOfRisk: 17 }, 'ageAtCommencementOfRisk'],
    ['no sexual appearance', 'rm2000', { ...rm2000, sexualAppearances: 0 }, 'sexualAppearances'],
    ['an unknown field', 'rm2000', { ...rm2000, favouriteColour: 'blue' }, 'favouriteColour'],
    ['a wrong type', 'rm2000', { ...rm2000, maleVictim: 'yes' }, 'maleVictim'],
    ['a negative sanction count', 'osp', { ...osp, totalSanctions: -1 }, 'totalSanctions'],
    ['a sex other than male or female', 'osp', { ...osp, sex: 'unknown' }, 'sex'],
    ['a missing field', 'osp', { ...osp, inCustody: undefined }, 'inCustody'],
    ['sexual sanctions adding up to more than the total', 'osp', { ...osp, contactChildSexualSanctions: 2, indecentImageSanctions: 1 }, 'totalSanctions'],
    ['a total of 0 sanctions', 'osp', { ...osp, contactAdultSexualSanctions: 0, totalSanctions: 0 }, 'totalSanctions'],
  ];
  for (const [what, command, input, field] of badInput) {
    test(`sotp score ${command}: ${what} exits 2, names ${field} and prints nothing on stdout`, async () => {
      const run = await runCli(['score', command], JSON.stringify(input));
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, new RegExp(field));
    });
  }

  test('sotp score rm2000: input that is not JSON exits 2', async () => {
    const run = await runCli(['score', 'rm2000'], '{not json');
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /JSON/);
  });
});
