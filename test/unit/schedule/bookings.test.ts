import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catchUpRefusal, facilitatorTimeRefusal, sessionTime, type CatchUpPlace, type FacilitatorTime } from '../../../src/domain/schedule/bookings.js';
import type { Slot } from '../../../src/domain/schedule/solver.js';

// A site running sessions Monday to Friday at 09:00 and 13:30; 2027-03-06 is a Saturday, 2027-03-08 a Monday.
const weekdaySlots: Slot[] = (['mon', 'tue', 'wed', 'thu', 'fri'] as const).flatMap((weekday) => ['09:00', '13:30'].map((start) => ({ weekday, start })));

function place(overrides: Partial<CatchUpPlace> = {}): CatchUpPlace {
  return { siteName: 'HMP Northgate', siteSlots: weekdaySlots, closures: [], roomName: 'Room 2', roomBookings: [], groupSessions: [], ...overrides };
}

const at = (date: string, start: string) => sessionTime(date, start, 150)!;

test('a catch-up on a Saturday when the site has no Saturday slots is refused on the date', () => {
  assert.deepEqual(catchUpRefusal(at('2027-03-06', '10:00'), place()), {
    field: 'date',
    message: 'HMP Northgate has no session slots on Saturdays: choose a day it runs sessions',
  });
});

test('a catch-up starts at one of the site’s slot times for its weekday', () => {
  assert.deepEqual(catchUpRefusal(at('2027-03-08', '10:00'), place()), {
    field: 'start',
    message: 'HMP Northgate’s session slots on Mondays start at 09:00 or 13:30',
  });
  const saturdayMorning = place({ siteSlots: [...weekdaySlots, { weekday: 'sat', start: '10:00' }] });
  assert.equal(catchUpRefusal(at('2027-03-06', '10:00'), saturdayMorning), undefined, 'a Saturday slot makes Saturday a day for catch-ups');
  assert.deepEqual(catchUpRefusal(at('2027-03-06', '09:00'), saturdayMorning), {
    field: 'start',
    message: 'HMP Northgate’s session slots on Saturdays start at 10:00',
  });
});

test('a catch-up on a bank holiday is refused even in one of the site’s slots', () => {
  // Easter Monday 2027.
  const refusal = catchUpRefusal(at('2027-03-29', '09:00'), place());
  assert.equal(refusal?.field, 'date');
  assert.match(refusal!.message, /^Monday,? 29 March 2027 is a bank holiday$/);
});

test('a catch-up on a site closure day is refused, naming the closure', () => {
  const refusal = catchUpRefusal(at('2027-03-08', '09:00'), place({ closures: [{ date: '2027-03-08', reason: 'Inspection' }] }));
  assert.equal(refusal?.field, 'date');
  assert.match(refusal!.message, /^HMP Northgate is closed on Monday,? 8 March 2027 \(Inspection\)$/);
});

test('a catch-up never double-books its room: the refusal names what holds it and when', () => {
  const roomBookings = [{ label: 'Group B session 14', date: '2027-03-08', start: '09:00', end: '11:30' }];
  assert.deepEqual(catchUpRefusal(at('2027-03-08', '09:00'), place({ roomBookings })), {
    field: 'roomId',
    message: 'Room 2 is taken by Group B session 14 at 09:00',
  });
  // Overlapping without starting together is a clash too; the afternoon is free.
  const earlier = [{ label: 'a catch-up of Group C session 2', date: '2027-03-08', start: '11:00', end: '13:31' }];
  assert.deepEqual(catchUpRefusal(at('2027-03-08', '13:30'), place({ roomBookings: earlier })), {
    field: 'roomId',
    message: 'Room 2 is taken by a catch-up of Group C session 2 at 11:00',
  });
  assert.equal(catchUpRefusal(at('2027-03-08', '13:30'), place({ roomBookings })), undefined);
  assert.equal(catchUpRefusal(at('2027-03-09', '09:00'), place({ roomBookings })), undefined, 'another day');
});

test('a catch-up never overlaps the man’s own group session', () => {
  const groupSessions = [{ label: 'session 6', date: '2027-03-08', start: '09:00', end: '11:30' }];
  assert.deepEqual(catchUpRefusal(at('2027-03-08', '09:00'), place({ groupSessions })), {
    field: 'start',
    message: 'That time overlaps his group’s session 6 (09:00 to 11:30)',
  });
});

test('a catch-up in a site slot on an open day with its room free is accepted', () => {
  assert.equal(catchUpRefusal(at('2027-03-08', '13:30'), place()), undefined);
});

test('a session runs its programme’s length from the start, and finishes before midnight', () => {
  assert.deepEqual(sessionTime('2027-03-08', '13:30', 150), { date: '2027-03-08', start: '13:30', end: '16:00' });
  assert.deepEqual(sessionTime('2027-03-08', '21:29', 150), { date: '2027-03-08', start: '21:29', end: '23:59' });
  assert.equal(sessionTime('2027-03-08', '21:30', 150), undefined, 'ends at midnight, which no stored time can say');
});

function facilitator(overrides: Partial<FacilitatorTime> = {}): FacilitatorTime {
  return { name: 'Kit Facilitator', unavailable: [], week: [], maxSessionsPerDay: 1, maxSessionsPerWeek: 5, ...overrides };
}

test('a facilitator is not booked on a day they are unavailable', () => {
  assert.match(
    facilitatorTimeRefusal(at('2027-03-08', '09:00'), facilitator({ unavailable: ['2027-03-08'] }))!,
    /^Kit Facilitator is unavailable on Monday,? 8 March 2027$/,
  );
});

test('a facilitator is never double-booked: the refusal names the other booking', () => {
  const week = [{ label: 'Group B session 14', date: '2027-03-08', start: '09:00', end: '11:30' }];
  assert.match(
    facilitatorTimeRefusal(at('2027-03-08', '09:00'), facilitator({ week, maxSessionsPerDay: 2 }))!,
    /^Kit Facilitator is already booked for Group B session 14 from 09:00 to 11:30 on Monday,? 8 March 2027$/,
  );
});

test('a facilitator is not booked over their daily or weekly limit', () => {
  const morning = { label: 'Group B session 14', date: '2027-03-08', start: '09:00', end: '11:30' };
  assert.equal(
    facilitatorTimeRefusal(at('2027-03-08', '13:30'), facilitator({ week: [morning] })),
    'Kit Facilitator would be over their limit of 1 session a day',
  );
  assert.equal(facilitatorTimeRefusal(at('2027-03-08', '13:30'), facilitator({ week: [morning], maxSessionsPerDay: 2 })), undefined);
  const fiveDays = ['2027-03-08', '2027-03-09', '2027-03-10', '2027-03-11', '2027-03-12'].map((date) => ({ ...morning, date }));
  assert.equal(
    facilitatorTimeRefusal(at('2027-03-12', '13:30'), facilitator({ week: fiveDays, maxSessionsPerDay: 2 })),
    'Kit Facilitator would be over their limit of 5 sessions a week',
  );
});
