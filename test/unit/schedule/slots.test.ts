import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupStillMeets, newSiteSlotRefusal, slotsOutsideSite, sortSlots } from '../../../src/domain/schedule/slots.js';
import type { Slot } from '../../../src/domain/schedule/solver.js';

const site: Slot[] = [
  { weekday: 'mon', start: '09:00' },
  { weekday: 'mon', start: '13:30' },
  { weekday: 'wed', start: '09:00' },
];

test('a site slot whose session would not finish before midnight is refused: 150 minutes from 21:30 ends at midnight', () => {
  assert.deepEqual(newSiteSlotRefusal({ weekday: 'sat', start: '21:30' }, site, 150), {
    field: 'start',
    message: 'A 150-minute session starting at 21:30 would not finish before midnight',
  });
  assert.equal(newSiteSlotRefusal({ weekday: 'sat', start: '21:29' }, site, 150), undefined, 'ending at 23:59 is allowed');
  assert.equal(newSiteSlotRefusal({ weekday: 'sat', start: '22:00' }, site, 60), undefined, 'a shorter programme fits');
});

test('a site slot already offered is refused; the same time on another day is a new slot', () => {
  assert.deepEqual(newSiteSlotRefusal({ weekday: 'mon', start: '09:00' }, site, 150), {
    field: 'start',
    message: 'The site already has a session slot on Monday at 09:00',
  });
  assert.equal(newSiteSlotRefusal({ weekday: 'tue', start: '09:00' }, site, 150), undefined);
});

test('a site slot starts at a real HH:MM time', () => {
  assert.equal(newSiteSlotRefusal({ weekday: 'mon', start: '9:00' }, site, 150)?.field, 'start');
  assert.equal(newSiteSlotRefusal({ weekday: 'mon', start: '24:00' }, site, 150)?.field, 'start');
});

test('a group’s slots outside its site’s are found, in week order; none when it meets only in the site’s slots', () => {
  const group: Slot[] = [
    { weekday: 'sat', start: '10:00' },
    { weekday: 'mon', start: '09:00' },
    { weekday: 'mon', start: '10:00' },
  ];
  assert.deepEqual(slotsOutsideSite(group, site), [
    { weekday: 'mon', start: '10:00' },
    { weekday: 'sat', start: '10:00' },
  ]);
  assert.deepEqual(slotsOutsideSite([{ weekday: 'wed', start: '09:00' }], site), []);
});

test('slots are listed Monday first, then by start time', () => {
  const shuffled: Slot[] = [
    { weekday: 'sun', start: '09:00' },
    { weekday: 'mon', start: '13:30' },
    { weekday: 'mon', start: '09:00' },
  ];
  assert.deepEqual(
    sortSlots(shuffled).map((s) => `${s.weekday} ${s.start}`),
    ['mon 09:00', 'mon 13:30', 'sun 09:00'],
  );
});

test('a group still meets in its slots until its last session, or while it has none planned; a closed group does not', () => {
  assert.equal(groupStillMeets('scheduled', '2027-05-07', '2027-05-07'), true, 'its last session is today');
  assert.equal(groupStillMeets('scheduled', '2027-05-07', '2027-05-08'), false, 'finished');
  assert.equal(groupStillMeets('unscheduled', undefined, '2027-05-08'), true, 'not planned yet: planning would use its slots');
  assert.equal(groupStillMeets('closed', '2027-09-01', '2027-05-08'), false);
});
