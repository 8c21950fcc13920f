// Audit pages: the auditor's home page links to audits; opening one names a wrong field and saves nothing; drawing the
// sample without enough recordings names the rule and saves nothing; a drawn sample shows its seed and frame size and
// links each recording to its page; administrators read audits but draw nothing; a treatment manager reads his own
// site's audits only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { audits, sites } from '../../src/db/schema.js';
import { recordPastSessions } from '../support/recordings.js';
import { errorSummary, startTestApp, type TestApp, type TestClient } from '../support/web.js';

let t: TestApp;
let ngt: number;
let auditor: TestClient;
let recorded: Array<{ id: number; date: string }>;

const day = (iso: string, name: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${name}-day`]: String(Number(d)), [`${name}-month`]: String(Number(m)), [`${name}-year`]: y };
};

before(async () => {
  t = await startTestApp({ demo: true });
  [{ id: ngt }] = await t.database.db.select({ id: sites.id }).from(sites).where(eq(sites.code, 'NGT'));
  recorded = await recordPastSessions(t.database.db, ngt, 4);
  auditor = t.client();
  await auditor.signIn('auditor');
});
after(() => t.close());

const period = () => {
  const days = recorded.map((r) => r.date).sort();
  return { ...day(days[0], 'from'), ...day(days.at(-1)!, 'to') };
};
const auditCount = async () => (await t.database.db.select().from(audits)).length;

async function openAudit(form: Record<string, string>): Promise<number> {
  await auditor.get('/audits/new');
  const opened = await auditor.post('/audits', { siteId: String(ngt), programmeId: 'core-sotp', ...form });
  assert.equal(opened.statusCode, 303, errorSummary(opened.body).join(' | '));
  return Number(/^\/audits\/(\d+)$/.exec(opened.headers.location as string)![1]);
}

test('the auditor’s home page links to audits, no longer "coming soon"', async () => {
  const home = await auditor.get('/');
  assert.match(home.body, /<a class="govuk-link" href="\/audits">Audits<\/a>/);
  assert.doesNotMatch(home.body, /coming soon/, 'every area of the auditor now has its page');
});

test('an audit whose period ends before it starts is shown again naming the last day, and nothing is saved', async () => {
  const before = await auditCount();
  await auditor.get('/audits/new');
  const refused = await auditor.post('/audits', { siteId: String(ngt), programmeId: 'core-sotp', ...day('2027-03-01', 'from'), ...day('2027-02-01', 'to') });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(errorSummary(refused.body), ['The last day of the period must be the same as or after the first day']);
  assert.match(refused.body, /href="#to-day"/);
  const noSite = await auditor.post('/audits', { siteId: '', programmeId: 'core-sotp', ...period() });
  assert.equal(noSite.statusCode, 400);
  assert.deepEqual(errorSummary(noSite.body), ['Choose the site']);
  assert.equal(await auditCount(), before);
});

test('drawing the sample of a period with no recordings names the rule, and the audit stays planned', async () => {
  const id = await openAudit({ ...day('2020-01-06', 'from'), ...day('2020-03-27', 'to') });
  const page = await auditor.get(`/audits/${id}`);
  const version = /action="\/audits\/\d+\/sample" novalidate>[\s\S]*?name="version" value="(\d+)"/.exec(page.body)![1];
  const refused = await auditor.post(`/audits/${id}/sample`, { seed: '3', version });
  assert.equal(refused.statusCode, 400);
  assert.match(errorSummary(refused.body).join(' | '), /no recordings of sessions in the period to sample: an audit samples at least 3/);
  assert.match(refused.body, /href="#seed"/);
  const [row] = await t.database.db.select().from(audits).where(eq(audits.id, id));
  assert.equal(row.status, 'planned');
  assert.equal(row.sampleSeed, null);
});

test('the auditor draws the sample: the page shows the seed, the frame size and links to each sampled recording', async () => {
  const id = await openAudit(period());
  const planned = await auditor.get(`/audits/${id}`);
  assert.match(planned.body, /Planned/);
  const version = /action="\/audits\/\d+\/sample" novalidate>[\s\S]*?name="version" value="(\d+)"/.exec(planned.body)![1];
  const drawn = await auditor.post(`/audits/${id}/sample`, { seed: '20270104', version });
  assert.equal(drawn.statusCode, 303, errorSummary(drawn.body).join(' | '));
  assert.equal(drawn.headers.location, `/audits/${id}#sample`);
  const page = await auditor.get(`/audits/${id}`);
  assert.match(page.body, /In progress/);
  assert.match(page.body, /seed <strong>20270104<\/strong>/);
  const [row] = await t.database.db.select().from(audits).where(eq(audits.id, id));
  const frameSize = (row.sampleFrame as unknown[]).length;
  assert.ok(frameSize >= recorded.length);
  assert.match(page.body, new RegExp(`3 of the ${frameSize} recordings of the period`));
  const links = [...page.body.matchAll(new RegExp(`href="/audits/${id}/recordings/(\\d+)"`, 'g'))].map((m) => Number(m[1]));
  assert.equal(links.length, 3);
  assert.match(page.body, /gives the same recordings/);
  assert.doesNotMatch(page.body, /Draw the sample<\/button>/, 'drawn once');

  const admin = t.client();
  await admin.signIn('admin');
  const read = await admin.get(`/audits/${id}`);
  assert.equal(read.statusCode, 200);
  assert.match(read.body, /seed <strong>20270104<\/strong>/);
  const list = await admin.get('/audits');
  assert.match(list.body, new RegExp(`href="/audits/${id}"`));
  assert.doesNotMatch(list.body, /Open an audit/);
  const manager = t.client();
  await manager.signIn('manager');
  assert.equal((await manager.get(`/audits/${id}`)).statusCode, 200, 'the audited site’s treatment manager reads its audit');
  const otherManager = t.client();
  await otherManager.signIn('manager2');
  assert.equal((await otherManager.get(`/audits/${id}`)).statusCode, 403, 'another site’s treatment manager does not');
  assert.doesNotMatch((await otherManager.get('/audits')).body, new RegExp(`href="/audits/${id}"`));
});

test('the audit’s page shows each operational indicator with its figure and standard, and lists the records behind the figure', async () => {
  const id = await openAudit(period());
  const page = await auditor.get(`/audits/${id}`);
  assert.equal(page.statusCode, 200);
  for (const heading of ['Management support', 'Resources', 'Staff support', 'Assessments and paperwork'])
    assert.match(page.body, new RegExp(`<h3 class="govuk-heading-s">${heading}</h3>`));
  const blocks = [...page.body.matchAll(/<div class="govuk-!-margin-bottom-4" id="indicator-([a-z_]+)">([\s\S]*?)<\/details>/g)];
  assert.equal(blocks.length, 9);
  for (const [, indicator, html] of blocks) {
    const [, meeting, of] = /<\/strong>: (\d+) of (\d+)/.exec(html)!;
    const listed = [...html.matchAll(/<li><a class="govuk-link" href="[^"]+">/g)].length;
    assert.equal(listed, Number(of), `${indicator} lists every record it counts`);
    const below = [...html.matchAll(/\(below the standard\)<\/li>/g)].length;
    assert.equal(Number(meeting), listed - below, `${indicator}: the figure counts the records that meet the standard`);
  }
});
