// Site set-up's session slots and the forms that use them: the group create form and the catch-up form.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { programmeGroups, rooms, siteSlots, sites, users } from '../../src/db/schema.js';
import { dayNumber, isBankHoliday, isoDate, isoWeekday } from '../../src/domain/schedule/calendar.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';
import { addMembers, liveSessions } from '../support/groups.js';

let t: TestApp;
let ngt: number;
let room1: number;
let demoGroup: number;
const ids: Record<string, number> = {};
before(async () => {
  t = await startTestApp({ demo: true });
  const db = t.database.db;
  [{ id: ngt }] = await db.select({ id: sites.id }).from(sites).where(eq(sites.code, 'NGT'));
  [{ id: room1 }] = await db
    .select({ id: rooms.id })
    .from(rooms)
    .where(and(eq(rooms.siteId, ngt), eq(rooms.name, 'Programme room 1')));
  [{ id: demoGroup }] = await db.select({ id: programmeGroups.id }).from(programmeGroups).where(eq(programmeGroups.name, 'NGT Core SOTP group 1'));
  for (const u of await db.select().from(users)) ids[u.username] = u.id;
});
after(() => t.close());

test('the demo sites have their session slots set explicitly: Monday to Friday at 09:00 and 13:30', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const page = await manager.get(`/sites/${ngt}/setup`);
  assert.equal(page.statusCode, 200);
  for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) {
    for (const time of ['09:00', '13:30']) assert.match(page.body, new RegExp(`<th scope="row" class="govuk-table__header">${day} ${time}</th>`));
  }
  assert.doesNotMatch(page.body, /<th scope="row" class="govuk-table__header">Saturday/);
});

test('a treatment manager adds a session slot in site set-up and is redirected; a bad one is named in the error summary', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  await manager.get(`/sites/${ngt}/setup`);
  const bad = await manager.post(`/sites/${ngt}/slots`, { weekday: '', start: '25:00' });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(errorSummary(bad.body), ['Choose the day of the week', 'Start time must be a time in the form HH:MM, like 09:00']);
  assert.match(bad.body, /href="#slot-weekday"/);
  const twice = await manager.post(`/sites/${ngt}/slots`, { weekday: 'mon', start: '09:00' });
  assert.equal(twice.statusCode, 400);
  assert.deepEqual(errorSummary(twice.body), ['The site already has a session slot on Monday at 09:00']);
  const late = await manager.post(`/sites/${ngt}/slots`, { weekday: 'sat', start: '22:00' });
  assert.deepEqual(errorSummary(late.body), ['A 150-minute session starting at 22:00 would not finish before midnight']);
  const added = await manager.post(`/sites/${ngt}/slots`, { weekday: 'sat', start: '10:00' });
  assert.equal(added.statusCode, 303);
  assert.equal(added.headers.location, `/sites/${ngt}/setup#slots`);
  assert.match((await manager.get(`/sites/${ngt}/setup`)).body, /<th scope="row" class="govuk-table__header">Saturday 10:00<\/th>/);
  // An auditor reads the set-up but cannot change it.
  const auditor = t.client();
  await auditor.signIn('auditor');
  const view = await auditor.get(`/sites/${ngt}/setup`);
  assert.equal(view.statusCode, 200);
  assert.doesNotMatch(view.body, /Add session slot/);
});

test('removing a session slot the demo group meets in is refused on the set-up page, naming the group', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  await manager.get(`/sites/${ngt}/setup`);
  const [slot] = await t.database.db
    .select()
    .from(siteSlots)
    .where(and(eq(siteSlots.siteId, ngt), eq(siteSlots.weekday, 'mon'), eq(siteSlots.startTime, '09:00')));
  const refused = await manager.post(`/sites/${ngt}/slots/${slot.id}/remove`, { version: String(slot.version) });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(errorSummary(refused.body), [
    'Monday 09:00 cannot be removed while NGT Core SOTP group 1 meets in it: a slot can be removed once no current or planned group uses it',
  ]);
  assert.match(refused.body, /href="#slot-slotId"/);
  assert.equal((await t.database.db.select().from(siteSlots).where(eq(siteSlots.id, slot.id))).length, 1);
  // A slot nobody meets in goes, and the page is shown again by a redirect.
  const [unused] = await t.database.db
    .select()
    .from(siteSlots)
    .where(and(eq(siteSlots.siteId, ngt), eq(siteSlots.weekday, 'fri'), eq(siteSlots.startTime, '13:30')));
  const removed = await manager.post(`/sites/${ngt}/slots/${unused.id}/remove`, { version: String(unused.version) });
  assert.equal(removed.statusCode, 303);
  assert.doesNotMatch((await manager.get(`/sites/${ngt}/setup`)).body, />Friday 13:30</);
});

test('the group create form offers the site’s slots, and a slot the site does not offer is refused', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const form = await manager.get(`/groups/new?site=${ngt}`);
  assert.equal(form.statusCode, 200);
  const offered = [...form.body.matchAll(/name="slots" type="checkbox" value="([^"]+)"/g)].map((m) => m[1]);
  const stored = (await t.database.db.select().from(siteSlots).where(eq(siteSlots.siteId, ngt))).map((s) => `${s.weekday} ${s.startTime}`);
  assert.deepEqual([...offered].sort(), [...stored].sort());
  const withTeam = await manager.post('/groups', {
    siteId: String(ngt),
    name: 'Sunday group',
    programmeId: 'core-sotp',
    roomId: String(room1),
    capacity: '8',
    earliestStart: '2030-01-07',
    slots: ['sun 11:00'],
    treatmentManagerId: String(ids.manager),
    leadId: String(ids.facilitator),
    coId: String(ids.facilitator3),
  });
  assert.equal(withTeam.statusCode, 400);
  assert.deepEqual(errorSummary(withTeam.body), [
    'Sunday 11:00 is not one of HMP Northgate’s session slots: choose from the list, or add the slot in site set-up first',
  ]);
});

test('the catch-up form offers the site’s slot times and rooms; a day without slots is refused naming the date, a slot on an open day is booked', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  await addMembers(t.database.db, demoGroup, ngt, 1);
  const sessions = await liveSessions(t.database.db, demoGroup);
  const form = await manager.get(`/groups/${demoGroup}/catch-ups/new`);
  assert.equal(form.statusCode, 200);
  const times = [
    ...(/<select class="govuk-select" id="start" name="start"[\s\S]*?<\/select>/.exec(form.body)?.[0] ?? '').matchAll(/<option value="([^"]+)"/g),
  ].map((m) => m[1]);
  assert.deepEqual(times, ['09:00', '10:00', '13:30'], 'the distinct start times of the site’s slots (Saturday 10:00 was added above)');
  assert.match(form.body, /<select class="govuk-select" id="roomId" name="roomId"/);
  const memberId = /<select class="govuk-select" id="memberId" name="memberId">[\s\S]*?<option value="(\d+)"/.exec(form.body)?.[1]!;
  const missed = sessions[0];
  // After the demo group's last session nobody is busy; the first Sunday then (the site has no Sunday slots).
  let day = dayNumber(sessions[sessions.length - 1].sessionDate) + 1;
  while (isoWeekday(day) !== 7) day++;
  const sunday = await manager.post(`/groups/${demoGroup}/catch-ups`, {
    memberId,
    sessionId: String(missed.id),
    date: isoDate(day),
    start: '09:00',
    roomId: String(room1),
    facilitatorId: String(ids.facilitator4),
  });
  assert.equal(sunday.statusCode, 400);
  assert.deepEqual(errorSummary(sunday.body), ['HMP Northgate has no session slots on Sundays: choose a day it runs sessions']);
  assert.match(sunday.body, /href="#date-day"/);
  while (isoWeekday(day) > 5 || isBankHoliday(day)) day++;
  const booked = await manager.post(`/groups/${demoGroup}/catch-ups`, {
    memberId,
    sessionId: String(missed.id),
    date: isoDate(day),
    start: '09:00',
    roomId: String(room1),
    facilitatorId: String(ids.facilitator4),
  });
  assert.equal(booked.statusCode, 303, errorSummary(booked.body).join(' | '));
  const week = await manager.get(`/sites/${ngt}/week?date=${isoDate(day)}`);
  assert.match(week.body, /Programme room 1/, 'the site’s week shows the catch-up’s room');
});
