// `sotp change`: the contract of the issue (one JSON line with the change statistics) and bad numbers refused
// with exit 2 naming the flag, nothing on standard output.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../support/run-cli.js';

const example = ['change', '--pre', '62', '--post', '48', '--sd', '10', '--reliability', '0.85', '--better', 'lower'];
const norms = ['--dysfunctional-mean', '60', '--functional-mean', '45', '--functional-sd', '9'];

// Each case starts its own process, so they run side by side.
describe('sotp change', { concurrency: 4 }, () => {
  test('sotp change: the issue’s example prints one JSON line, a reliable improvement crossing c = 990/19', async () => {
    const run = await runCli([...example, ...norms]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim().split('\n').length, 1);
    const out = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(out), ['change', 'sDiff', 'rci', 'reliableChange', 'cutoff', 'clinicallySignificant']);
    assert.equal(out.change, -14);
    assert.ok(Math.abs(out.sDiff - Math.SQRT2 * 10 * Math.sqrt(1 - 0.85)) < 1e-12);
    assert.ok(Math.abs(out.rci - -14 / (Math.SQRT2 * 10 * Math.sqrt(0.15))) < 1e-12);
    assert.equal(out.reliableChange, 'improved');
    assert.ok(Math.abs(out.cutoff - (10 * 45 + 9 * 60) / 19) < 1e-12);
    assert.equal(out.clinicallySignificant, true);
  });

  test('sotp change: without all three norm flags the cut-off and clinical significance are null', async () => {
    const run = await runCli([...example, '--functional-mean', '45']);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.cutoff, null);
    assert.equal(out.clinicallySignificant, null);
  });

  const bad: Array<[string, string[], string]> = [
    ['an SD of 0', ['--sd', '0'], '--sd'],
    ['a negative SD', ['--sd', '-3'], '--sd'],
    ['a reliability of 1', ['--reliability', '1'], '--reliability'],
    ['a reliability below 0', ['--reliability', '-0.2'], '--reliability'],
    ['a score that is not a number', ['--post', 'forty'], '--post'],
    ['a direction that is neither lower nor higher', ['--better', 'down'], '--better'],
    ['a functional SD that is not a number', [...norms.slice(0, 4), '--functional-sd', 'nine'], '--functional-sd'],
  ];
  for (const [what, flags, named] of bad) {
    test(`sotp change: ${what} exits 2 naming ${named}`, async () => {
      const args = [...example];
      for (let i = 0; i < flags.length; i += 2) {
        const at = args.indexOf(flags[i]);
        if (at >= 0) args[at + 1] = flags[i + 1];
        else args.push(flags[i], flags[i + 1]);
      }
      const run = await runCli(args);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, new RegExp(`${named}:`));
    });
  }
});
