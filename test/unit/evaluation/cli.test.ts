import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGoldens } from './golden.js';

const mainModule = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const fixture = fileURLToPath(new URL('../../fixtures/evaluation/ties.csv', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sotp-evaluate-'));

function sotp(...args: string[]) {
  const script = `const { main } = await import(${JSON.stringify(mainModule)}); process.exitCode = await main(['node', 'sotp', ...${JSON.stringify(args)}]);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const base = ['evaluate', '--cohort', fixture, '--covariates', 'prior_sexual,prior_violent,rm2000_score', '--outcome', 'sexual'];

test('evaluate --json prints the contract shape, with the sha256 of the file and the R golden matched counts', () => {
  const r = sotp(...base, '--window-days', '1095', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out).slice(0, 6), ['input', 'counts', 'propensity', 'balance', 'window', 'survival']);
  assert.equal(out.input.sha256, createHash('sha256').update(readFileSync(fixture)).digest('hex'));
  const golden = loadGoldens().find((g) => g.golden.name === 'ties')!.golden;
  assert.equal(out.input.rows, golden.rows);
  assert.deepEqual(out.counts, golden.counts);
  assert.deepEqual(Object.keys(out.propensity.coefficients), ['(Intercept)', 'prior_sexual', 'prior_violent', 'rm2000_score']);
  assert.deepEqual(Object.keys(out.window), ['days', 'treated', 'comparison', 'riskDifference', 'relativeRisk', 'oddsRatio']);
  assert.equal(out.window.days, 1095);
  assert.deepEqual(Object.keys(out.survival.km.treated[0]), ['time', 'atRisk', 'events', 'survival', 'lower', 'upper']);
  assert.equal(out.survival.logRank.df, 1);
});

test('bad input exits 2 naming the field, with nothing on stdout', () => {
  const cases: Array<[string[], RegExp]> = [
    [['evaluate', '--cohort', join(dir, 'missing.csv'), '--covariates', 'a', '--outcome', 'sexual'], /--cohort/],
    [[...base.slice(0, 4), 'prior_sexual,iq', '--outcome', 'sexual'], /--covariates.*iq/],
    [[...base.slice(0, 6), 'arson'], /--outcome.*arson/],
    [[...base, '--ratio', '0'], /--ratio: must be 1 or more/],
    [[...base, '--ratio', '1.5'], /--ratio: must be a whole number, like 1/],
    [[...base, '--caliper', '0'], /--caliper: must be more than 0/],
    [[...base, '--caliper', '-1'], /--caliper: must be more than 0/],
    [[...base, '--caliper', 'narrow'], /--caliper: must be a number, like 0\.2/],
    [[...base, '--window-days', 'two years'], /--window-days: must be a whole number, like 730/],
  ];
  for (const [args, message] of cases) {
    const r = sotp(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
  }
});

test('a cohort with a constant covariate or only one arm exits 2 naming the covariate or the arm, with nothing on stdout', () => {
  const lines = readFileSync(fixture, 'utf8').trim().split('\n');
  const constant = join(dir, 'constant.csv');
  writeFileSync(constant, lines.map((l, i) => `${l},${i === 0 ? 'site_code' : '7'}`).join('\n'));
  const r = sotp('evaluate', '--cohort', constant, '--covariates', 'prior_sexual,site_code', '--outcome', 'sexual');
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /--covariates: Covariate site_code has the same value \(7\) for every man/);
  const comparisonOnly = join(dir, 'comparison-only.csv');
  writeFileSync(comparisonOnly, [lines[0], ...lines.slice(1).filter((l) => /^[^,]+,0,/.test(l))].join('\n'));
  const one = sotp('evaluate', '--cohort', comparisonOnly, '--covariates', 'prior_sexual', '--outcome', 'sexual');
  assert.equal(one.code, 2, one.stderr);
  assert.equal(one.stdout, '');
  assert.match(one.stderr, /--cohort: The cohort has no treated men \(treated = 1\)/);
});

test('bad cohort rows are listed on stderr with line numbers, exit 2, nothing on stdout', () => {
  const lines = readFileSync(fixture, 'utf8').split('\n');
  lines[3] = lines[3].replace(/,[01],/, ',yes,');
  lines[6] = lines[6].replace(/^[^,]+/, lines[1].split(',')[0]);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, lines.join('\n'));
  const r = sotp('evaluate', '--cohort', bad, '--covariates', 'prior_sexual', '--outcome', 'sexual', '--json');
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /line 4: treated: must be 0 or 1/);
  assert.match(r.stderr, /line 7: person_ref: duplicate of line 2/);
  assert.match(r.stderr, /--cohort: 2 problems/);
});

test('cohort synth writes the same file for the same seed, and the truth to FILE.json', () => {
  const a = join(dir, 'a.csv');
  const b = join(dir, 'b.csv');
  assert.equal(sotp('cohort', 'synth', '--preset', 'friendship2003', '--seed', '5', '--rows', '300', '--out', a).code, 0);
  assert.equal(sotp('cohort', 'synth', '--preset', 'friendship2003', '--seed', '5', '--rows', '300', '--out', b).code, 0);
  assert.equal(readFileSync(a, 'utf8'), readFileSync(b, 'utf8'));
  const truth = JSON.parse(readFileSync(`${a}.json`, 'utf8'));
  assert.equal(truth.preset, 'friendship2003');
  assert.equal(truth.rows, 300);
  assert.equal(readFileSync(a, 'utf8').trim().split('\n').length, 301);
  const bad = sotp('cohort', 'synth', '--preset', 'nope', '--seed', '5', '--out', a);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--preset/);
});

test('evaluate --out writes one self-contained HTML file (the report page’s template, stylesheets inlined, no script) escaping the file and covariate names', () => {
  const markup = '<script>alert(1)</script>';
  const lines = readFileSync(fixture, 'utf8').trim().split('\n');
  const cohort = join(dir, '<img src=x onerror=alert(1)>.csv');
  writeFileSync(cohort, lines.map((l, i) => `${l},${i === 0 ? `"${markup}"` : String(i % 3)}`).join('\n'));
  const out = join(dir, 'report.html');
  const r = sotp('evaluate', '--cohort', cohort, '--covariates', `prior_sexual,${markup}`, '--outcome', 'sexual', '--by-risk-band', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Cox hazard ratio/);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script|<img/, 'no markup from the data');
  assert.match(html, /Cohort file [^<]*&lt;img src=x onerror=alert\(1\)&gt;\.csv/);
  assert.match(html, /<th scope="row" class="govuk-table__header">&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/th>/, 'the covariate in the balance table');
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; after matching: -?\d\.\d{3}/, 'the covariate in the Love plot');
  // Standalone: GOV.UK Frontend's stylesheet is inside, nothing is fetched from the server.
  assert.match(html, /<style>[^<]*\.govuk-table\{/);
  assert.doesNotMatch(html, /<link |src="\//);
  assert.match(html, /<svg role="img" aria-labelledby="overall-km-title overall-km-desc"[^>]*>\s*<title[^>]*>Kaplan–Meier curves/);
  assert.match(html, /<title id="overall-love-title">/);
  assert.match(html, /Covariate balance \(Love plot\)/);
  assert.match(html, /Kaplan–Meier estimates by year since release/);
  assert.match(html, /Risk band: medium/);
});
