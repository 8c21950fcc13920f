import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/connection.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
before(async () => {
  t = await startTestApp({ demo: true });
});
after(() => t.close());

const auditCount = async () => Number((await queryRows<{ n: string }>(t.database.db, sql`SELECT count(*) AS n FROM audit_log`))[0].n);
const userCount = async () => Number((await queryRows<{ n: string }>(t.database.db, sql`SELECT count(*) AS n FROM users`))[0].n);

test('an administrator creates a treatment manager for one site and can then see the account', async () => {
  const admin = t.client();
  await admin.signIn('admin');
  const form = await admin.get('/admin/users/new');
  const siteId = /name="siteIds" type="checkbox" value="(\d+)"/.exec(form.body)![1];
  const response = await admin.post('/admin/users', {
    username: 'TManager3',
    displayName: 'Terry Manager',
    role: 'treatment_manager',
    siteIds: siteId,
    password: 'a-long-enough-password',
  });
  assert.equal(response.statusCode, 303);
  const page = await admin.get(String(response.headers.location));
  assert.match(page.body, /tmanager3/, 'user names are stored in lower case');
  assert.match(page.body, /Treatment manager/);
  const newcomer = t.client();
  assert.equal((await newcomer.signIn('tmanager3', 'a-long-enough-password')).statusCode, 303);
});

test('an invalid new-user form names every wrong field and creates nothing', async () => {
  const admin = t.client();
  await admin.signIn('admin');
  await admin.get('/admin/users/new');
  const users = await userCount();
  const response = await admin.post('/admin/users', { username: '', displayName: '', password: 'short' });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(errorSummary(response.body), [
    'Enter a user name',
    'Enter the person’s full name',
    'Choose a role',
    'Password must be at least 12 characters',
  ]);
  assert.doesNotMatch(response.body, /value="short"/, 'the password is never echoed back');
  assert.equal(await userCount(), users);
});

test('a site-based role without a site is refused naming the sites field', async () => {
  const admin = t.client();
  await admin.signIn('admin');
  await admin.get('/admin/users/new');
  const response = await admin.post('/admin/users', { username: 'nosite', displayName: 'No Site', role: 'facilitator', password: 'a-long-enough-password' });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(errorSummary(response.body), ['Choose at least one site for this role']);
});

test('a duplicate user name is refused naming the user name field', async () => {
  const admin = t.client();
  await admin.signIn('admin');
  await admin.get('/admin/users/new');
  const response = await admin.post('/admin/users', { username: 'Manager', displayName: 'Copy', role: 'auditor', password: 'a-long-enough-password' });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(errorSummary(response.body), ['The user name manager is already taken']);
});

test('disabling a user from a stale page is a conflict, not a silent overwrite', async () => {
  const admin = t.client();
  await admin.signIn('admin');
  const list = await admin.get('/admin/users');
  const id = /href="\/admin\/users\/(\d+)">facilitator2</.exec(list.body)![1];
  const page = await admin.get(`/admin/users/${id}`);
  const version = /name="version" value="(\d+)"/.exec(page.body)![1];
  assert.equal((await admin.post(`/admin/users/${id}/disable`, { version })).statusCode, 303);
  const stale = await admin.post(`/admin/users/${id}/enable`, { version });
  assert.equal(stale.statusCode, 409);
  assert.match(stale.body, /changed by someone else/);
  assert.equal((await t.client().signIn('facilitator2')).statusCode, 400, 'a disabled user cannot sign in');
});

test('reading the user list is written to the audit log', async () => {
  const admin = t.client();
  await admin.signIn('admin');
  const before = await auditCount();
  await admin.get('/admin/users');
  const [last] = await queryRows<{ action: string; actor: string }>(t.database.db, sql`SELECT action, actor FROM audit_log ORDER BY seq DESC LIMIT 1`);
  assert.equal(await auditCount(), before + 1);
  assert.deepEqual(last, { action: 'user.list_viewed', actor: 'admin' });
});

test('no other role can open the administrator pages', async () => {
  for (const username of ['manager', 'assessor', 'facilitator', 'auditor', 'researcher']) {
    const client = t.client();
    await client.signIn(username);
    for (const url of ['/admin/users', '/admin/users/new', '/admin/sites']) {
      assert.equal((await client.get(url)).statusCode, 403, `${username} ${url}`);
    }
    assert.equal((await client.post('/admin/sites', { code: 'XYZ', name: 'HMP Sneaky' })).statusCode, 403);
  }
});

test('an administrator adds a site; a bad code is refused naming the field', async () => {
  const admin = t.client();
  await admin.signIn('admin');
  await admin.get('/admin/sites/new');
  const bad = await admin.post('/admin/sites', { code: 'toolong', name: 'HMP Elsewhere' });
  assert.deepEqual(errorSummary(bad.body), ['Site code must be 3 letters, like NGT']);
  const good = await admin.post('/admin/sites', { code: 'els', name: 'HMP Elsewhere' });
  assert.equal(good.statusCode, 303);
  assert.match((await admin.get('/admin/sites')).body, /<td class="govuk-table__cell">ELS<\/td>/);
});
