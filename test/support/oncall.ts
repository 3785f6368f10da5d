/** On-call shapes the tests share: one person on call every day, and business hours all day. */

/** A daily rotation of one person (UTC), so every page at that level goes to them. */
export const dailyOnCall = (person: string) => ({
  timezone: 'UTC',
  rotation: 'daily' as const,
  handoff: '00:00',
  start: '2026-01-01',
  people: [person],
});

/** Business hours that never end: paging never waits for the morning. */
export const ALL_DAY = { timezone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' };
