// The facilitator's iCalendar feed read back by an independent parser (ical.js): text escaped so it survives,
// and times that calendar programs place at the session's London time on either side of the clocks changing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import type { Database } from '../../src/db/connection.js';
import { calendarSecret } from '../../src/services/facilitators.js';
import { getGroup } from '../../src/services/groups/detail.js';
import { createGroup } from '../../src/services/groups/planning.js';
import { calendarFeed } from '../../src/services/timetable/calendar-feed.js';
import { testDatabase } from '../support/database.js';
import { buildEstate, groupForm, testToday, type Estate } from '../support/groups.js';

// Every character RFC 5545 makes special in a TEXT value, and a bare carriage return.
const awkwardName = 'Wing A\rGroup; one, two\\three\nEast';

let database: Database;
let estate: Estate;
let feed: string;
let sessions: Awaited<ReturnType<typeof getGroup>>['sessions'];
before(async () => {
  database = await testDatabase();
  estate = await buildEstate(database.db);
  // Five mornings a week from January 2027: the 84 sessions run past the start of British Summer Time (28 March 2027).
  const { id } = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { name: awkwardName, earliestStart: '2027-01-04' }),
    testToday,
  );
  sessions = (await getGroup(database.db, estate.managerA, id)).sessions;
  feed = (await calendarFeed(database.db, await calendarSecret(database.db, estate.f.f1)))!;
});
after(() => database.close());

function parsedEvents(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const zone = new ICAL.Timezone(calendar.getFirstSubcomponent('vtimezone')!);
  ICAL.TimezoneService.register(zone, 'Europe/London');
  return calendar.getAllSubcomponents('vevent').map((component) => new ICAL.Event(component));
}

test('a group name with a bare carriage return is escaped in the iCalendar feed, as are newline, comma, semicolon and backslash', () => {
  assert.doesNotMatch(feed, /\r(?!\n)/, 'no carriage return outside a line ending');
  assert.doesNotMatch(feed, /(?<!\r)\n/, 'no line feed outside a line ending');
  const events = parsedEvents(feed);
  assert.equal(events.length, sessions.length);
  // iCalendar text has one line break (\n); a carriage return in the name is read back as that line break.
  const nameAsRead = 'Wing A\nGroup; one, two\\three\nEast';
  for (const event of events) {
    const session = sessions.find((s) => event.uid === `session-${s.id}@sotp`);
    assert.ok(session, `event ${event.uid} is one of the group's sessions`);
    assert.equal(event.summary, `${nameAsRead}: Core SOTP session ${session.number} (block ${session.block})`);
  }
});

test('calendar programs show a session at its London time in winter (GMT) and in summer (BST)', () => {
  const events = parsedEvents(feed);
  const utcOf = (date: string) => {
    const event = events.find((e) => e.startDate.toString().startsWith(date));
    assert.ok(event, `a session on ${date}`);
    return [event.startDate.toJSDate().toISOString(), event.endDate.toJSDate().toISOString()];
  };
  const winter = sessions.find((s) => s.date < '2027-03-28')!;
  const summer = sessions.find((s) => s.date > '2027-03-28')!;
  assert.equal(winter.start, '09:00');
  assert.equal(summer.start, '09:00');
  // 09:00 in London is 09:00 UTC in winter and 08:00 UTC in summer; sessions last 150 minutes.
  assert.deepEqual(utcOf(winter.date), [`${winter.date}T09:00:00.000Z`, `${winter.date}T11:30:00.000Z`]);
  assert.deepEqual(utcOf(summer.date), [`${summer.date}T08:00:00.000Z`, `${summer.date}T10:30:00.000Z`]);
});
