import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { queryRows } from '../../src/db/connection.js';
import { cohortImportChunks, cohortImportProgress, people, reconvictions, referrals } from '../../src/db/schema.js';
import { type Actor } from '../../src/services/access.js';
import {
  cohortTextOf,
  getCohortImportProgress,
  importCohortFile,
  queueCohortImport,
  runCohortImport,
  type CohortText,
} from '../../src/services/cohort-imports.js';
import { AccessDenied, ValidationFailed } from '../../src/services/errors.js';
import { getEvaluationRun, runEvaluation } from '../../src/services/evaluations.js';
import { pseudonymFor } from '../../src/services/pseudonyms.js';
import { importReconvictions } from '../../src/services/reconvictions.js';
import { testDatabase } from '../support/database.js';
import { assertClose, type Golden } from '../unit/evaluation/golden.js';

const key = 'test-pseudonym-key-test-pseudonym-key';
const fixture = readFileSync(new URL('../fixtures/evaluation/friendship2003.csv', import.meta.url), 'utf8');
let database: Database;
let researcher: Actor;
let administrator: Actor;

before(async () => {
  database = await testDatabase({ demo: true });
  const ids = await queryRows<{ id: number; username: string }>(database.db, sql`SELECT id, username FROM users WHERE username IN ('researcher', 'admin')`);
  const id = (name: string) => ids.find((r) => r.username === name)!.id;
  researcher = { userId: id('researcher'), username: 'researcher', role: 'researcher', siteIds: [] };
  administrator = { userId: id('admin'), username: 'admin', role: 'administrator', siteIds: [] };
});
after(() => database.close());

const countRows = async (table: string) => Number((await queryRows<{ n: string }>(database.db, sql.raw(`SELECT count(*) AS n FROM ${table}`)))[0].n);

test('a cohort imported and evaluated through the service gives R’s answer: MatchIt’s matched counts, survival’s hazard ratio and log-rank test', async () => {
  // The R golden for this file (scripts/goldens.ts; CI writes it afresh from a random seed).
  const golden = JSON.parse(readFileSync(new URL('../fixtures/evaluation/friendship2003.golden.json', import.meta.url), 'utf8')) as Golden;
  const o = golden.options;
  const { cohortImport } = await importCohortFile(database.db, researcher, { kind: 'cohort', fileName: 'friendship2003.csv', content: fixture });
  const run = await runEvaluation(
    database.db,
    researcher,
    'core-sotp',
    {
      cohortImportId: cohortImport.id,
      covariates: o.covariates,
      outcome: o.outcome,
      windowDays: o.window,
      caliper: o.caliper,
      ratio: o.ratio,
      replace: o.replace ? 'true' : undefined,
    },
    { pseudonymKey: key },
  );
  const stored = await getEvaluationRun(database.db, researcher, run.id);
  assert.equal(stored.inputs.cohortSha256, createHash('sha256').update(fixture).digest('hex'));
  assert.deepEqual(stored.settings.covariates, o.covariates);
  assert.deepEqual(stored.result.counts, golden.counts);
  const { cox, logRank } = stored.result.survival;
  assertClose(cox.hazardRatio, golden.coxph.hr, 1e-6, 'hazard ratio');
  assertClose(cox.ci95[0], golden.coxph.lower, 1e-6, 'hazard ratio, lower 95% limit');
  assertClose(cox.ci95[1], golden.coxph.upper, 1e-6, 'hazard ratio, upper 95% limit');
  assertClose(logRank.chisq, golden.survdiff.chisq, 1e-6, 'log-rank chi-square');
  assertClose(logRank.p, golden.survdiff.p, 1e-6, 'log-rank p');
});

test('importing the same cohort file twice changes nothing', async () => {
  const before = await countRows('cohort_imports');
  const again = await importCohortFile(database.db, researcher, { kind: 'cohort', fileName: 'copy.csv', content: fixture });
  assert.equal(again.alreadyImported, true);
  assert.equal(await countRows('cohort_imports'), before);
});

test('a cohort file with bad rows is refused whole, naming each bad line, and nothing is stored', async () => {
  const lines = fixture.trim().split('\n');
  lines[3] = lines[3].replace(/^(P\d+),[01],/, '$1,2,');
  lines[7] = lines[7].replace(/,\d{4}-\d{2}-\d{2},/, ',1993-02-30,');
  const before = await countRows('cohort_imports');
  await assert.rejects(importCohortFile(database.db, researcher, { kind: 'cohort', fileName: 'bad.csv', content: lines.join('\n') }), (e: unknown) => {
    assert.ok(e instanceof ValidationFailed);
    const messages = e.errors.map((x) => x.message).join('\n');
    assert.match(messages, /Line 4, treated/);
    assert.match(messages, /Line 8, release_date/);
    return true;
  });
  assert.equal(await countRows('cohort_imports'), before);
});

test('a cohort import stopped part-way through storing its file changes nothing: the pieces staged so far are removed', async () => {
  // Another file (a column more), big enough to be stored in several pieces of about a megabyte.
  const lines = fixture.trim().split('\n');
  const big = [`${lines[0]},padding`, ...lines.slice(1).map((l) => `${l},0.${'1'.repeat(600)}`)].join('\n');
  const stop = new AbortController();
  const whole = cohortTextOf(big);
  // The second reading of the file is the storing one: stop the import after its first stored piece.
  let readings = 0;
  const text: CohortText = async function* (size) {
    readings++;
    for await (const piece of whole(size)) {
      yield piece;
      if (readings === 2) stop.abort();
    }
  };
  const imports = await countRows('cohort_imports');
  const queued = await queueCohortImport(database.db, researcher, { kind: 'cohort', fileName: 'stopped.csv', bytes: big.length });
  const outcome = await runCohortImport(database.db, researcher, queued.id, text, stop.signal);
  assert.equal(outcome.status, 'failed');
  assert.match(outcome.problems[0].message, /stopped/);
  assert.equal(await countRows('cohort_imports'), imports);
  assert.equal(
    Number((await queryRows<{ n: string }>(database.db, sql`SELECT count(*) AS n FROM cohort_import_chunks WHERE upload_id = ${queued.id}`))[0].n),
    0,
  );
});

test('an import whose server died mid-import is ended when its page is next read: nothing imported, its staged pieces removed', async () => {
  // What a kill -9 while storing leaves: an upload still "storing" with a piece staged, and nobody running it.
  const queued = await queueCohortImport(database.db, researcher, { kind: 'cohort', fileName: 'orphaned.csv', bytes: 10 });
  const startedAt = new Date();
  await database.db.update(cohortImportProgress).set({ status: 'storing', updatedAt: startedAt }).where(eq(cohortImportProgress.id, queued.id));
  await database.db.insert(cohortImportChunks).values({ uploadId: queued.id, seq: 0, content: 'person_ref,treated\n' });
  const staged = async () =>
    Number((await queryRows<{ n: string }>(database.db, sql`SELECT count(*) AS n FROM cohort_import_chunks WHERE upload_id = ${queued.id}`))[0].n);

  const fourMinutesOn = await getCohortImportProgress(database.db, researcher, queued.id, new Date(startedAt.getTime() + 4 * 60_000));
  assert.equal(fourMinutesOn.status, 'storing', 'an import that moved four minutes ago may still be running');
  assert.equal(await staged(), 1);

  const sixMinutesOn = await getCohortImportProgress(database.db, researcher, queued.id, new Date(startedAt.getTime() + 6 * 60_000));
  assert.equal(sixMinutesOn.status, 'failed');
  assert.match(sixMinutesOn.problems[0].message, /stopped part-way/);
  assert.equal(await staged(), 0);
});

test('a valid cohort that cannot be analysed as asked is bad input naming the covariate or the arm, and no run is stored', async () => {
  // The fixture's rows with one more column that is the same for every man.
  const lines = fixture
    .trim()
    .split('\n')
    .map((line, i) => `${line},${i === 0 ? 'site_code' : '7'}`);
  const { cohortImport } = await importCohortFile(database.db, researcher, { kind: 'cohort', fileName: 'constant.csv', content: lines.join('\n') });
  const runs = await countRows('evaluation_runs');
  await assert.rejects(
    runEvaluation(
      database.db,
      researcher,
      'core-sotp',
      { cohortImportId: cohortImport.id, covariates: ['age_at_release', 'site_code'], outcome: 'sexual_violent' },
      { pseudonymKey: key },
    ),
    (e: unknown) => {
      assert.ok(e instanceof ValidationFailed);
      assert.deepEqual(
        e.errors.map((x) => x.field),
        ['covariates'],
      );
      assert.match(e.errors[0].message, /^Covariate site_code has the same value \(7\) for every man/);
      return true;
    },
  );
  const treatedOnly = [lines[0], ...lines.slice(1).filter((l) => /^[^,]+,1,/.test(l))];
  const { cohortImport: oneArm } = await importCohortFile(database.db, researcher, {
    kind: 'cohort',
    fileName: 'treated-only.csv',
    content: treatedOnly.join('\n'),
  });
  await assert.rejects(
    runEvaluation(
      database.db,
      researcher,
      'core-sotp',
      { cohortImportId: oneArm.id, covariates: ['age_at_release'], outcome: 'sexual_violent' },
      { pseudonymKey: key },
    ),
    (e: unknown) => {
      assert.ok(e instanceof ValidationFailed);
      assert.deepEqual(
        e.errors.map((x) => x.field),
        ['cohortImportId'],
      );
      assert.match(e.errors[0].message, /no comparison men/);
      return true;
    },
  );
  assert.equal(await countRows('evaluation_runs'), runs);
});

test('a comparison pool may hold untreated men only', async () => {
  await assert.rejects(importCohortFile(database.db, researcher, { kind: 'comparison', fileName: 'mixed.csv', content: fixture }), (e: unknown) => {
    assert.ok(e instanceof ValidationFailed);
    assert.match(e.errors[0].message, /^Line \d+, treated: a comparison pool holds untreated men only/);
    return true;
  });
});

test('a cohort file holding prison numbers instead of pseudonyms is refused', async () => {
  const leaky = fixture.replace(/\nP0001,/, '\nA1234BC,');
  await assert.rejects(
    importCohortFile(database.db, researcher, { kind: 'cohort', fileName: 'leaky.csv', content: leaky }),
    (e: unknown) => e instanceof ValidationFailed && /person_ref: looks like a prison number/.test(e.errors[0].message),
  );
});

test('a prison number with padding inside quotes is refused as a pseudonym in cohort and reconviction files', async () => {
  const leaky = fixture.replace(/\nP0001,/, '\n"A1234BC ",');
  await assert.rejects(
    importCohortFile(database.db, researcher, { kind: 'cohort', fileName: 'leaky.csv', content: leaky }),
    (e: unknown) => e instanceof ValidationFailed && /person_ref: looks like a prison number/.test(e.errors[0].message),
  );
  const reconvictionFile = 'person_ref,outcome,offence_date\n"A1234BC ",sexual,2024-01-05\n';
  await assert.rejects(
    importReconvictions(database.db, researcher, { fileName: 'r.csv', content: reconvictionFile, dataAsOf: '2024-12-31' }, key),
    (e: unknown) => e instanceof ValidationFailed && e.errors[0].message === 'Line 2, person_ref: must be a pseudonym, not empty and not a prison number',
  );
});

test('CSV that cannot be read (an unclosed quote, a NUL in a cell) is refused with its line number, in cohort and reconviction files', async () => {
  const lines = fixture.split('\n');
  const unclosed = [...lines.slice(0, 3), lines[3].replace(/^P(\d+),/, '"P$1,'), ...lines.slice(4)].join('\n');
  const withNul = [...lines.slice(0, 5), lines[5].replace(',', ',\u0000'), ...lines.slice(6)].join('\n');
  const refusal = async (content: string) => {
    try {
      await importCohortFile(database.db, researcher, { kind: 'cohort', fileName: 'broken.csv', content });
    } catch (e) {
      assert.ok(e instanceof ValidationFailed, String(e));
      return e.errors.map((x) => x.message);
    }
    assert.fail('accepted');
  };
  assert.deepEqual(await refusal(unclosed), ['Line 4, file: a quoted cell starts here and is never closed']);
  assert.deepEqual(await refusal(withNul), ['Line 6, file: holds a NUL character, which cannot be stored: remove it']);
  const reconvictionRefusal = async (content: string) => {
    try {
      await importReconvictions(database.db, researcher, { fileName: 'r.csv', content, dataAsOf: '2024-12-31' }, key);
    } catch (e) {
      assert.ok(e instanceof ValidationFailed, String(e));
      return e.errors.map((x) => x.message);
    }
    assert.fail('accepted');
  };
  assert.deepEqual(await reconvictionRefusal('person_ref,outcome,offence_date\nPa,sexual,2024-01-05\n"Pb,sexual,2024-01-06\n'), [
    'Line 3, file: a quoted cell starts here and is never closed',
  ]);
  assert.deepEqual(await reconvictionRefusal('person_ref,outcome,offence_date\nPa,sexual,2024-01-05\nPb\u0000,sexual,2024-01-06\n'), [
    'Line 3, file: holds a NUL character, which cannot be stored: remove it',
  ]);
});

test('researchers may not import reconvictions by prison number; administrators may, and only pseudonyms are stored', async () => {
  const csv = 'prison_number,outcome,offence_date\nA1111AA,sexual,2025-03-01\nb2222bb,sexual,2025-06-01\n';
  await assert.rejects(importReconvictions(database.db, researcher, { fileName: 'r.csv', content: csv, dataAsOf: '2026-01-31' }, key), ValidationFailed);
  const result = await importReconvictions(database.db, administrator, { fileName: 'r.csv', content: csv, dataAsOf: '2026-01-31' }, key);
  assert.deepEqual({ rows: result.rows, newRows: result.newRows, alreadyImported: result.alreadyImported }, { rows: 2, newRows: 2, alreadyImported: false });
  const stored = await database.db.select().from(reconvictions).where(eq(reconvictions.importId, result.importId));
  assert.deepEqual(stored.map((r) => r.personRef).sort(), [pseudonymFor('A1111AA', key), pseudonymFor('B2222BB', key)].sort());
  assert.ok(stored.every((r) => !/[A-Z]\d{4}[A-Z]{2}/.test(r.personRef)));
});

test('reconviction imports are idempotent: the same file does nothing and a later extract adds only new records', async () => {
  const first = 'person_ref,outcome,offence_date\nPabc,sexual,2024-01-05\nPdef,violent,2024-02-05\n';
  await importReconvictions(database.db, researcher, { fileName: 'a.csv', content: first, dataAsOf: '2024-12-31' }, key);
  const same = await importReconvictions(database.db, researcher, { fileName: 'a.csv', content: first, dataAsOf: '2024-12-31' }, key);
  assert.equal(same.alreadyImported, true);
  const later = await importReconvictions(
    database.db,
    researcher,
    { fileName: 'b.csv', content: `${first}Pghi,sexual,2025-01-05\n`, dataAsOf: '2025-12-31' },
    key,
  );
  assert.deepEqual([later.rows, later.newRows], [3, 1]);
});

test('a reconviction file with any bad row is refused whole with line numbers', async () => {
  const before = await countRows('reconvictions');
  const csv = 'person_ref,outcome,offence_date\nPok,sexual,2024-01-05\nPbad,Sexual!,2024-13-01\nPlate,sexual,2030-01-01\n';
  await assert.rejects(importReconvictions(database.db, researcher, { fileName: 'bad.csv', content: csv, dataAsOf: '2025-12-31' }, key), (e: unknown) => {
    assert.ok(e instanceof ValidationFailed);
    assert.deepEqual(
      e.errors.map((x) => x.message),
      [
        'Line 3, outcome: must be lower-case letters, digits and underscores, like sexual',
        'Line 3, offence_date: must be a real date in the form YYYY-MM-DD',
        'Line 4, offence_date: is after the date the data runs to (2025-12-31)',
      ],
    );
    return true;
  });
  assert.equal(await countRows('reconvictions'), before);
});

test('the programme’s own completers are matched against a comparison pool, by pseudonym, with their reconvictions', async () => {
  // Give the demo men who completed the programme a release date inside the reconviction data, and reconvict one.
  const completers = await database.db
    .select({ id: people.id, prisonNumber: people.prisonNumber })
    .from(referrals)
    .innerJoin(people, eq(people.id, referrals.personId))
    .where(and(eq(referrals.programmeId, 'core-sotp'), eq(referrals.status, 'programme_complete')));
  assert.ok(completers.length >= 1, 'the demo data has men who completed the programme');
  for (const man of completers) await database.db.update(people).set({ earliestReleaseDate: '2021-04-01' }).where(eq(people.id, man.id));
  await importReconvictions(
    database.db,
    administrator,
    {
      fileName: 'national.csv',
      content: `prison_number,outcome,offence_date\n${completers[0].prisonNumber},sexual_violent,2022-01-10\n`,
      dataAsOf: '2026-06-30',
    },
    key,
  );
  const pool = ['person_ref,treated,release_date,end_of_followup,risk_band,age_at_release,prior_sexual,sexual_violent_reoffence_date'];
  for (let i = 0; i < 60; i++) pool.push(`C${i},0,2021-0${1 + (i % 9)}-15,2026-06-30,medium,${25 + (i % 30)},${i % 3},${i % 7 === 0 ? '2023-05-05' : ''}`);
  const { cohortImport } = await importCohortFile(database.db, researcher, { kind: 'comparison', fileName: 'pool.csv', content: pool.join('\n') });
  const run = await runEvaluation(
    database.db,
    researcher,
    'core-sotp',
    { cohortImportId: cohortImport.id, covariates: ['age_at_release', 'prior_sexual'], outcome: 'sexual_violent', noMatch: 'true' },
    { pseudonymKey: key },
  );
  assert.equal(run.result.counts.treated, completers.length);
  assert.equal(run.result.counts.comparison, 60);
  assert.equal(run.inputs.reconvictionsAsOf, '2026-06-30');
  const km = JSON.stringify(run.result);
  for (const man of completers) assert.ok(!km.includes(man.prisonNumber), 'no prison number in a stored run');
});

test('a comparison run may only use covariates the programme’s records provide', async () => {
  const pool = 'person_ref,treated,release_date,end_of_followup,shoe_size,sexual_reoffence_date\nC1,0,2020-01-01,2025-01-01,9,\n';
  const { cohortImport } = await importCohortFile(database.db, researcher, { kind: 'comparison', fileName: 'shoes.csv', content: pool });
  await assert.rejects(
    runEvaluation(
      database.db,
      researcher,
      'core-sotp',
      { cohortImportId: cohortImport.id, covariates: ['shoe_size'], outcome: 'sexual' },
      { pseudonymKey: key },
    ),
    (e: unknown) => e instanceof ValidationFailed && e.errors[0].field === 'covariates',
  );
});

test('only researchers and administrators import and run; auditors read; others are refused', async () => {
  for (const role of ['treatment_manager', 'assessor', 'facilitator'] as const) {
    const actor: Actor = { userId: 1, username: role, role, siteIds: [1] };
    await assert.rejects(importCohortFile(database.db, actor, { kind: 'cohort', fileName: 'x.csv', content: fixture }), AccessDenied);
    await assert.rejects(getEvaluationRun(database.db, actor, 1), AccessDenied);
  }
  const auditor: Actor = { userId: 1, username: 'auditor', role: 'auditor', siteIds: [] };
  await assert.rejects(runEvaluation(database.db, auditor, 'core-sotp', {}, { pseudonymKey: key }), AccessDenied);
});
