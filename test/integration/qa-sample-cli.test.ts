// `sotp qa sample`, run as a user runs it: the exact JSON contract, the same arguments giving the same sample, exit 1
// when the period holds fewer recordings than the sample, and exit 2 naming the flag for bad arguments.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq, inArray } from 'drizzle-orm';
import { openDatabase } from '../../src/db/connection.js';
import { groupSessions, recordings, sessionFacilitators, sites } from '../../src/db/schema.js';
import { createGroup } from '../../src/services/groups/planning.js';
import { cliDatabaseEnv } from '../support/database.js';
import { buildEstate, groupForm, liveSessions, testToday } from '../support/groups.js';
import { runCli } from '../support/run-cli.js';

let env: Record<string, string>;
let cleanup: () => Promise<void>;
let siteCode: string;
/** The recorded sessions: the group's first fourteen (blocks 1 to 3), one recording each. */
let recorded: Array<{ id: number; sessionId: number; groupId: number; block: number; date: string; facilitators: number[] }>;

before(async () => {
  ({ env, cleanup } = await cliDatabaseEnv());
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.DATA_DIR });
  try {
    const estate = await buildEstate(database.db);
    [{ code: siteCode }] = await database.db.select({ code: sites.code }).from(sites).where(eq(sites.id, estate.siteA));
    const group = await createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate), testToday);
    const sessions = (await liveSessions(database.db, group.id)).slice(0, 14);
    const links = await database.db
      .select()
      .from(sessionFacilitators)
      .where(
        inArray(
          sessionFacilitators.sessionId,
          sessions.map((s) => s.id),
        ),
      );
    recorded = [];
    for (const [i, s] of sessions.entries()) {
      const [row] = await database.db
        .insert(recordings)
        .values({
          sessionId: s.id,
          uploadedBy: estate.f.f1.userId!,
          storedName: `${(i + 1).toString(16).padStart(32, 'c')}.mp4`,
          bytes: 2000,
          sha256: 'f'.repeat(64),
          durationMs: 90_000,
          format: 'mp4',
          mediaType: 'video/mp4',
        })
        .returning({ id: recordings.id });
      const [stored] = await database.db.select().from(groupSessions).where(eq(groupSessions.id, s.id));
      recorded.push({
        id: row.id,
        sessionId: s.id,
        groupId: group.id,
        block: stored.block,
        date: stored.sessionDate,
        facilitators: links
          .filter((l) => l.sessionId === s.id)
          .map((l) => l.userId)
          .sort((a, b) => a - b),
      });
    }
  } finally {
    await database.close();
  }
});
after(() => cleanup());

const sample = (extra: string[], from = recorded[0].date, to = recorded[13].date) =>
  runCli(['qa', 'sample', '--site', siteCode, '--programme', 'core-sotp', '--from', from, '--to', to, ...extra], { env });

test('sotp qa sample --json prints the seed, the frame size and each recording with its session, group, block, date and facilitators', async () => {
  const run = await sample(['--seed', '42', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^\{.*\}\n$/, 'one line of JSON');
  const printed = JSON.parse(run.stdout);
  assert.deepEqual(Object.keys(printed), ['seed', 'frame', 'recordings']);
  assert.equal(printed.seed, 42);
  assert.equal(printed.frame, 14);
  assert.equal(printed.recordings.length, 3);
  for (const r of printed.recordings) {
    assert.deepEqual(Object.keys(r), ['id', 'sessionId', 'groupId', 'block', 'date', 'facilitators']);
    assert.deepEqual(
      r,
      recorded.find((x) => x.id === r.id),
      `recording ${r.id} as stored`,
    );
  }
  assert.equal(new Set(printed.recordings.map((r: { block: number }) => r.block)).size, 3, 'three different blocks of the one group');
});

test('sotp qa sample gives the same sample for the same arguments, and the seed decides it', async () => {
  const first = await sample(['--seed', '7', '--json']);
  const again = await sample(['--seed', '7', '--json']);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(again.stdout, first.stdout);
  // One after another: an embedded database folder opens in one process at a time.
  const seeds = [];
  for (const seed of ['8', '9', '10', '11']) seeds.push(await sample(['--seed', seed, '--json']));
  const differing = seeds.filter(
    (run) =>
      JSON.parse(run.stdout)
        .recordings.map((r: { id: number }) => r.id)
        .join() !==
      JSON.parse(first.stdout)
        .recordings.map((r: { id: number }) => r.id)
        .join(),
  );
  assert.ok(differing.length > 0, 'some other seed draws another sample');
});

test('sotp qa sample exits 1 saying so when the period holds fewer recordings than the sample', async () => {
  const run = await sample(['--seed', '1', '--json'], recorded[0].date, recorded[1].date);
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /2 recordings of sessions in the period, fewer than the 3 the sample needs/);
  const more = await sample(['--seed', '1', '--count', '15', '--json']);
  assert.equal(more.code, 1);
  assert.match(more.stderr, /14 recordings .* fewer than the 15/);
});

test('sotp qa sample exits 2 naming the flag for bad arguments', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--seed', 'abc'], /--seed: The seed must be a whole number from 0 to 4294967295/],
    [['--seed', '4294967296'], /--seed: /],
    [['--seed', '1', '--count', '2'], /--count: An audit of this programme samples at least 3 recordings/],
    [['--seed', '1', '--count', 'x'], /--count: /],
  ];
  for (const [extra, message] of cases) {
    const run = await sample(extra);
    assert.equal(run.code, 2, `${extra.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stdout, '');
  }
  const backwards = await sample(['--seed', '1'], recorded[13].date, recorded[0].date);
  assert.equal(backwards.code, 2);
  assert.match(backwards.stderr, /--to: The last day of the period must be the same as or after the first day/);
  const badDay = await sample(['--seed', '1'], '2027-02-30');
  assert.match(badDay.stderr, /--from: First day of the period must be a real date/);
  const site = await runCli(['qa', 'sample', '--site', 'ZZZ', '--programme', 'core-sotp', '--from', '2027-01-01', '--to', '2027-02-01', '--seed', '1'], {
    env,
  });
  assert.equal(site.code, 2);
  assert.match(site.stderr, /--site: There is no site with the code ZZZ/);
  const programme = await runCli(['qa', 'sample', '--site', siteCode, '--programme', 'nope', '--from', '2027-01-01', '--to', '2027-02-01', '--seed', '1'], {
    env,
  });
  assert.equal(programme.code, 2);
  assert.match(programme.stderr, /--programme: There is no programme "nope"/);
  const noSeed = await runCli(['qa', 'sample', '--site', siteCode, '--programme', 'core-sotp', '--from', '2027-01-01', '--to', '2027-02-01'], { env });
  assert.equal(noSeed.code, 2);
  assert.match(noSeed.stderr, /--seed/);
});
