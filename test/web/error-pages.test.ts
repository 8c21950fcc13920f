import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, gt } from 'drizzle-orm';
import { groupSessions, people, programmeGroups, sites } from '../../src/db/schema.js';
import { londonToday } from '../../src/services/scheduling.js';
import { startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
let ngtGroup: number;
let ngtPerson: number;
const origin = 'http://localhost';

before(async () => {
  t = await startTestApp({ demo: true });
  const db = t.database.db;
  const [{ id: ngt }] = await db.select({ id: sites.id }).from(sites).where(eq(sites.code, 'NGT'));
  [{ id: ngtGroup }] = await db.select({ id: programmeGroups.id }).from(programmeGroups).where(eq(programmeGroups.siteId, ngt)).limit(1);
  [{ id: ngtPerson }] = await db.select({ id: people.id }).from(people).where(eq(people.siteId, ngt)).limit(1);
});
after(() => t.close());

/** The links an error page offers, as [text, href]. */
function links(html: string): Array<[string, string]> {
  const main = /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '';
  return [...main.matchAll(/<a href="([^"]*)" class="govuk-link">([^<]*)<\/a>/g)].map((m) => [m[2], m[1]]);
}

function text(html: string): string {
  return (/<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&rsquo;/g, '’')
    .replace(/\s+/g, ' ');
}

test('a conflict page says someone else changed the record and links back to reload the page the change was made from', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const [session] = await t.database.db
    .select()
    .from(groupSessions)
    .where(and(eq(groupSessions.groupId, ngtGroup), eq(groupSessions.status, 'scheduled'), gt(groupSessions.sessionDate, londonToday())))
    .limit(1);
  const form = `/groups/${ngtGroup}/sessions/${session.id}/cancel`;
  await manager.get(form);
  const stale = await manager.post(form, { version: String(session.version + 1), reason: 'Staff training', cause: 'staff' }, { referer: `${origin}${form}` });
  assert.equal(stale.statusCode, 409);
  assert.match(text(stale.body), /Someone else changed this record/);
  assert.match(text(stale.body), /Reload the page to see their change, then make yours again/);
  assert.deepEqual(links(stale.body)[0], ['Reload the page and make your change again', form]);
});

test('an error from a form with no page of its own (a catch-up outcome) links to the record it belongs to', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  await manager.get(`/groups/${ngtGroup}`);
  // Without a Referer (a browser may send none) the page above the address is used: the group.
  const bad = await manager.post(`/groups/${ngtGroup}/catch-ups/not-a-number/outcome`, { outcome: 'delivered' });
  assert.equal(bad.statusCode, 400);
  assert.match(text(bad.body), /Catch-up id must be a positive whole number/);
  assert.deepEqual(links(bad.body)[0], ['Go to the page this belongs to', `/groups/${ngtGroup}`]);
});

test('a missing page links back to the page the person came from, never to another site', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const fromOurs = await manager.get('/groups/99999', { referer: `${origin}/groups` });
  assert.equal(fromOurs.statusCode, 404);
  assert.deepEqual(links(fromOurs.body)[0], ['Go back to the page you were on', '/groups']);
  const fromElsewhere = await manager.get('/groups/99999', { referer: 'https://elsewhere.example/groups' });
  assert.ok(!fromElsewhere.body.includes('elsewhere.example'));
  assert.deepEqual(links(fromElsewhere.body)[0], ['Go to the page this belongs to', '/groups']);
});

test('a treatment manager refused a record at another site is told to ask an administrator for the site, not to ask a manager', async () => {
  const manager2 = t.client();
  await manager2.signIn('manager2');
  for (const url of [`/groups/${ngtGroup}`, `/people/${ngtPerson}`]) {
    const refused = await manager2.get(url);
    assert.equal(refused.statusCode, 403, url);
    assert.match(text(refused.body), /This record belongs to a site you are not assigned to\. Ask an administrator to add the site to your account\./, url);
    assert.doesNotMatch(text(refused.body), /treatment manager/i, url);
  }
});

test('a treatment manager refused a page for another role is told who it is for and to ask an administrator', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const refused = await manager.get('/admin/users');
  assert.equal(refused.statusCode, 403);
  assert.match(text(refused.body), /This page is for administrators\./);
  assert.match(text(refused.body), /ask an administrator to change your account/);
  assert.doesNotMatch(text(refused.body), /ask your treatment manager/i);
});

test('a facilitator refused a page may ask their treatment manager or an administrator', async () => {
  const facilitator = t.client();
  await facilitator.signIn('facilitator');
  const refused = await facilitator.get('/evaluations');
  assert.equal(refused.statusCode, 403);
  assert.match(
    text(refused.body),
    /This page is for administrators, auditors and researchers\. If your work needs it, ask your treatment manager or an administrator\./,
  );
});
