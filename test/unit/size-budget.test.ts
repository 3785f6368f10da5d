/**
 * The size budget (issue #15): every workflow's state under 512 KB, every query/update result
 * under 256 KB, every continue-as-new input under 1 MB — at the caps, not on a typical day.
 * Incidents and alert groups are measured at scale with a real server (incident-at-scale);
 * here the guard, from its own constants (the id sequence holds one number).
 */
import { GUARD_WAITERS, type GuardState } from '../../workflows/definitions';
import { BREAKER, RATE_LIMITS } from '../../workflows/service-guard';

const QUERY_BUDGET = 256_000;
const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

test('a guard at its worst (every waiter, every action slot, a full breaker) stays under the query budget', () => {
  const incident = `INC-${'9'.repeat(60)}`;
  const now = Date.now();
  // Step actions come from runbook code, not input: 100 kinds is far beyond the catalogue's.
  const kinds = [...Object.keys(RATE_LIMITS), ...Array.from({ length: 95 }, (_, n) => `action-${n}`)];
  const actions = kinds.flatMap((action) =>
    Array.from({ length: Object.hasOwn(RATE_LIMITS, action) ? RATE_LIMITS[action].count : 5 }, () => ({
      action,
      incident,
      at: now,
    })),
  );
  const worst: GuardState = {
    paused: true,
    paused_by: 'p'.repeat(512),
    breaker_open: true,
    reset_by: 'r'.repeat(512),
    actions,
    // Failures are reported only by actions that took a slot: at most one per slot.
    failures: actions.map(() => now).concat(Array(BREAKER.failures).fill(now)),
    waiting: Array.from({ length: GUARD_WAITERS }, (_, n) => `${incident}-run-${n}-${'x'.repeat(60)}`),
  };
  expect(bytes(worst)).toBeLessThan(QUERY_BUDGET);
});
