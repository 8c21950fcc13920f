// Fuzzing every form and API route from the real route table: NUL and control characters, ids the database
// cannot hold, long strings and wrong types. The rule: whatever is sent, the answer is never a server error.
// The seed is random each run and printed, so a failure can be replayed with FUZZ_SEED.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aRoleAllowedBy, callersFor, demoUserOf, type Caller } from '../support/access.js';
import { startTestApp, type TestApp } from '../support/web.js';

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const casesPerRoute = Number(process.env.FUZZ_CASES ?? 5);

// Field names the forms and API use, so fuzzed values reach the validation behind them, plus a few unknown ones.
const fieldNames = [
  'id',
  'version',
  'name',
  'code',
  'reason',
  'date',
  'date-day',
  'date-month',
  'date-year',
  'start',
  'status',
  'programmeId',
  'blocksCovered',
  'targetsCovered',
  'deviations',
  'incidents',
  'personId',
  'siteId',
  'siteIds',
  'roomId',
  'groupId',
  'sessionId',
  'memberId',
  'facilitatorId',
  'leadId',
  'coId',
  'coverId',
  'treatmentManagerId',
  'replacementId',
  'replacedId',
  'cohortImportId',
  'capacity',
  'earliestStart',
  'earliestStart-day',
  'earliestStart-month',
  'earliestStart-year',
  'slots',
  'weekday',
  'referrals',
  'prisonNumber',
  'givenName',
  'familyName',
  'dateOfBirth',
  'dateOfBirth-day',
  'dateOfBirth-month',
  'dateOfBirth-year',
  'sex',
  'iqScore',
  'offence',
  'category',
  'covariates',
  'outcome',
  'caliper',
  'ratio',
  'windowDays',
  'kind',
  'dataAsOf',
  'username',
  'displayName',
  'role',
  'q',
  'page',
  'sort',
  'order',
  'entries',
  'minutes',
  'notes',
  'comment',
  'seed',
  'unexpected',
];

const hostile = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '2147483648',
    '99999999999',
    '-1',
    '0',
    '1.5',
    '1e309',
    'NaN',
    'null',
    'true',
    '\r\n',
    '\u2028',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '2023-02-30',
    '31/12/2024',
    '9999-12-31',
    'A1234BC ',
    '=cmd|/c calc!A1',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.constant('x'.repeat(70_000)),
);
const value = fc.oneof({ weight: 4, arbitrary: hostile }, { weight: 1, arbitrary: fc.array(hostile, { maxLength: 3 }) });
const formBody = fc.dictionary(
  fc.constantFrom(...fieldNames),
  value.map((v) => (Array.isArray(v) ? v.map(String) : String(v))),
  { maxKeys: 8 },
);
const jsonBody = fc.oneof(
  fc.dictionary(
    fc.constantFrom(...fieldNames),
    fc.oneof(value, fc.constant(null), fc.boolean(), fc.dictionary(fc.string({ maxLength: 8 }), hostile, { maxKeys: 3 })),
    { maxKeys: 8 },
  ),
  fc.constantFrom(null, [], 'text', 42),
);
const idSegment = fc.oneof(fc.constantFrom('1', '2', '3'), fc.constantFrom('2147483648', '0', '-1', '1.5', 'abc', '%00'));

// Routes that end the caller's own session would only stop the run; they are tested on their own.
const skipped = /^\/(sign-out|sign-in|account\/sign-out-everywhere)$|\/disable$/;

let t: TestApp;
let callers: Map<string, Caller>;

before(async () => {
  t = await startTestApp({ demo: true });
  callers = await callersFor(t, Object.values(demoUserOf));
});
after(() => t.close());

/** A fuzzed query or body for a failure message: each value cut to 40 characters, with its length, so long strings do not bury the rest. */
function shortened(values: unknown): string {
  if (!values || typeof values !== 'object') return JSON.stringify(values);
  return JSON.stringify(Object.entries(values).map(([k, v]) => [k, JSON.stringify(v)?.slice(0, 40), JSON.stringify(v)?.length]));
}

test(`no fuzzed form, filter or API call gets a server error (seed ${seed})`, async () => {
  const routes = t.routeTable.filter(
    (r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && r.access !== 'public' && !skipped.test(r.url) && !r.url.startsWith('/assets'),
  );
  const failures: string[] = [];
  let requests = 0;
  let routeIndex = 0;
  for (const route of routes) {
    routeIndex++;
    const { client, token } = callers.get(demoUserOf[aRoleAllowedBy(route.access)])!;
    const api = route.url.startsWith('/api/');
    const cases = fc.sample(fc.tuple(idSegment, api ? jsonBody : formBody, formBody), { seed: seed + routeIndex, numRuns: casesPerRoute });
    for (const [id, body, query] of cases) {
      const path = route.url.replace(/:\w+/g, id);
      const queryString = new URLSearchParams(query as Record<string, string>).toString();
      const url = route.method === 'GET' ? `${path}?${queryString}` : path;
      let status: number;
      if (api) {
        const response = await t.app.inject({
          method: route.method as 'GET',
          url,
          headers: { authorization: `Bearer ${token}`, ...(route.method === 'GET' ? {} : { 'content-type': 'application/json' }) },
          ...(route.method === 'GET' ? {} : { payload: JSON.stringify(body) }),
        });
        status = response.statusCode;
      } else if (route.method === 'GET') {
        status = (await client.get(url)).statusCode;
      } else {
        status = (await client.post(url, body as Record<string, string | string[]>)).statusCode;
        await client.get('/'); // a fresh CSRF token for the next form
      }
      requests++;
      if (status >= 500) failures.push(`${route.method} ${route.url} → ${status}: ${path} query ${shortened(query)} body ${shortened(body)}`);
    }
  }
  console.log(`fuzz: ${requests} requests over ${routes.length} routes (seed ${seed}, ${casesPerRoute} cases a route), ${failures.length} server errors`);
  assert.deepEqual(failures, []);
});
