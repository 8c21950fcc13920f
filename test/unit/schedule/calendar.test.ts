import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  BankHolidayChangesError,
  bankHolidays,
  dayNumber,
  easterSunday,
  isBankHoliday,
  isIsoDate,
  isoDate,
  isoWeek,
  isoWeekday,
  parseBankHolidayChanges,
  weekStart,
  weeksSpanned,
} from '../../../src/domain/schedule/calendar.js';

interface Published {
  events: Array<{ date: string; title: string }>;
}
const published: Published = JSON.parse(readFileSync(new URL('../../fixtures/bank-holidays-england-and-wales.json', import.meta.url), 'utf8'));

for (let year = 2019; year <= 2027; year++) {
  test(`bank holidays for ${year} match the GOV.UK published list, dates and titles`, () => {
    const expected = published.events.filter((e) => e.date.startsWith(`${year}-`)).map((e) => ({ date: e.date, title: e.title }));
    assert.ok(expected.length >= 8);
    assert.deepEqual(bankHolidays(year), expected);
  });
}

// Worked out by hand: Easter Sunday 16 Apr 2028, 1 Apr 2029, 21 Apr 2030; 1 Jan 2028 is a Saturday,
// 2028 is a leap year, so 1 Jan 2029 is a Monday and 1 Jan 2030 a Tuesday.
const handDerived: Record<number, string[]> = {
  2028: ['2028-01-03', '2028-04-14', '2028-04-17', '2028-05-01', '2028-05-29', '2028-08-28', '2028-12-25', '2028-12-26'],
  2029: ['2029-01-01', '2029-03-30', '2029-04-02', '2029-05-07', '2029-05-28', '2029-08-27', '2029-12-25', '2029-12-26'],
  2030: ['2030-01-01', '2030-04-19', '2030-04-22', '2030-05-06', '2030-05-27', '2030-08-26', '2030-12-25', '2030-12-26'],
};
for (const [year, dates] of Object.entries(handDerived)) {
  test(`bank holidays for ${year} follow the rules (dates derived by hand)`, () => {
    assert.deepEqual(
      bankHolidays(Number(year)).map((h) => h.date),
      dates,
    );
  });
}

test("New Year's Day 2028 on a Saturday moves to Monday 3 January", () => {
  assert.deepEqual(bankHolidays(2028)[0], { date: '2028-01-03', title: "New Year's Day (substitute day)" });
});

test('Christmas 2027 on a Saturday moves to Monday 27th and Boxing Day to Tuesday 28th', () => {
  const december = bankHolidays(2027).filter((h) => h.date.startsWith('2027-12'));
  assert.deepEqual(december, [
    { date: '2027-12-27', title: 'Christmas Day (substitute day)' },
    { date: '2027-12-28', title: 'Boxing Day (substitute day)' },
  ]);
});

test('Christmas 2033 on a Sunday: Boxing Day stays Monday 26th and Christmas moves to Tuesday 27th', () => {
  const december = bankHolidays(2033).filter((h) => h.date.startsWith('2033-12'));
  assert.deepEqual(december, [
    { date: '2033-12-26', title: 'Boxing Day' },
    { date: '2033-12-27', title: 'Christmas Day (substitute day)' },
  ]);
});

test('Boxing Day 2026 on a Saturday moves to Monday 28th while Christmas stays on Friday 25th', () => {
  const december = bankHolidays(2026).filter((h) => h.date.startsWith('2026-12'));
  assert.deepEqual(
    december.map((h) => h.date),
    ['2026-12-25', '2026-12-28'],
  );
});

test('the one-off 2020 VE day change replaces the early May Monday rather than adding a day', () => {
  const dates = bankHolidays(2020).map((h) => h.date);
  assert.ok(dates.includes('2020-05-08'));
  assert.ok(!dates.includes('2020-05-04'));
});

test('Easter Sunday is always a Sunday between 22 March and 25 April', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1900, max: 2200 }), (year) => {
      const easter = easterSunday(year);
      assert.equal(isoWeekday(easter), 7);
      assert.ok(easter >= dayNumber(`${year}-03-22`) && easter <= dayNumber(`${year}-04-25`));
    }),
  );
});

test('every bank holiday by rule falls on a weekday, eight a year when no one-off change applies', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2024, max: 2200 }), (year) => {
      const holidays = bankHolidays(year);
      assert.equal(holidays.length, 8);
      for (const h of holidays) assert.ok(isoWeekday(dayNumber(h.date)) <= 5, `${h.date} ${h.title}`);
      assert.equal(new Set(holidays.map((h) => h.date)).size, 8);
    }),
  );
});

test('isBankHoliday agrees with the published list for every day of 2019-2027', () => {
  const published2019to2027 = new Set(published.events.map((e) => e.date));
  for (let day = dayNumber('2019-01-01'); day <= dayNumber('2027-12-31'); day++) {
    assert.equal(isBankHoliday(day), published2019to2027.has(isoDate(day)), isoDate(day));
  }
});

test('1 January 1970 is a Thursday and 4 January 2027 a Monday', () => {
  assert.equal(isoWeekday(dayNumber('1970-01-01')), 4);
  assert.equal(isoWeekday(dayNumber('2027-01-04')), 1);
  assert.equal(isoWeekday(dayNumber('2027-01-03')), 7);
});

test('ISO weeks run Monday to Sunday: 3 Jan 2027 (Sunday) is week 53 of 2026, 4 Jan week 1 of 2027', () => {
  assert.deepEqual(isoWeek(dayNumber('2027-01-03')), { year: 2026, week: 53 });
  assert.deepEqual(isoWeek(dayNumber('2027-01-04')), { year: 2027, week: 1 });
  assert.deepEqual(isoWeek(dayNumber('2024-12-30')), { year: 2025, week: 1 });
  assert.equal(weekStart(dayNumber('2027-01-10')), dayNumber('2027-01-04'));
});

test('weeks spanned counts ISO weeks touched: Friday to next Monday is 2, Monday to Sunday is 1', () => {
  assert.equal(weeksSpanned(dayNumber('2027-01-08'), dayNumber('2027-01-11')), 2);
  assert.equal(weeksSpanned(dayNumber('2027-01-04'), dayNumber('2027-01-10')), 1);
});

test('dates round-trip through day numbers, and impossible dates are rejected', () => {
  fc.assert(
    fc.property(fc.integer({ min: -20000, max: 60000 }), (day) => {
      assert.equal(dayNumber(isoDate(day)), day);
    }),
  );
  assert.equal(isIsoDate('2027-02-29'), false);
  assert.equal(isIsoDate('2028-02-29'), true);
  assert.equal(isIsoDate('2027-1-04'), false);
  assert.throws(() => dayNumber('2027-13-01'));
});

test('a one-off bank holiday change must move a holiday set by rule, and the data file names the bad field', () => {
  assert.throws(
    () => parseBankHolidayChanges({ changes: [{ date: '2030-05-10', title: 'Moved', replaces: 'Midsummer bank holiday' }] }),
    (e: unknown) => e instanceof BankHolidayChangesError && e.field === 'changes[0].replaces',
  );
  assert.throws(
    () => parseBankHolidayChanges({ changes: [{ date: '2030-02-30', title: 'Not a day' }] }),
    (e: unknown) => e instanceof BankHolidayChangesError && e.field === 'changes[0].date',
  );
  assert.throws(
    () =>
      parseBankHolidayChanges({
        changes: [
          { date: '2030-06-03', title: 'Extra' },
          { date: '2030-06-03', title: 'Again' },
        ],
      }),
    (e: unknown) => e instanceof BankHolidayChangesError && e.field === 'changes[1].date',
  );
});
