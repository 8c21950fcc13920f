// Post/redirect/get: every form a person sends answers 303 See Other with a Location when it succeeds, so
// reloading the page that follows never sends the form again. The test walks the real route table, so a
// new POST page without a case here fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { and, eq, gt, inArray, isNull, ne } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import {
  catchUpSessions,
  convictions,
  facilitatorUnavailability,
  groupMembers,
  groupSessions,
  people,
  referrals,
  programmeGroups,
  sessionFacilitators,
  siteSlots,
  sites,
  users,
} from '../../src/db/schema.js';
import { dayNumber, isBankHoliday, isoDate, isoWeekday, weekStart } from '../../src/domain/schedule/calendar.js';
import { londonToday } from '../../src/services/scheduling.js';
import type { Actor } from '../../src/services/access.js';
import { tinyPng } from '../../src/services/demo-work.js';
import { projectPath } from '../../src/paths.js';
import { demoPassword } from '../support/database.js';
import { importFinished } from '../support/cohort-imports.js';
import { addMembers } from '../support/groups.js';
import { importMonitorData } from '../support/monitor-data.js';
import { recordPastSessions } from '../support/recordings.js';
import { errorSummary, startTestApp, type TestApp, type TestClient } from '../support/web.js';

let t: TestApp;
let ngt: number;
const ids: Record<string, number> = {};
const clients: Record<string, TestClient> = {};
const cohort = readFileSync(new URL('../fixtures/evaluation/friendship2003.csv', import.meta.url), 'utf8');
// A year ahead: the demo group has finished by then, so the team is free.
const start = isoDate(weekStart(dayNumber(londonToday())) + 7 * 53);
const day = (iso: string, name: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${name}-day`]: String(Number(d)), [`${name}-month`]: String(Number(m)), [`${name}-year`]: y };
};

before(async () => {
  t = await startTestApp({ demo: true });
  const db = t.database.db;
  [{ id: ngt }] = await db.select({ id: sites.id }).from(sites).where(eq(sites.code, 'NGT'));
  for (const u of await db.select().from(users)) ids[u.username] = u.id;
  for (const username of ['admin', 'manager', 'assessor', 'facilitator', 'facilitator3', 'researcher', 'auditor']) {
    clients[username] = t.client();
    await clients[username].signIn(username);
  }
});
after(() => t.close());

const state: Record<string, number> = {};

/**
 * The first session of the NGT demo group still to come (its past sessions already have registers and logs),
 * moved to today: it has taken place, so it takes a register, a log and work. Each call moves another.
 */
async function sessionHeldToday() {
  const db = t.database.db;
  const [session] = await db
    .select({ id: groupSessions.id, groupId: groupSessions.groupId })
    .from(groupSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .where(and(eq(programmeGroups.siteId, ngt), ne(groupSessions.status, 'cancelled'), gt(groupSessions.sessionDate, londonToday())))
    .orderBy(groupSessions.number)
    .limit(1);
  await db.update(groupSessions).set({ sessionDate: londonToday() }).where(eq(groupSessions.id, session.id));
  return session;
}
const value = (html: string, pattern: RegExp) => pattern.exec(html)?.[1] ?? assert.fail(`no match for ${pattern}`);

/** For each POST page, what a person successfully sends there (in an order where each builds on the last). */
const cases: Array<[string, () => Promise<LightMyRequestResponse>]> = [
  [
    '/sign-in',
    async () => {
      const client = t.client();
      await client.get('/sign-in');
      return client.post('/sign-in', { username: 'auditor', password: demoPassword });
    },
  ],
  [
    '/sign-out',
    async () => {
      const client = t.client();
      await client.signIn('auditor');
      await client.get('/');
      return client.post('/sign-out');
    },
  ],
  [
    '/admin/users',
    async () => {
      await clients.admin.get('/admin/users/new');
      const response = await clients.admin.post('/admin/users', {
        username: 'prgcheck',
        displayName: 'Pat Redirect',
        role: 'auditor',
        password: 'a-long-enough-password',
      });
      state.user = Number(/\/admin\/users\/(\d+)/.exec(String(response.headers.location))?.[1]);
      return response;
    },
  ],
  [
    '/admin/users/:id/disable',
    async () => {
      const page = await clients.admin.get(`/admin/users/${state.user}`);
      return clients.admin.post(`/admin/users/${state.user}/disable`, { version: value(page.body, /name="version" value="(\d+)"/) });
    },
  ],
  [
    '/admin/users/:id/enable',
    async () => {
      const page = await clients.admin.get(`/admin/users/${state.user}`);
      return clients.admin.post(`/admin/users/${state.user}/enable`, { version: value(page.body, /name="version" value="(\d+)"/) });
    },
  ],
  [
    '/admin/users/:id/tokens',
    async () => {
      await clients.admin.get(`/admin/users/${state.user}`);
      return clients.admin.post(`/admin/users/${state.user}/tokens`, { label: 'post/redirect/get check' });
    },
  ],
  [
    '/admin/users/:id/tokens/:tokenId/revoke',
    async () => {
      const page = await clients.admin.get(`/admin/users/${state.user}`);
      return clients.admin.post(value(page.body, /action="(\/admin\/users\/\d+\/tokens\/\d+\/revoke)"/));
    },
  ],
  [
    '/account/password',
    async () => {
      clients.prgcheck = t.client();
      await clients.prgcheck.signIn('prgcheck', 'a-long-enough-password');
      await clients.prgcheck.get('/account');
      return clients.prgcheck.post('/account/password', {
        currentPassword: 'a-long-enough-password',
        newPassword: 'another-long-passphrase-9',
        confirmPassword: 'another-long-passphrase-9',
      });
    },
  ],
  [
    '/account/sign-out-everywhere',
    async () => {
      await clients.prgcheck.get('/account');
      return clients.prgcheck.post('/account/sign-out-everywhere');
    },
  ],
  [
    '/admin/sites',
    async () => {
      await clients.admin.get('/admin/sites/new');
      return clients.admin.post('/admin/sites', { code: 'PRG', name: 'HMP Redirect' });
    },
  ],
  [
    '/people',
    async () => {
      await clients.assessor.get('/people/new');
      const response = await clients.assessor.post('/people', {
        prisonNumber: 'P4321RG',
        givenName: 'Reload',
        familyName: 'Safely',
        ...day('1970-05-17', 'dateOfBirth'),
        sex: 'male',
        siteId: String(ngt),
      });
      state.person = Number(/\/people\/(\d+)/.exec(String(response.headers.location))?.[1]);
      return response;
    },
  ],
  [
    '/people/:id',
    async () => {
      const form = await clients.assessor.get(`/people/${state.person}/edit`);
      const version = value(form.body, /name="version" value="(\d+)"/);
      return clients.assessor.post(`/people/${state.person}`, {
        version,
        prisonNumber: 'P4321RG',
        givenName: 'Reload',
        familyName: 'Safely',
        ...day('1970-05-17', 'dateOfBirth'),
        sex: 'male',
        siteId: String(ngt),
      });
    },
  ],
  [
    '/people/:id/convictions',
    async () => {
      await clients.assessor.get(`/people/${state.person}/convictions/new`);
      return clients.assessor.post(`/people/${state.person}/convictions`, {
        ...day('2001-03-01', 'convictionDate'),
        offence: 'Fictional offence',
        category: 'sexual_contact',
      });
    },
  ],
  [
    '/people/:id/convictions/:convictionId/remove',
    async () => {
      const [c] = await t.database.db.select().from(convictions).where(eq(convictions.personId, state.person));
      await clients.assessor.get(`/people/${state.person}`);
      return clients.assessor.post(`/people/${state.person}/convictions/${c.id}/remove`, { version: String(c.version) });
    },
  ],
  [
    '/people/:id/scores/:instrument',
    async () => {
      await clients.assessor.get(`/people/${state.person}/scores/rm2000s/new`);
      return clients.assessor.post(`/people/${state.person}/scores/rm2000s`, {
        ageAtCommencementOfRisk: '40',
        sexualAppearances: '1',
        criminalAppearances: '2',
        maleVictim: 'false',
        strangerVictim: 'false',
        singleNeverMarried: 'false',
        nonContactSexualOffence: 'false',
      });
    },
  ],
  [
    '/people/:id/eligibility/:programmeId/override',
    async () => {
      await clients.manager.get(`/people/${state.person}`);
      return clients.manager.post(`/people/${state.person}/eligibility/core-sotp/override`, { result: 'eligible', reason: 'Clinical judgement' });
    },
  ],
  [
    '/people/:id/referrals',
    async () => {
      await clients.manager.get(`/people/${state.person}`);
      const response = await clients.manager.post(`/people/${state.person}/referrals`, { programmeId: 'core-sotp' });
      state.referral = Number(/\/referrals\/(\d+)/.exec(String(response.headers.location))?.[1]);
      return response;
    },
  ],
  [
    '/referrals/:id/transitions/:transition',
    async () => {
      const page = await clients.manager.get(`/referrals/${state.referral}`);
      const transition = value(page.body, /data-transition="([a-z_]+)"/);
      return clients.manager.post(`/referrals/${state.referral}/transitions/${transition}`, {
        version: value(page.body, /name="version" value="(\d+)"/),
        reason: 'Checked',
      });
    },
  ],
  [
    '/my/calendar-link',
    async () => {
      await clients.facilitator.get('/my/week');
      return clients.facilitator.post('/my/calendar-link');
    },
  ],
  [
    '/facilitators/:id/unavailable',
    async () => {
      await clients.facilitator3.get(`/facilitators/${ids.facilitator3}`);
      return clients.facilitator3.post(`/facilitators/${ids.facilitator3}/unavailable`, {
        from: isoDate(dayNumber(start) + 500),
        to: isoDate(dayNumber(start) + 501),
        reason: 'Leave',
      });
    },
  ],
  [
    '/facilitators/:id/unavailable/:entryId/remove',
    async () => {
      const [entry] = await t.database.db.select().from(facilitatorUnavailability).where(eq(facilitatorUnavailability.userId, ids.facilitator3));
      await clients.facilitator3.get(`/facilitators/${ids.facilitator3}`);
      return clients.facilitator3.post(`/facilitators/${ids.facilitator3}/unavailable/${entry.id}/remove`);
    },
  ],
  [
    '/facilitators/:id/limits',
    async () => {
      const page = await clients.manager.get(`/facilitators/${ids.facilitator3}`);
      const version = value(
        page.body,
        /\/limits" novalidate>\s*<input type="hidden" name="_csrf" value="[^"]*">\s*<input type="hidden" name="version" value="(\d+)"/,
      );
      return clients.manager.post(`/facilitators/${ids.facilitator3}/limits`, { maxSessionsPerDay: '2', maxSessionsPerWeek: '8', version });
    },
  ],
  [
    '/facilitators/:id/supervisions',
    async () => {
      await clients.manager.get(`/facilitators/${ids.facilitator3}/supervisions/new`);
      return clients.manager.post(`/facilitators/${ids.facilitator3}/supervisions`, {
        supervisedOn: londonToday(),
        supervisorId: String(ids.manager),
        notes: 'Reviewed the last block',
        action1Description: 'Read the block 6 manual',
        action1DueOn: isoDate(dayNumber(londonToday()) + 14),
      });
    },
  ],
  [
    '/audits',
    async () => {
      await clients.auditor.get('/audits/new');
      return clients.auditor.post('/audits', { siteId: String(ngt), programmeId: 'core-sotp', ...day('2026-01-05', 'from'), ...day('2026-03-27', 'to') });
    },
  ],
  [
    '/audits/:id/sample',
    async () => {
      const recorded = await recordPastSessions(t.database.db, ngt, 3, t.config.fileStoreDir);
      const days = recorded.map((r) => r.date).sort();
      await clients.auditor.get('/audits/new');
      const opened = await clients.auditor.post('/audits', { siteId: String(ngt), programmeId: 'core-sotp', ...day(days[0], 'from'), ...day(days[2], 'to') });
      const page = await clients.auditor.get(opened.headers.location as string);
      // The sample form's version: the indicators' comment forms carry their own.
      const version = /action="\/audits\/\d+\/sample" novalidate>[\s\S]*?name="version" value="(\d+)"/.exec(page.body)![1];
      state.audit = Number(/\/audits\/(\d+)$/.exec(String(opened.headers.location))?.[1]);
      return clients.auditor.post(`${opened.headers.location}/sample`, { seed: '11', version });
    },
  ],
  [
    '/audits/:id/checklist/:item',
    async () => {
      // The audit whose sample the case above drew: in progress, so its checklist takes notes.
      await clients.auditor.get(`/audits/${state.audit}/checklist`);
      return clients.auditor.post(`/audits/${state.audit}/checklist/session_logs`, { notes: 'Logs complete', version: '0' });
    },
  ],
  [
    '/audits/:id/indicators/:indicatorId/comment',
    async () => {
      await clients.auditor.get(`/audits/${state.audit}`);
      return clients.auditor.post(`/audits/${state.audit}/indicators/logs_on_time/comment`, { comment: 'Two late', version: '0' });
    },
  ],
  [
    '/audits/:id/recordings/:recordingId',
    async () => {
      const page = await clients.auditor.get(`/audits/${state.audit}`);
      const sampled = [...page.body.matchAll(new RegExp(`href="/audits/${state.audit}/recordings/(\\d+)"`, 'g'))].map((m) => m[1]);
      let response!: Awaited<ReturnType<TestClient['post']>>;
      for (const id of sampled) {
        await clients.auditor.get(`/recordings/${id}/video`);
        await clients.auditor.get(`/audits/${state.audit}/recordings/${id}`);
        response = await clients.auditor.post(`/audits/${state.audit}/recordings/${id}`, { notes: 'Delivered as the manual intends', version: '0' });
      }
      return response;
    },
  ],
  [
    '/audits/:id/ratings',
    async () => {
      const form = await clients.auditor.get(`/audits/${state.audit}/ratings`);
      const cite = /name="cites_delivery" type="checkbox" value="([^"]+)"/.exec(form.body)![1];
      return clients.auditor.post(`/audits/${state.audit}/ratings`, {
        version: /name="version" value="(\d+)"/.exec(form.body)![1],
        level_delivery: 'meets',
        evidence_delivery: 'As seen',
        cites_delivery: cite,
        level_treatment_management: 'meets',
        evidence_treatment_management: 'As seen',
        cites_treatment_management: cite,
      });
    },
  ],
  [
    '/audits/:id/response',
    async () => {
      const form = await clients.manager.get(`/audits/${state.audit}/response`);
      return clients.manager.post(`/audits/${state.audit}/response`, {
        version: /name="version" value="(\d+)"/.exec(form.body)![1],
        response: 'Agreed',
        action1Description: 'Observe each facilitator',
        action1Owner: 'Treatment manager',
        action1DueOn: isoDate(dayNumber(londonToday()) + 30),
      });
    },
  ],
  [
    '/audits/:id/revise',
    async () => {
      const page = await clients.auditor.get(`/audits/${state.audit}`);
      const version = /action="\/audits\/\d+\/revise" novalidate>[\s\S]*?name="version" value="(\d+)"/.exec(page.body)![1];
      const asked = await clients.auditor.post(`/audits/${state.audit}/revise`, { version, reason: 'Name an owner for each action' });
      // The site responds again, so that the audit can be closed below.
      const form = await clients.manager.get(`/audits/${state.audit}/response`);
      await clients.manager.post(`/audits/${state.audit}/response`, {
        version: /name="version" value="(\d+)"/.exec(form.body)![1],
        response: 'Agreed',
        action1Description: 'Observe each facilitator',
        action1Owner: 'Treatment manager',
        action1DueOn: isoDate(dayNumber(londonToday()) + 30),
      });
      return asked;
    },
  ],
  [
    '/audits/:id/close',
    async () => {
      const page = await clients.auditor.get(`/audits/${state.audit}`);
      const version = /action="\/audits\/\d+\/close" novalidate>[\s\S]*?name="version" value="(\d+)"/.exec(page.body)![1];
      return clients.auditor.post(`/audits/${state.audit}/close`, { version, agreed: 'yes' });
    },
  ],
  [
    '/audit-actions/:id/complete',
    async () => {
      const page = await clients.manager.get(`/audits/${state.audit}`);
      const [, actionId, version] = /action="\/audit-actions\/(\d+)\/complete"[\s\S]*?name="version" value="(\d+)"/.exec(page.body)!;
      return clients.manager.post(`/audit-actions/${actionId}/complete`, { version });
    },
  ],
  [
    '/supervision-actions/:id/complete',
    async () => {
      const page = await clients.manager.get(`/facilitators/${ids.facilitator3}`);
      const [, actionId, version] =
        /action="\/supervision-actions\/(\d+)\/complete" novalidate>\s*<input type="hidden" name="_csrf" value="[^"]*">\s*<input type="hidden" name="version" value="(\d+)"/.exec(
          page.body,
        )!;
      return clients.manager.post(`/supervision-actions/${actionId}/complete`, { version, facilitatorId: String(ids.facilitator3) });
    },
  ],
  [
    '/sites/:siteId/treatment-managers',
    async () => {
      const page = await clients.admin.get(`/sites/${ngt}/staff`);
      const version = /name="version" value="(\d+)"/.exec(page.body)![1];
      return clients.admin.post(`/sites/${ngt}/treatment-managers`, { programmeId: 'core-sotp', userId: String(ids.manager), version });
    },
  ],
  [
    '/sites/:siteId/rooms',
    async () => {
      await clients.manager.get(`/sites/${ngt}/setup`);
      return clients.manager.post(`/sites/${ngt}/rooms`, { name: 'Redirect room' });
    },
  ],
  [
    '/sites/:siteId/slots',
    async () => {
      await clients.manager.get(`/sites/${ngt}/setup`);
      return clients.manager.post(`/sites/${ngt}/slots`, { weekday: 'sat', start: '10:00' });
    },
  ],
  [
    '/sites/:siteId/slots/:slotId/remove',
    async () => {
      const [slot] = await t.database.db
        .select()
        .from(siteSlots)
        .where(and(eq(siteSlots.siteId, ngt), eq(siteSlots.weekday, 'sat'), eq(siteSlots.startTime, '10:00')));
      await clients.manager.get(`/sites/${ngt}/setup`);
      return clients.manager.post(`/sites/${ngt}/slots/${slot.id}/remove`, { version: String(slot.version) });
    },
  ],
  [
    '/sites/:siteId/closures',
    async () => {
      await clients.manager.get(`/sites/${ngt}/setup`);
      return clients.manager.post(`/sites/${ngt}/closures`, { ...day(isoDate(dayNumber(start) + 600), 'date'), reason: 'Inspection' });
    },
  ],
  [
    '/groups',
    async () => {
      const form = await clients.manager.get(`/groups/new?site=${ngt}`);
      const slots = [...form.body.matchAll(/name="slots" type="checkbox" value="([^"]+)"/g)].map((m) => m[1]);
      const oneADay = slots.filter((s, i) => slots.findIndex((o) => o.split(' ')[0] === s.split(' ')[0]) === i);
      const response = await clients.manager.post('/groups', {
        siteId: String(ngt),
        name: 'Redirect group',
        programmeId: 'core-sotp',
        roomId: value(form.body, /<option value="(\d+)">Programme room 2<\/option>/),
        capacity: '8',
        ...day(start, 'earliestStart'),
        slots: oneADay,
        treatmentManagerId: String(ids.manager),
        leadId: String(ids.facilitator),
        coId: String(ids.facilitator3),
        coverId: String(ids.facilitator4),
      });
      state.group = Number(/\/groups\/(\d+)$/.exec(String(response.headers.location))?.[1]);
      return response;
    },
  ],
  [
    '/groups/:id/sessions/:sessionId/cancel',
    async () => {
      const [session] = await t.database.db
        .select()
        .from(groupSessions)
        .where(and(eq(groupSessions.groupId, state.group), eq(groupSessions.number, 10)));
      await clients.manager.get(`/groups/${state.group}/sessions/${session.id}/cancel`);
      return clients.manager.post(`/groups/${state.group}/sessions/${session.id}/cancel`, {
        version: String(session.version),
        reason: 'Lockdown',
        cause: 'regime',
      });
    },
  ],
  [
    '/groups/:id/sessions/:sessionId/swap',
    async () => {
      const [session] = await t.database.db
        .select()
        .from(groupSessions)
        .where(and(eq(groupSessions.groupId, state.group), eq(groupSessions.number, 20), eq(groupSessions.status, 'scheduled')));
      const page = await clients.manager.get(`/groups/${state.group}/sessions/${session.id}/swap`);
      return clients.manager.post(`/groups/${state.group}/sessions/${session.id}/swap`, {
        version: String(session.version),
        replacedId: value(page.body, /name="replacedId" type="radio" value="(\d+)"/),
        replacementId: value(page.body, /name="replacementId" type="radio" value="(\d+)"/),
      });
    },
  ],
  [
    '/groups/:id/catch-ups',
    async () => {
      const [memberId] = await addMembers(t.database.db, state.group, ngt, 1);
      const [missed] = await t.database.db
        .select()
        .from(groupSessions)
        .where(and(eq(groupSessions.groupId, state.group), eq(groupSessions.number, 2)));
      const form = await clients.manager.get(`/groups/${state.group}/catch-ups/new`);
      const member = value(form.body, /<select class="govuk-select" id="memberId" name="memberId">[\s\S]*?<option value="(\d+)"/);
      assert.ok(memberId);
      // The first working day after the group's last session, in the site's morning slot: the team is free then.
      const [last] = await t.database.db
        .select()
        .from(groupSessions)
        .where(and(eq(groupSessions.groupId, state.group), eq(groupSessions.number, 84)));
      let free = dayNumber(last.sessionDate) + 1;
      while (isoWeekday(free) > 5 || isBankHoliday(free)) free++;
      const room = value(form.body, /<option value="(\d+)">Programme room 1<\/option>/);
      // Any team member within their weekly limit may take it: which ones are depends on the timetable planned.
      const team = [...value(form.body, /id="facilitatorId" name="facilitatorId">([\s\S]*?)<\/select>/).matchAll(/<option value="(\d+)"/g)].map((m) => m[1]);
      let response: LightMyRequestResponse | undefined;
      for (const facilitatorId of team) {
        response = await clients.manager.post(`/groups/${state.group}/catch-ups`, {
          memberId: member,
          sessionId: String(missed.id),
          ...day(isoDate(free), 'date'),
          start: '09:00',
          roomId: room,
          facilitatorId,
        });
        if (response.statusCode !== 400) break;
      }
      return response!;
    },
  ],
  [
    '/groups/:id/catch-ups/:catchUpId/outcome',
    async () => {
      const [catchUp] = await t.database.db.select().from(catchUpSessions).where(eq(catchUpSessions.groupId, state.group));
      await clients.manager.get(`/groups/${state.group}`);
      return clients.manager.post(`/groups/${state.group}/catch-ups/${catchUp.id}/outcome`, { outcome: 'cancelled', version: String(catchUp.version) });
    },
  ],
  [
    '/groups/:id/allocate',
    async () => {
      const page = await clients.manager.get(`/groups/${state.group}/allocate`);
      return clients.manager.post(`/groups/${state.group}/allocate`, {
        version: value(page.body, /name="version" value="(\d+)"/),
        referrals: value(page.body, /name="referrals" type="checkbox" value="(\d+:\d+)"/),
      });
    },
  ],
  [
    '/groups/:id/members/:referralId/remove',
    async () => {
      const group = await clients.manager.get(`/groups/${state.group}`);
      const referralId = value(group.body, new RegExp(`/groups/${state.group}/members/(\\d+)/remove`));
      const page = await clients.manager.get(`/groups/${state.group}/members/${referralId}/remove`);
      return clients.manager.post(`/groups/${state.group}/members/${referralId}/remove`, {
        version: value(page.body, /name="version" value="(\d+)"/),
        referralId,
        reason: 'Moved to another establishment',
      });
    },
  ],
  [
    '/groups/:id/timetable',
    async () => {
      // A group whose timetable could not be planned when it was created (here: its sessions removed).
      const db = t.database.db;
      const sessions = await db.select({ id: groupSessions.id }).from(groupSessions).where(eq(groupSessions.groupId, state.group));
      await db.delete(catchUpSessions).where(eq(catchUpSessions.groupId, state.group));
      await db.delete(sessionFacilitators).where(
        inArray(
          sessionFacilitators.sessionId,
          sessions.map((s) => s.id),
        ),
      );
      await db.delete(groupSessions).where(eq(groupSessions.groupId, state.group));
      const [group] = await db.select().from(programmeGroups).where(eq(programmeGroups.id, state.group));
      await clients.manager.get(`/groups/${state.group}`);
      return clients.manager.post(`/groups/${state.group}/timetable`, { version: String(group.version) });
    },
  ],
  [
    '/evaluations/imports',
    async () => {
      await clients.researcher.get('/evaluations/imports/new');
      const upload = await clients.researcher.postFile(
        '/evaluations/imports',
        { kind: 'cohort' },
        { field: 'file', name: 'friendship2003.csv', content: cohort },
      );
      // The evaluation case below runs on this file: it must have been imported first.
      if (upload.statusCode === 303) await importFinished(clients.researcher, upload);
      return upload;
    },
  ],
  [
    '/groups/:id/replan',
    async () => {
      // A facilitator of a later session becomes unavailable that day, so the session needs re-planning.
      const [later] = await t.database.db
        .select()
        .from(groupSessions)
        .where(and(eq(groupSessions.groupId, state.group), eq(groupSessions.number, 60)));
      const [staff] = await t.database.db.select().from(sessionFacilitators).where(eq(sessionFacilitators.sessionId, later.id));
      await t.database.db.insert(facilitatorUnavailability).values({ userId: staff.userId, unavailableOn: later.sessionDate, reason: 'Training' });
      const page = await clients.manager.get(`/groups/${state.group}`);
      const version = value(
        page.body,
        /action="\/groups\/\d+\/replan">\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<input type="hidden" name="version" value="(\d+)">/,
      );
      return clients.manager.post(`/groups/${state.group}/replan`, { version });
    },
  ],
  [
    '/sites/:siteId/replan',
    async () => {
      // The group created above starts a year ahead: re-planning the site plans it (and any other not started) again.
      const page = await clients.manager.get(`/sites/${ngt}/replan?programme=core-sotp`);
      const groups = [...page.body.matchAll(/name="groups" value="(\d+:\d+)"/g)].map((m) => m[1]);
      assert.ok(groups.length > 0, 'a core-sotp group at NGT has not started');
      return clients.manager.post(`/sites/${ngt}/replan`, { programme: 'core-sotp', groups });
    },
  ],
  [
    '/evaluations/reconvictions',
    async () => {
      await clients.researcher.get('/evaluations/reconvictions/new');
      return clients.researcher.postFile('/evaluations/reconvictions', day('2026-09-30', 'dataAsOf'), {
        field: 'file',
        name: 'reconvictions.csv',
        content: 'outcome,offence_date,person_ref\nsexual,2022-04-01,P0001\n',
      });
    },
  ],
  [
    '/evaluations',
    async () => {
      const form = await clients.researcher.get('/evaluations/new');
      return clients.researcher.post('/evaluations', {
        cohortImportId: value(form.body, /<option value="(\d+)"[^>]*>friendship2003\.csv/),
        covariates: ['age_at_release', 'prior_sexual', 'rm2000_score'],
        outcome: 'sexual_violent',
        noMatch: 'true',
      });
    },
  ],
  [
    '/groups/:id/sessions/:sessionId/log',
    async () => {
      const session = await sessionHeldToday();
      await clients.manager.get(`/groups/${session.groupId}/sessions/${session.id}/log`);
      return clients.manager.post(`/groups/${session.groupId}/sessions/${session.id}/log`, { version: '0', blocksCovered: '1', targetsCovered: 'Group rules' });
    },
  ],
  [
    '/groups/:id/sessions/:sessionId/products',
    async () => {
      const session = await sessionHeldToday();
      const [member] = await t.database.db.select().from(groupMembers).where(eq(groupMembers.groupId, session.groupId)).limit(1);
      await clients.manager.get(`/groups/${session.groupId}/sessions/${session.id}/log`);
      return clients.manager.postFile(
        `/groups/${session.groupId}/sessions/${session.id}/products`,
        { personId: String(member.personId) },
        { field: 'file', name: 'life-map.png', content: tinyPng(), contentType: 'image/png' },
      );
    },
  ],
  [
    '/groups/:id/sessions/:sessionId/register',
    async () => {
      const session = await sessionHeldToday();
      const url = `/groups/${session.groupId}/sessions/${session.id}/register`;
      const form = await clients.manager.get(url);
      const men = [...new Set([...form.body.matchAll(/name="status-(\d+)"/g)].map((m) => m[1]))];
      return clients.manager.post(url, {
        version: value(form.body, /name="version" value="(\d+)"/),
        ...Object.fromEntries(men.map((m) => [`status-${m}`, 'attended'])),
      });
    },
  ],
  [
    '/groups/:id/members/:memberId/completion',
    async () => {
      const [member] = await t.database.db
        .select({ id: groupMembers.id, groupId: groupMembers.groupId, referralId: groupMembers.referralId })
        .from(groupMembers)
        .innerJoin(programmeGroups, eq(programmeGroups.id, groupMembers.groupId))
        .where(and(eq(programmeGroups.siteId, ngt), isNull(groupMembers.leftAt)))
        .limit(1);
      // A man who has started the programme: only he can be deselected from it.
      await t.database.db.update(referrals).set({ status: 'on_programme' }).where(eq(referrals.id, member.referralId));
      const url = `/groups/${member.groupId}/members/${member.id}/completion`;
      const form = await clients.manager.get(url);
      return clients.manager.post(url, {
        version: value(form.body, /name="version" value="(\d+)"/),
        outcome: 'deselected',
        reasonId: value(form.body, /name="reasonId" type="radio" value="([^"]+)"/),
      });
    },
  ],
  [
    '/group-members/:memberId/report/summaries',
    async () => {
      const [member] = await t.database.db.select({ id: groupMembers.id }).from(groupMembers).limit(1);
      const url = `/group-members/${member.id}/report/summaries`;
      const form = await clients.manager.get(url);
      return clients.manager.post(url, { version: value(form.body, /name="version" value="(\d+)"/), self_regulation_deficits: 'Kept a mood diary' });
    },
  ],
  [
    '/people/:id/psychometrics',
    async () => {
      const [man] = await t.database.db.select({ id: people.id }).from(people).where(eq(people.siteId, ngt)).limit(1);
      const chooser = await clients.assessor.get(`/people/${man.id}/psychometrics/new`);
      const instrument = value(chooser.body, /name="instrument"[^>]*value="([^"]+)"/);
      const form = await clients.assessor.get(`/people/${man.id}/psychometrics/new?instrument=${instrument}`);
      const items = [...new Set([...form.body.matchAll(/name="(item-[^"]+)"/g)].map((m) => m[1]))];
      return clients.assessor.post(`/people/${man.id}/psychometrics`, {
        instrument,
        occasion: 'pre',
        ...day(londonToday(), 'administeredOn'),
        ...Object.fromEntries(items.map((i) => [i, '1'])),
      });
    },
  ],
  [
    '/evaluations/monitor/:programmeId/design',
    async () => {
      const admin: Actor = { userId: ids.admin, username: 'admin', role: 'administrator', siteIds: [] };
      const poolId = await importMonitorData(t.database.db, admin, t.config.pseudonymKey);
      await clients.admin.get('/evaluations/monitor/core-sotp');
      return clients.admin.post('/evaluations/monitor/core-sotp/design', {
        cohortImportId: String(poolId),
        covariates: ['age_at_release', 'prior_sexual'],
        outcome: 'sexual',
        ...day('2022-01-01', 'firstLook'),
        everyMonths: '12',
        horizonYears: '10',
        spending: 'pocock',
        sides: 'one',
      });
    },
  ],
  [
    '/evaluations/monitor/:programmeId/looks',
    async () => {
      await clients.admin.get('/evaluations/monitor/core-sotp');
      return clients.admin.post('/evaluations/monitor/core-sotp/looks', {});
    },
  ],
  [
    '/staff',
    async () => {
      await clients.manager.get(`/staff/new?site=${ngt}`);
      const response = await clients.manager.post('/staff', { displayName: 'Pat Pipeline', siteId: String(ngt), ...day(londonToday(), 'appliedOn') });
      state.staff = Number(/\/staff\/(\d+)/.exec(String(response.headers.location))?.[1]);
      return response;
    },
  ],
  [
    '/staff/:id/moves/:move',
    async () => {
      const form = await clients.manager.get(`/staff/${state.staff}/moves/record_not_selected`);
      return clients.manager.post(`/staff/${state.staff}/moves/record_not_selected`, {
        version: value(form.body, /name="version" value="(\d+)"/),
        reason: 'Withdrew the application',
      });
    },
  ],
  [
    '/staff/:id/sign-in',
    async () => {
      await clients.manager.get(`/staff/new?site=${ngt}`);
      const added = await clients.manager.post('/staff', { displayName: 'Sid Signin', siteId: String(ngt), ...day(londonToday(), 'appliedOn') });
      const id = Number(/\/staff\/(\d+)/.exec(String(added.headers.location))?.[1]);
      await clients.admin.get('/admin/users/new');
      const user = await clients.admin.post('/admin/users', {
        username: 'prgpipeline',
        displayName: 'Pip Pipeline',
        role: 'facilitator',
        siteIds: String(ngt),
        password: 'a-long-enough-password',
      });
      assert.equal(user.statusCode, 303);
      const page = await clients.admin.get(`/staff/${id}`);
      return clients.admin.post(`/staff/${id}/sign-in`, {
        version: value(page.body, /name="version" value="(\d+)"/),
        userId: value(page.body, /<option value="(\d+)">Pip Pipeline/),
      });
    },
  ],
  [
    '/admin/programmes',
    async () => {
      // A next version of Core SOTP that changes nothing but its number: uploaded last, so no case above sees it.
      const next = JSON.parse(readFileSync(projectPath('programmes', 'core-sotp.v1.json'), 'utf8'));
      next.version = 2;
      await clients.admin.get('/admin/programmes/new');
      return clients.admin.postFile('/admin/programmes', {}, { field: 'file', name: 'core-sotp.v2.json', content: JSON.stringify(next) });
    },
  ],
];

test('every form page answers a successful POST with 303 See Other and a Location on this service (post/redirect/get)', async () => {
  // /uploads is the tus endpoint the recording page's script sends to: the protocol answers 201 Created, not a page.
  const pages = t.routeTable.filter((r) => r.method === 'POST' && !r.url.startsWith('/api') && !r.url.startsWith('/uploads')).map((r) => r.url);
  assert.deepEqual([...new Set(pages)].sort(), cases.map(([url]) => url).sort(), 'each POST page has a case here');
  for (const [url, send] of cases) {
    const response = await send();
    assert.equal(response.statusCode, 303, `${url} answered ${response.statusCode}: ${errorSummary(response.body).join(' | ') || response.body.slice(0, 300)}`);
    assert.match(String(response.headers.location), /^\/(?!\/)/, `${url} redirects within the service`);
  }
});

test('reloading the page after a POST shows the outcome once and sends nothing again', async () => {
  const before = await t.database.db
    .select()
    .from(facilitatorUnavailability)
    .where(and(eq(facilitatorUnavailability.userId, ids.facilitator3), gt(facilitatorUnavailability.unavailableOn, start)));
  await clients.facilitator3.get(`/facilitators/${ids.facilitator3}`);
  const added = await clients.facilitator3.post(`/facilitators/${ids.facilitator3}/unavailable`, {
    from: isoDate(dayNumber(start) + 510),
    to: '',
    reason: 'Course',
  });
  assert.equal(added.statusCode, 303);
  const first = await clients.facilitator3.get(String(added.headers.location));
  const again = await clients.facilitator3.get(String(added.headers.location));
  assert.equal(first.statusCode, 200);
  assert.equal(again.statusCode, 200);
  const after = await t.database.db
    .select()
    .from(facilitatorUnavailability)
    .where(and(eq(facilitatorUnavailability.userId, ids.facilitator3), gt(facilitatorUnavailability.unavailableOn, start)));
  assert.equal(after.length, before.length + 1);
});
