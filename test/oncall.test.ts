/** Schedule and business-hours math (pure functions shared by the workflow and the API). */
import { isBusinessHours, nextBusinessDayEnd, nextBusinessStart, onCallAt, Schedule } from '../domain/oncall';

const daily: Schedule = {
  timezone: 'Europe/Berlin',
  rotation: 'daily',
  handoff: '09:00',
  start: '2026-10-20',
  people: ['ana', 'ben'],
  overrides: [],
};
const t = (iso: string) => Date.parse(iso);
const hours = { timezone: 'America/New_York', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };

describe('on-call rotation', () => {
  it('hands off at local wall-clock time across a DST change', () => {
    // Berlin leaves summer time on Sunday 25 Oct 2026: handoff is 07:00 UTC before, 08:00 UTC after.
    expect(onCallAt(daily, t('2026-10-24T06:59:00Z')).person).toBe('ben'); // 08:59 CEST: 23 Oct's shift
    expect(onCallAt(daily, t('2026-10-24T07:00:00Z')).person).toBe('ana');
    expect(onCallAt(daily, t('2026-10-26T07:59:00Z'))).toMatchObject({
      person: 'ben',
      shift_start: '2026-10-25T08:00:00.000Z',
      shift_end: '2026-10-26T08:00:00.000Z',
    });
    expect(onCallAt(daily, t('2026-10-26T08:00:00Z')).person).toBe('ana');
  });

  it('lets the last matching override win and says where the answer came from', () => {
    const s = {
      ...daily,
      overrides: [
        { from: '2026-10-30T00:00:00Z', to: '2026-10-31T00:00:00Z', person: 'cy' },
        { from: '2026-10-30T12:00:00Z', to: '2026-10-30T13:00:00Z', person: 'dee' },
      ],
    };
    expect(onCallAt(s, t('2026-10-30T11:00:00Z'))).toMatchObject({ person: 'cy', source: 'override' });
    expect(onCallAt(s, t('2026-10-30T12:30:00Z'))).toMatchObject({ person: 'dee', source: 'override' });
    expect(onCallAt(s, t('2026-10-31T00:00:00Z')).source).toBe('rotation');
  });
});

describe('business hours', () => {
  it('knows working hours in the configured zone', () => {
    expect(isBusinessHours(hours, t('2026-11-26T14:00:00Z'))).toBe(true); // Thursday 09:00 in New York
    expect(isBusinessHours(hours, t('2026-11-26T13:59:00Z'))).toBe(false);
    expect(isBusinessHours(hours, t('2026-11-28T15:00:00Z'))).toBe(false); // Saturday
  });

  it('holds a page from Friday night until Monday 09:00 local', () => {
    expect(new Date(nextBusinessStart(hours, t('2026-11-28T02:00:00Z'))).toISOString()).toBe(
      '2026-11-30T14:00:00.000Z',
    );
    expect(nextBusinessStart(hours, t('2026-11-26T15:00:00Z'))).toBe(t('2026-11-26T15:00:00Z'));
  });

  it('puts "next business day" at the end of the next working day', () => {
    expect(new Date(nextBusinessDayEnd(hours, t('2026-11-27T15:00:00Z'))).toISOString()).toBe(
      '2026-11-30T22:00:00.000Z',
    ); // Fri → Mon 17:00
  });
});
