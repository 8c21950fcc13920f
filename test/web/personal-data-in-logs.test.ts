// Logs never hold personal data: a request whose query fails in the database is logged by error class,
// SQLSTATE and constraint — never the query's parameters, the constraint's values or the error's message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/connection.js';
import { people } from '../../src/db/schema.js';
import { loadProgrammeDefinitions } from '../../src/programme-files.js';
import { packageVersion } from '../../src/runtime.js';
import { buildApp } from '../../src/web/app.js';
import { demoPassword, testDatabase } from '../support/database.js';

const lines: string[] = [];
let app: FastifyInstance;
let database: Database;
const sent = { prisonNumber: 'Z9876QX', givenName: 'Aloysius', familyName: 'Pemberton-Quayle', dateOfBirth: '1977-02-30' };

before(async () => {
  database = await testDatabase({ demo: true });
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', SOTP_DEMO_PASSWORD: demoPassword });
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  ({ app } = await buildApp({ database, config, programmes: loadProgrammeDefinitions(), version: packageVersion }, { logStream }));
  // A route whose query fails in the database with personal values among its parameters (30 February is no date),
  // standing in for any defect that lets such a query through.
  app.get('/test/failing-insert', { config: { access: 'public' } }, async () => {
    await database.db.insert(people).values({ ...sent, sex: 'male', siteId: 1 });
    return 'unreachable';
  });
  await app.ready();
});
after(async () => {
  await app.close();
  await database.close();
});

test('a database error is logged without the values the request sent: no prison number, name or date of birth', async () => {
  const response = await app.inject({ method: 'GET', url: '/test/failing-insert' });
  assert.equal(response.statusCode, 500);
  const log = lines.join('');
  const errorLine = lines.find((l) => l.includes('unhandled error'));
  assert.ok(errorLine, 'the failure is logged');
  const entry = JSON.parse(errorLine);
  assert.equal(entry.err.code, '22008', 'the SQLSTATE is logged');
  assert.equal(entry.url, '/test/failing-insert', 'the route is logged');
  for (const value of Object.values(sent)) assert.equal(log.includes(value), false, `the log holds ${value}`);
  assert.equal(/Failed query|params:/.test(log), false);
});
