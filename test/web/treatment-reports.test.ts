import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, isNull } from 'drizzle-orm';
import { groupFacilitators, groupMembers, programmeGroups, sites, users } from '../../src/db/schema.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
let memberId: number;
let groupId: number;
before(async () => {
  t = await startTestApp({ demo: true });
  const db = t.database.db;
  // A current member of a Northgate group whose team the demo facilitator is in.
  const [{ id: facilitatorId }] = await db.select({ id: users.id }).from(users).where(eq(users.username, 'facilitator'));
  const [row] = await db
    .select({ memberId: groupMembers.id, groupId: programmeGroups.id })
    .from(groupMembers)
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupMembers.groupId))
    .innerJoin(sites, eq(sites.id, programmeGroups.siteId))
    .innerJoin(groupFacilitators, eq(groupFacilitators.groupId, programmeGroups.id))
    .where(and(eq(sites.code, 'NGT'), eq(groupFacilitators.userId, facilitatorId), isNull(groupMembers.leftAt)))
    .limit(1);
  ({ memberId, groupId } = row);
});
after(() => t.close());

test('the group page links each man to his end-of-treatment report', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const page = await manager.get(`/groups/${groupId}`);
  assert.match(page.body, new RegExp(`href="/group-members/${memberId}/report"`));
});

test('a facilitator writes the summary through the form: saved, answered 303 to the report, which shows it', async () => {
  const facilitator = t.client();
  await facilitator.signIn('facilitator');
  const form = await facilitator.get(`/group-members/${memberId}/report/summaries`);
  assert.equal(form.statusCode, 200);
  const version = /name="version" value="(\d+)"/.exec(form.body)![1];
  const saved = await facilitator.post(`/group-members/${memberId}/report/summaries`, {
    version,
    interpersonal_deficits: 'Practised assertive requests in role-play.',
  });
  assert.equal(saved.statusCode, 303);
  assert.equal(saved.headers.location, `/group-members/${memberId}/report`);
  const report = await facilitator.get(`/group-members/${memberId}/report`);
  assert.match(report.body, /Practised assertive requests in role-play\./);
  assert.match(report.body, /Interpersonal deficits/);
});

test('a summary that is too long is shown back with an error summary naming its risk domain, and nothing is saved', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const form = await manager.get(`/group-members/${memberId}/report/summaries`);
  const version = /name="version" value="(\d+)"/.exec(form.body)![1];
  const refused = await manager.post(`/group-members/${memberId}/report/summaries`, { version, sexual_interests: 'y'.repeat(4001) });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(errorSummary(refused.body), ['The summary for sexual interests must be 4000 characters or fewer']);
  assert.match(refused.body, /href="#sexual_interests"/);
  const again = await manager.get(`/group-members/${memberId}/report/summaries`);
  assert.match(again.body, new RegExp(`name="version" value="${version}"`));
});

test('the end-of-treatment report shows his psychometric change on every scale, by risk domain, as his own record does', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const report = await manager.get(`/group-members/${memberId}/report`);
  const [member] = await t.database.db.select({ personId: groupMembers.personId }).from(groupMembers).where(eq(groupMembers.id, memberId));
  const record = await manager.get(`/people/${member.personId}`);
  const changeTable = (html: string) => /<caption[^>]*>Change from before to after treatment[^<]*<\/caption>([\s\S]*?)<\/table>/.exec(html)?.[1];
  const onRecord = changeTable(record.body);
  assert.ok(onRecord, 'the demo man has psychometric tests');
  assert.match(report.body, /<h2 class="govuk-heading-m">Psychometric change by risk domain<\/h2>/);
  assert.equal(changeTable(report.body), onRecord);
  for (const domain of ['Sexual interests', 'Attitudes tolerant of sexual offending', 'Interpersonal deficits', 'Self-regulation deficits'])
    assert.match(onRecord, new RegExp(`<td class="govuk-table__cell">${domain}</td>`, 'i'));
});
