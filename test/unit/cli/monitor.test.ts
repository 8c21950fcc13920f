import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthCohort, synthCsv } from '../../../src/domain/evaluation/synth.js';
import { runCli } from '../../support/run-cli.js';

// A small, strongly harmful programme: released 2000–2004, followed up to 2006.
const base = synthCohort({ preset: 'mews2017', seed: 5 }).truth.outcomes[0].baselineHazardPerDay;
const file = join(mkdtempSync(join(tmpdir(), 'sotp-monitor-')), 'cohort.csv');
writeFileSync(
  file,
  synthCsv(
    synthCohort({
      preset: 'mews2017',
      seed: 7,
      rows: 12_000,
      releaseFrom: '2000-01-01',
      releaseTo: '2004-12-31',
      endOfStudy: '2006-01-01',
      hazardRatio: { sexual: 2, violent: 1 },
      baselineHazard: { sexual: base * 3, violent: base },
    }),
  ),
);
const flags = ['monitor', '--cohort', file, '--covariates', 'age_at_release,prior_sexual,rm2000_score', '--outcome', 'sexual'];

describe('sotp monitor', { concurrency: 2 }, () => {
  test('sotp monitor --json prints the design, every look that has come by the end of the data, and the first flag', async () => {
    const run = await runCli([...flags, '--first-look', '2001-01-01', '--every-months', '12', '--horizon-years', '10', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(out), ['design', 'looks', 'flag']);
    assert.equal(out.design.firstLook, '2001-01-01');
    assert.equal(out.design.everyMonths, 12);
    assert.equal(out.design.horizonYears, 10);
    // Looks 2001…2006: the data end on 2006-01-01, so the 2007 look has not come.
    assert.deepEqual(
      out.looks.map((l: { date: string }) => l.date),
      ['2001-01-01', '2002-01-01', '2003-01-01', '2004-01-01', '2005-01-01', '2006-01-01'],
    );
    for (const look of out.looks) {
      assert.deepEqual(Object.keys(look), ['date', 'treated', 'comparison', 'treatedEvents', 'comparisonEvents', 'statistic', 'boundary', 'decision']);
      assert.deepEqual(Object.keys(look.boundary), ['harm', 'benefit']);
    }
    // Men released by each look only: the counts grow while men are being released (to the end of 2004), then stay.
    const men = out.looks.map((l: { treated: number; comparison: number }) => l.treated + l.comparison);
    for (let k = 1; k < 5; k++) assert.ok(men[k] > men[k - 1]);
    assert.equal(men[5], men[4]);
    const first = out.looks.find((l: { decision: string }) => l.decision !== 'continue');
    assert.deepEqual(out.flag, { decision: 'harm', date: first.date });
    assert.ok(first.statistic >= first.boundary.harm);
  });

  test('sotp monitor with a bad flag exits 2 naming the flag', async () => {
    for (const [extra, flag] of [
      [['--first-look', '2001-02-30'], '--first-look'],
      [['--first-look', '2001-01-01', '--every-months', 'often'], '--every-months'],
      [['--first-look', '2001-01-01', '--horizon-years', '0'], '--horizon-years'],
      [['--first-look', '2001-01-01', '--spending', 'haybittle'], '--spending'],
      [['--first-look', '2001-01-01', '--harm-alpha', '0.7'], '--harm-alpha'],
    ] as const) {
      const run = await runCli([...flags, ...extra, '--json']);
      assert.equal(run.code, 2, `${flag}: ${run.stderr}`);
      assert.match(run.stderr, new RegExp(flag));
      assert.equal(run.stdout, '');
    }
  });
});
