import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, sql } from 'drizzle-orm';
import { groupSessions, programmeGroups, rooms, sessionFacilitators, sites, supervisions, users } from '../../src/db/schema.js';
import { dayNumber, isBankHoliday, isoDate, isoWeekday, weekStart } from '../../src/domain/schedule/calendar.js';
import { checkTimetable } from '../../src/domain/schedule/check.js';
import { londonToday } from '../../src/services/scheduling.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';
import { addMembers, checkedCoreSotp, liveSessions, storedTimetable } from '../support/groups.js';

let t: TestApp;
let ngt: number;
let room: number;
const ids: Record<string, number> = {};
// A year ahead, so the demo group (which starts next week) has finished and the sessions are in the future.
const start = isoDate(weekStart(dayNumber(londonToday())) + 7 * 53);

before(async () => {
  t = await startTestApp({ demo: true });
  const db = t.database.db;
  [{ id: ngt }] = await db.select({ id: sites.id }).from(sites).where(eq(sites.code, 'NGT'));
  [{ id: room }] = await db
    .select({ id: rooms.id })
    .from(rooms)
    .where(and(eq(rooms.siteId, ngt), eq(rooms.name, 'Programme room 2')));
  for (const u of await db.select().from(users)) ids[u.username] = u.id;
});
after(() => t.close());

let groupId: number;

/** Moves a facilitator's supervisions 60 days back, as if none had been recorded since: 42 days and 14 of grace are over. */
async function overdueBeyondGrace(facilitatorId: number): Promise<void> {
  await t.database.db
    .update(supervisions)
    .set({ supervisedOn: sql`${supervisions.supervisedOn} - 60` })
    .where(eq(supervisions.facilitatorId, facilitatorId));
}

/** A day relative to today as the pages show it, e.g. 3 March 2027. */
function longDate(daysFromToday: number): string {
  return new Date(`${isoDate(dayNumber(londonToday()) + daysFromToday)}T12:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

test('a treatment manager creates a group through the form and sees its timetable by week', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const list = await manager.get('/groups');
  assert.equal(list.statusCode, 200);
  assert.match(list.body, /NGT Core SOTP group 1/, 'the demo group is listed');
  const form = await manager.get(`/groups/new?site=${ngt}`);
  assert.equal(form.statusCode, 200);
  const empty = await manager.post('/groups', { siteId: String(ngt), capacity: '12' });
  assert.equal(empty.statusCode, 400);
  const problems = errorSummary(empty.body);
  for (const message of [
    'Enter a name for the group',
    'Choose a room',
    'Enter the earliest start date',
    'Choose at least one weekly slot',
    'Choose a lead facilitator',
  ]) {
    assert.ok(problems.includes(message), `error summary says "${message}": ${problems.join(' | ')}`);
  }
  const created = await manager.post('/groups', {
    siteId: String(ngt),
    name: 'Web test group',
    programmeId: 'core-sotp',
    roomId: String(room),
    capacity: '8',
    earliestStart: start,
    slots: ['mon 13:30', 'tue 13:30', 'wed 13:30', 'thu 13:30', 'fri 13:30'],
    treatmentManagerId: String(ids.manager),
    leadId: String(ids.facilitator),
    coId: String(ids.facilitator3),
    coverId: String(ids.facilitator4),
  });
  assert.equal(created.statusCode, 303, errorSummary(created.body).join(' | '));
  groupId = Number(/\/groups\/(\d+)$/.exec(String(created.headers.location))?.[1]);
  const page = await manager.get(`/groups/${groupId}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<caption class="govuk-table__caption govuk-table__caption--s">Week beginning/);
  assert.equal((page.body.match(/id="session-\d+"/g) ?? []).length, 84);
  const { scenario, solution } = await storedTimetable(t.database.db, ngt);
  assert.deepEqual(checkTimetable(scenario, checkedCoreSotp, solution), []);
});

test('cancelling a session in the browser asks for a reason, then shows what moved', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const sessions = await liveSessions(t.database.db, groupId);
  const fifth = sessions[4];
  const form = await manager.get(`/groups/${groupId}/sessions/${fifth.id}/cancel`);
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /Why is the session cancelled\?/);
  const noReason = await manager.post(`/groups/${groupId}/sessions/${fifth.id}/cancel`, { version: String(fifth.version), reason: '' });
  assert.equal(noReason.statusCode, 400);
  assert.deepEqual(errorSummary(noReason.body), ['Enter why the session is cancelled']);
  const posted = await manager.post(`/groups/${groupId}/sessions/${fifth.id}/cancel`, { version: String(fifth.version), reason: 'Lockdown' });
  assert.equal(posted.statusCode, 303, 'post/redirect/get: reloading the page must not send the form again');
  assert.equal(posted.headers.location, `/groups/${groupId}/sessions/${fifth.id}/cancelled`);
  const done = await manager.get(String(posted.headers.location));
  assert.equal(done.statusCode, 200);
  assert.match(done.body, /Session 5 cancelled/);
  const movedRows = [...done.body.matchAll(/<tr class="govuk-table__row">\s*<th scope="row" class="govuk-table__header">(\d+)<\/th>/g)].map((m) =>
    Number(m[1]),
  );
  const after = await liveSessions(t.database.db, groupId);
  const changed = after
    .filter((s) => s.sessionDate !== sessions[s.number - 1].sessionDate || s.startTime !== sessions[s.number - 1].startTime)
    .map((s) => s.number);
  assert.deepEqual(movedRows, changed, 'the page lists exactly the sessions that moved');
  assert.ok(changed.every((n) => n >= 5));
  const [cancelled] = await t.database.db.select().from(groupSessions).where(eq(groupSessions.id, fifth.id));
  assert.equal(cancelled.status, 'cancelled');
  // What moved is shown once; a reload still says the session was cancelled and sends nothing again.
  const reloaded = await manager.get(String(posted.headers.location));
  assert.equal(reloaded.statusCode, 200);
  assert.match(reloaded.body, /Session 5 cancelled/);
  assert.doesNotMatch(reloaded.body, /Sessions that moved/);
});

test('swapping a facilitator lists only valid candidates and refuses a forged one, naming the rule', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const session = (await liveSessions(t.database.db, groupId))[20];
  const page = await manager.get(`/groups/${groupId}/sessions/${session.id}/swap`);
  assert.equal(page.statusCode, 200);
  const candidates = [...page.body.matchAll(/name="replacementId" type="radio" value="(\d+)"/g)].map((m) => Number(m[1]));
  const replaced = [...page.body.matchAll(/name="replacedId" type="radio" value="(\d+)"/g)].map((m) => Number(m[1]));
  assert.equal(replaced.length, 2);
  assert.deepEqual(candidates, [[ids.facilitator, ids.facilitator3, ids.facilitator4].find((id) => !replaced.includes(id))]);
  // facilitator2 works at Southmoor and is not in the team.
  const forged = await manager.post(`/groups/${groupId}/sessions/${session.id}/swap`, {
    version: String(session.version),
    replacedId: String(replaced[0]),
    replacementId: String(ids.facilitator2),
  });
  assert.equal(forged.statusCode, 400);
  assert.match(errorSummary(forged.body)[0], /is not in this group’s facilitator team/);
  const done = await manager.post(`/groups/${groupId}/sessions/${session.id}/swap`, {
    version: String(session.version),
    replacedId: String(replaced[0]),
    replacementId: String(candidates[0]),
  });
  assert.equal(done.statusCode, 303);
  const { scenario, solution } = await storedTimetable(t.database.db, ngt);
  assert.deepEqual(checkTimetable(scenario, checkedCoreSotp, solution), []);
});

test('a catch-up is booked in the browser, listed as outstanding, not deliverable before its day, and cancellable', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  await addMembers(t.database.db, groupId, ngt, 1);
  const sessions = await liveSessions(t.database.db, groupId);
  const missed = sessions[1];
  const form = await manager.get(`/groups/${groupId}/catch-ups/new`);
  assert.equal(form.statusCode, 200);
  const memberId = /<select class="govuk-select" id="memberId" name="memberId">[\s\S]*?<option value="(\d+)"/.exec(form.body)?.[1];
  assert.ok(memberId);
  const bad = await manager.post(`/groups/${groupId}/catch-ups`, {
    memberId,
    sessionId: String(missed.id),
    date: '2020-01-01',
    start: '25:00',
    roomId: '',
    facilitatorId: '',
  });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(errorSummary(bad.body), ['Start time must be a time in the form HH:MM, like 14:00', 'Choose a room', 'Choose the facilitator']);
  // The first working day after the group's last session, in the site's morning slot: nobody has a group session then.
  let free = dayNumber(sessions[sessions.length - 1].sessionDate) + 1;
  while (isoWeekday(free) > 5 || isBankHoliday(free)) free++;
  const booked = await manager.post(`/groups/${groupId}/catch-ups`, {
    memberId,
    sessionId: String(missed.id),
    date: isoDate(free),
    start: '09:00',
    roomId: String(room),
    facilitatorId: String(ids.facilitator4),
  });
  assert.equal(booked.statusCode, 303, errorSummary(booked.body).join(' | '));
  const page = await manager.get(`/groups/${groupId}`);
  assert.match(page.body, /1 catch-up booked and not yet delivered/);
  const version = /catch-ups\/\d+\/outcome"[\s\S]*?name="version" value="(\d+)"/.exec(page.body)?.[1];
  const catchUpId = /catch-ups\/(\d+)\/outcome/.exec(page.body)?.[1];
  // It is booked for the future, so it cannot be delivered yet: the page says why.
  const early = await manager.post(`/groups/${groupId}/catch-ups/${catchUpId}/outcome`, { outcome: 'delivered', version: version! });
  assert.equal(early.statusCode, 400);
  assert.match(early.body, /cannot be delivered before then/);
  const cancelled = await manager.post(`/groups/${groupId}/catch-ups/${catchUpId}/outcome`, { outcome: 'cancelled', version: version! });
  assert.equal(cancelled.statusCode, 303);
  assert.match((await manager.get(`/groups/${groupId}`)).body, /0 catch-ups booked and not yet delivered/);
});

test('a Southmoor manager cannot see or change a Northgate group', async () => {
  const other = t.client();
  await other.signIn('manager2');
  assert.equal((await other.get(`/groups/${groupId}`)).statusCode, 403);
  const session = (await liveSessions(t.database.db, groupId))[30];
  assert.equal((await other.get(`/groups/${groupId}/sessions/${session.id}/cancel`)).statusCode, 403);
  const post = await other.post(`/groups/${groupId}/sessions/${session.id}/cancel`, { version: String(session.version), reason: 'Not mine' });
  assert.equal(post.statusCode, 403);
  assert.equal((await t.database.db.select().from(groupSessions).where(eq(groupSessions.id, session.id)))[0].status, 'scheduled');
  assert.equal((await other.get(`/sites/${ngt}/week`)).statusCode, 403);
  assert.doesNotMatch((await other.get('/groups')).body, /Web test group/);
});

test('a facilitator sees their week and gets a private calendar feed; a wrong secret gets nothing', async () => {
  const facilitator = t.client();
  await facilitator.signIn('facilitator4');
  const session = (await liveSessions(t.database.db, groupId))[0];
  const week = await facilitator.get(`/my/week?date=${session.sessionDate}`);
  assert.equal(week.statusCode, 200);
  const url = /(http:\/\/[^<\s]+\/calendar\/[0-9a-f]{64}\.ics)/.exec(week.body)?.[1];
  assert.ok(url, 'the week page shows the calendar address');
  const anonymous = t.client();
  const feed = await anonymous.get(new URL(url).pathname);
  assert.equal(feed.statusCode, 200);
  assert.match(String(feed.headers['content-type']), /^text\/calendar/);
  assert.match(feed.body, /BEGIN:VEVENT/);
  assert.equal((await anonymous.get(`/calendar/${'0'.repeat(64)}.ics`)).statusCode, 404);
  assert.equal((await anonymous.get('/calendar/not-a-secret')).statusCode, 404);
  // Others' weeks are not theirs to see.
  assert.equal((await facilitator.get(`/facilitators/${ids.facilitator}/week`)).statusCode, 403);
});

test('a facilitator records unavailable days as a range; a bad date or range is named in the error summary', async () => {
  const facilitator = t.client();
  await facilitator.signIn('facilitator3');
  const page = await facilitator.get(`/facilitators/${ids.facilitator3}`);
  assert.equal(page.statusCode, 200);
  const bad = await facilitator.post(`/facilitators/${ids.facilitator3}/unavailable`, { from: '2027-02-30', to: '', reason: '' });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(errorSummary(bad.body), ['The first day must be a real date in the form YYYY-MM-DD']);
  assert.match(bad.body, /href="#unavailable-from"/);
  const backwards = await facilitator.post(`/facilitators/${ids.facilitator3}/unavailable`, {
    from: isoDate(dayNumber(start) + 401),
    to: isoDate(dayNumber(start) + 400),
    reason: '',
  });
  assert.equal(backwards.statusCode, 400);
  assert.deepEqual(errorSummary(backwards.body), ['The last day must be the same as or after the first day']);
  assert.match(backwards.body, /href="#unavailable-to"/);
  const good = await facilitator.post(`/facilitators/${ids.facilitator3}/unavailable`, {
    from: isoDate(dayNumber(start) + 400),
    to: isoDate(dayNumber(start) + 402),
    reason: 'Leave',
  });
  assert.equal(good.statusCode, 303, 'post/redirect/get');
  const shown = await facilitator.get(String(good.headers.location));
  assert.match(shown.body, /3 unavailable days added/);
  assert.equal((shown.body.match(/<td class="govuk-table__cell">Leave<\/td>/g) ?? []).length, 3);
  // Limits are for treatment managers.
  assert.equal(
    (await facilitator.post(`/facilitators/${ids.facilitator3}/limits`, { maxSessionsPerDay: '3', maxSessionsPerWeek: '9', version: '0' })).statusCode,
    403,
  );
  const manager = t.client();
  await manager.signIn('manager');
  await manager.get(`/facilitators/${ids.facilitator3}`);
  const limits = await manager.post(`/facilitators/${ids.facilitator3}/limits`, { maxSessionsPerDay: '2', maxSessionsPerWeek: '1', version: '1' });
  assert.equal(limits.statusCode, 400);
  assert.deepEqual(errorSummary(limits.body), ['Most sessions a week must be at least the most sessions a day']);
});

test('groups, weeks, rooms and facilitators pages answer for the roles that use them', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  for (const url of ['/groups', `/sites/${ngt}/week`, `/sites/${ngt}/setup`, '/facilitators', `/groups/${groupId}/allocate`]) {
    assert.equal((await manager.get(url)).statusCode, 200, url);
  }
  const groupCount = (await t.database.db.select().from(programmeGroups).where(eq(programmeGroups.siteId, ngt))).length;
  assert.ok(groupCount >= 2);
  const auditor = t.client();
  await auditor.signIn('auditor');
  assert.equal((await auditor.get(`/groups/${groupId}`)).statusCode, 200);
  assert.doesNotMatch((await auditor.get(`/groups/${groupId}`)).body, /Swap facilitator/);
  const researcher = t.client();
  await researcher.signIn('researcher');
  assert.equal((await researcher.get('/groups')).statusCode, 403);
});

test('the site’s week and each facilitator’s week list exactly the sessions of that week they are in', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const sessions = await liveSessions(t.database.db, groupId);
  const first = sessions[0];
  const siteWeek = await manager.get(`/sites/${ngt}/week?date=${first.sessionDate}`);
  assert.equal(siteWeek.statusCode, 200);
  assert.match(siteWeek.body, /Session 1, block 1/);
  const monday = new Date(`${first.sessionDate}T12:00:00Z`);
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  const sunday = new Date(monday);
  sunday.setUTCDate(sunday.getUTCDate() + 6);
  const inWeek = sessions.filter((s) => s.sessionDate >= monday.toISOString().slice(0, 10) && s.sessionDate <= sunday.toISOString().slice(0, 10));
  const shown = [...siteWeek.body.matchAll(/Session (\d+), block \d+/g)].map((m) => Number(m[1]));
  for (const s of inWeek) assert.ok(shown.includes(s.number), `session ${s.number} is on the site's week`);
  const facilitatorPage = await manager.get(`/facilitators/${ids.facilitator}/week?date=${first.sessionDate}`);
  assert.equal(facilitatorPage.statusCode, 200);
  const theirs = [...facilitatorPage.body.matchAll(/Session (\d+), block \d+/g)].map((m) => Number(m[1]));
  assert.ok(
    theirs.every((n) => shown.includes(n)),
    'a facilitator’s week is a subset of the site’s week',
  );
});

test('unavailability and a lapsing supervision under a planned timetable are flagged on the group page and re-planned with the cover standing in, saying why', async () => {
  const db = t.database.db;
  const [lead] = await db.select().from(users).where(eq(users.id, ids.facilitator));
  const [cover] = await db.select().from(users).where(eq(users.id, ids.facilitator4));
  const sessions = await liveSessions(db, groupId);
  const target = sessions[40];
  const facilitator = t.client();
  await facilitator.signIn('facilitator');
  const away = await facilitator.post(`/facilitators/${ids.facilitator}/unavailable`, { from: target.sessionDate, to: target.sessionDate, reason: 'Course' });
  assert.equal(away.statusCode, 303);
  const own = await facilitator.get(String(away.headers.location));
  assert.match(own.body, /Sessions planned on unavailable days/);
  assert.match(own.body, new RegExp(`Session ${target.number}, [^:]+: ${lead.displayName} is unavailable on this day`));
  assert.match(own.body, /Ask your treatment manager to re-plan/);

  const manager = t.client();
  await manager.signIn('manager');
  const flagged = await manager.get(`/groups/${groupId}`);
  assert.match(flagged.body, /1 session still to run breaks a scheduling rule/);
  assert.match(flagged.body, /Needs re-planning/);
  const version =
    /action="\/groups\/\d+\/replan">\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<input type="hidden" name="version" value="(\d+)">/.exec(
      flagged.body,
    )?.[1];
  assert.ok(version);
  const replanned = await manager.post(`/groups/${groupId}/replan`, { version });
  assert.equal(replanned.statusCode, 303);
  const page = await manager.get(String(replanned.headers.location));
  assert.match(page.body, new RegExp(`Sessions re-planned from session ${target.number}: 0 sessions moved`));
  assert.match(page.body, new RegExp(`${cover.displayName} stood in for ${lead.displayName}: ${lead.displayName} was unavailable`));
  assert.doesNotMatch(page.body, /Needs re-planning/);

  // The lead's supervision overdue beyond its grace period (as if none had been recorded for 60 days longer): every
  // session of the group still to run is flagged.
  await overdueBeyondGrace(ids.facilitator);
  const lapsed = await manager.get(`/groups/${groupId}`);
  const leads = await db
    .select({ id: groupSessions.id })
    .from(groupSessions)
    .innerJoin(sessionFacilitators, eq(sessionFacilitators.sessionId, groupSessions.id))
    .where(and(eq(groupSessions.groupId, groupId), eq(groupSessions.status, 'scheduled'), eq(sessionFacilitators.userId, ids.facilitator)));
  assert.ok(leads.length > 80);
  assert.match(lapsed.body, new RegExp(`${leads.length} sessions still to run break a scheduling rule`));
  assert.match(lapsed.body, new RegExp(`${lead.displayName}’s supervision lapsed after`));
  const { scenario, solution } = await storedTimetable(db, ngt);
  assert.ok(
    checkTimetable(scenario, checkedCoreSotp, solution).some((v) => v.rule === 'facilitator-not-supervised'),
    'the independent checker agrees',
  );
});

test('the treatment manager’s home page says whose supervision is overdue and which agreed actions are overdue; the facilitator’s does not', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const [f4] = await t.database.db.select().from(users).where(eq(users.id, ids.facilitator4));
  // The demo's facilitator4 was last supervised 50 days ago: due 8 days ago, lapsing in 6 days.
  const home = await manager.get('/');
  assert.match(home.body, /Facilitators’ supervision/);
  assert.match(
    home.body,
    new RegExp(
      `Supervision overdue[\\s\\S]*?${f4.displayName}</a>:\\s*supervision for Core SOTP was due on ${longDate(-8)}; the accreditation lapses after ${longDate(6)}`,
    ),
  );
  assert.match(home.body, new RegExp(`Supervision actions overdue[\\s\\S]*?${f4.displayName}</a>: Plan the role-play timings`));
  const facilitator = t.client();
  await facilitator.signIn('facilitator4');
  assert.doesNotMatch((await facilitator.get('/')).body, /Facilitators’ supervision/);
});

test('a closure day added under planned sessions redirects to the set-up page, which names the sessions and offers to re-plan the group', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  await manager.get(`/sites/${ngt}/setup`);
  const sessions = await liveSessions(t.database.db, groupId);
  const day = sessions[10].sessionDate;
  const added = await manager.post(`/sites/${ngt}/closures`, { date: day, reason: 'Inspection' });
  assert.equal(added.statusCode, 303);
  const page = await manager.get(String(added.headers.location));
  assert.match(page.body, /Closure day added/);
  assert.match(page.body, /Sessions planned on closure days/);
  assert.match(page.body, /Session 11, [^:]+: The site is closed on this day/);
  assert.match(page.body, /Re-plan Web test group from session 11/);
});

test('the site is re-planned from a group page: a confirmation lists the groups re-planned and held, then each one’s finish, bound and gap', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  // The tests above let the lead's accreditation lapse and left facilitator4's supervision overdue; recorded, the web
  // test group can be finished again.
  for (const id of [ids.facilitator, ids.facilitator4]) {
    await manager.get(`/facilitators/${id}/supervisions/new`);
    const renewed = await manager.post(`/facilitators/${id}/supervisions`, { supervisedOn: londonToday(), supervisorId: String(ids.manager) });
    assert.equal(renewed.statusCode, 303);
  }
  const group = await manager.get(`/groups/${groupId}`);
  const href = `/sites/${ngt}/replan?programme=core-sotp`;
  assert.ok(group.body.includes(`href="${href}"`), 'the group page links to re-planning its site');
  const confirm = await manager.get(href);
  assert.equal(confirm.statusCode, 200);
  const heldAt = confirm.body.indexOf('Groups held as they are</h2>');
  const [toReplan, held] = [confirm.body.slice(0, heldAt), confirm.body.slice(heldAt)];
  assert.match(toReplan, /Web test group/);
  // The demo group has run sessions with registers and logs: it keeps them all.
  assert.match(held, /NGT Core SOTP group 1<\/a><\/th>\s*<td class="govuk-table__cell">Started: \d+ sessions have happened/);
  const groups = [...confirm.body.matchAll(/name="groups" value="(\d+:\d+)"/g)].map((m) => m[1]);
  assert.ok(groups.includes(`${groupId}:${(await t.database.db.select().from(programmeGroups).where(eq(programmeGroups.id, groupId)))[0].version}`));

  const other = t.client();
  await other.signIn('manager2');
  assert.equal((await other.get(href)).statusCode, 403);
  await other.get('/groups');
  assert.equal((await other.post(`/sites/${ngt}/replan`, { programme: 'core-sotp', groups })).statusCode, 403);

  const demoBefore = await t.database.db
    .select()
    .from(groupSessions)
    .where(eq(groupSessions.groupId, await demoGroupId()));
  const sent = await manager.post(`/sites/${ngt}/replan`, { programme: 'core-sotp', groups });
  assert.equal(sent.statusCode, 303);
  const result = await manager.get(String(sent.headers.location));
  assert.equal(result.statusCode, 200);
  assert.match(result.body, /Site re-planned/);
  const section = result.body.slice(result.body.indexOf(`id="group-${groupId}"`));
  assert.match(section, /Finish<\/dt><dd class="govuk-summary-list__value">\d+ \w+ \d{4}/);
  assert.match(section, /Calendar bound<\/dt><dd class="govuk-summary-list__value">\d+ \w+ \d{4}/);
  assert.match(section, /Meeting days lost<\/dt><dd class="govuk-summary-list__value">\s*(None: it finishes on its bound|<p class="govuk-body">It lost \d+)/);
  // The session on the closure day added above has moved: the whole site passes the independent checker.
  assert.deepEqual(
    await t.database.db
      .select()
      .from(groupSessions)
      .where(eq(groupSessions.groupId, await demoGroupId())),
    demoBefore,
  );
  const { scenario, solution } = await storedTimetable(t.database.db, ngt);
  assert.deepEqual(checkTimetable(scenario, checkedCoreSotp, solution), []);
  // The outcome is shown once: a reload goes back to the confirmation, and the same form again is refused as stale.
  assert.equal((await manager.get(String(sent.headers.location))).statusCode, 303);
  await manager.get(href);
  assert.equal((await manager.post(`/sites/${ngt}/replan`, { programme: 'core-sotp', groups })).statusCode, 409);
});

async function demoGroupId(): Promise<number> {
  const [row] = await t.database.db.select({ id: programmeGroups.id }).from(programmeGroups).where(eq(programmeGroups.name, 'NGT Core SOTP group 1'));
  return row.id;
}
