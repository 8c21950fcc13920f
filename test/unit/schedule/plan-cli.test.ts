import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli/main.js';

const smallScenario = fileURLToPath(new URL('../../fixtures/schedule/scenario-small.json', import.meta.url));

/** Runs `sotp plan …` in this process, capturing what it writes. */
async function sotp(...args: string[]) {
  const captured = { stdout: '', stderr: '' };
  const original = { stdout: process.stdout.write, stderr: process.stderr.write };
  // The test runner reports to its parent through stdout in binary chunks: those pass through; the command writes strings.
  const capture = (stream: 'stdout' | 'stderr') =>
    ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'string') return (original[stream] as (...a: unknown[]) => boolean).call(process[stream], chunk, ...rest);
      captured[stream] += chunk;
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    const code = await main(['node', 'sotp', 'plan', ...args]);
    return { code, ...captured };
  } finally {
    process.stdout.write = original.stdout;
    process.stderr.write = original.stderr;
  }
}

function scenarioFile(change: (scenario: any) => void): string {
  const scenario = JSON.parse(readFileSync(smallScenario, 'utf8'));
  change(scenario);
  const file = join(mkdtempSync(join(tmpdir(), 'sotp-plan-')), 'scenario.json');
  writeFileSync(file, JSON.stringify(scenario));
  return file;
}

test('sotp plan from Monday 4 January 2027 prints 84 sessions ending Tuesday 4 May over 18 ISO weeks', async () => {
  const { code, stdout } = await sotp('--programme', 'core-sotp', '--start', '2027-01-04', '--json');
  assert.equal(code, 0);
  const plan = JSON.parse(stdout);
  assert.equal(plan.programme, 'core-sotp');
  assert.equal(plan.version, 1);
  assert.deepEqual(plan.sessions[0], { number: 1, block: 1, date: '2027-01-04', start: '09:00', end: '11:30' });
  assert.equal(plan.sessions.length, 84);
  assert.deepEqual([plan.firstDate, plan.lastDate, plan.weeks], ['2027-01-04', '2027-05-04', 18]);
});

test('sotp plan honours weekdays, time, per-week and closures', async () => {
  const { code, stdout } = await sotp(
    '--start',
    '2027-01-04',
    '--weekdays',
    'tue,thu',
    '--time',
    '13:30',
    '--per-week',
    '2',
    '--closures',
    '2027-01-05',
    '--json',
  );
  assert.equal(code, 0);
  const plan = JSON.parse(stdout);
  assert.deepEqual(plan.sessions[0], { number: 1, block: 1, date: '2027-01-07', start: '13:30', end: '16:00' });
  assert.equal(plan.sessions[1].date, '2027-01-12');
});

for (const [args, field] of [
  [['--start', '2027-01-04', '--per-week', '6'], '--per-week'],
  [['--start', '2027-02-30'], '--start'],
  [['--start', '2027-01-04', '--weekdays', 'mon,funday'], '--weekdays'],
  [['--start', '2027-01-04', '--time', '25:00'], '--time'],
  [['--start', '2027-01-04', '--programme', 'no-such-programme'], '--programme'],
  [['--start', '2027-01-04', '--closures', '2027-13-01'], '--closures'],
] as const) {
  test(`bad ${field} exits 2 naming the field and prints nothing on stdout`, async () => {
    const { code, stdout, stderr } = await sotp(...args, '--json');
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`^sotp: ${field}: `));
  });
}

test('sotp plan --scenario prints sessions with room and two facilitators, and each group span', async () => {
  const { code, stdout } = await sotp('--scenario', smallScenario, '--json');
  assert.equal(code, 0);
  const solution = JSON.parse(stdout);
  assert.equal(solution.sessions.length, 84);
  const first = solution.sessions[0];
  assert.deepEqual(Object.keys(first), ['group', 'number', 'block', 'date', 'start', 'end', 'room', 'facilitators']);
  assert.equal(first.room, 'A1');
  assert.equal(first.facilitators.length, 2);
  assert.ok(!solution.sessions.some((s: { date: string }) => s.date === '2027-03-01'));
  assert.ok(!solution.sessions.some((s: { date: string; facilitators: string[] }) => s.date === '2027-02-01' && s.facilitators.includes('f1')));
  // 85 weekdays to 30 April, less Good Friday, Easter Monday and the closure: 82; then 3 May is a bank holiday.
  assert.deepEqual(solution.groups, [{ id: 'g1', firstDate: '2027-01-04', lastDate: '2027-05-05' }]);
  assert.deepEqual(solution.unscheduled, []);
});

test('sotp plan --scenario keeps the cover facilitator for days a named one cannot take, and honours supervision dates', async () => {
  const file = scenarioFile((s) => {
    s.groups[0].cover = ['f3'];
    s.facilitators[1].accreditations = [{ programme: 'core-sotp', accreditedOn: '2025-01-01', supervisionCurrentUntil: '2027-04-30' }];
  });
  const { code, stdout } = await sotp('--scenario', file, '--json');
  assert.equal(code, 0);
  const solution = JSON.parse(stdout);
  const withCover = solution.sessions.filter((s: { facilitators: string[] }) => s.facilitators.includes('f3'));
  // f1 is away on 1 February; f2's supervision ends on 30 April, so the cover takes the sessions of May.
  assert.deepEqual(
    withCover.map((s: { date: string }) => s.date),
    ['2027-02-01', '2027-05-04', '2027-05-05'],
  );
  assert.deepEqual(withCover[0].standIns, [{ cover: 'f3', for: 'f1', obstacle: { kind: 'unavailable', facilitator: 'f1' } }]);
  assert.deepEqual(withCover[1].standIns, [{ cover: 'f3', for: 'f2', obstacle: { kind: 'not-supervised', facilitator: 'f2' } }]);
});

for (const [change, message] of [
  [(s: any) => (s.groups[0].site = 'Z'), 'groups.0.site: unknown site "Z"'],
  [(s: any) => s.groups[0].team.push('f9'), 'groups.0.team.3: unknown facilitator "f9"'],
  [(s: any) => s.facilitators.push({ ...s.facilitators[1] }), 'facilitators.3.id: duplicate id "f2"'],
  [(s: any) => (s.groups[0].earliestStart = '2027-02-29'), 'groups.0.earliestStart: must be a real date'],
  [(s: any) => (s.sites[0].slots[0].weekday = 'funday'), 'sites.0.slots.0.weekday: '],
  [(s: any) => (s.programme = 'nope'), 'programme: unknown programme "nope"'],
  [(s: any) => (s.groups[0].cover = ['f9']), 'groups.0.cover.0: cover facilitator "f9" is not in the group\'s team'],
  [
    (s: any) => (s.facilitators[1].accreditations = [{ programme: 'core-sotp', accreditedOn: '2027-01-01', supervisionCurrentUntil: '2026-01-01' }]),
    'facilitators.1.accreditations.0.supervisionCurrentUntil: must be on or after accreditedOn',
  ],
] as const) {
  test(`a bad scenario exits 2: ${message}`, async () => {
    const { code, stdout, stderr } = await sotp('--scenario', scenarioFile(change), '--json');
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.ok(stderr.startsWith(`sotp: ${message}`), stderr);
  });
}
