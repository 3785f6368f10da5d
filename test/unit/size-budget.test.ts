/**
 * The size budget (issues #15, #17): every workflow's state under 512 KB, every query/update result
 * under 256 KB, every continue-as-new input under 1 MB — at the caps, not on a typical day.
 * Incidents and alert groups are measured at scale with a real server (incident-at-scale);
 * here the guard and the book of Idempotency-Keys, from their own constants.
 */
import { GUARD_WAITERS, type GuardState } from '../../workflows/definitions';
import { BREAKER, RATE_LIMITS } from '../../workflows/service-guard';
import { addKey, type KeyBook, KEY_BOOK, keptAnswer } from '../../domain/request-keys';

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

test('a full book of Idempotency-Keys (carried over continue-as-new) stays far under its share', () => {
  const book: KeyBook = { keys: [], omitted: 0 };
  const actor = 'a'.repeat(512); // identities are capped at 512 characters
  for (let n = 0; n < KEY_BOOK.max + 100; n++) {
    const key = {
      id: `createActionItem:${actor}:${n.toString(16).padStart(32, '0')}`,
      fingerprint: 'f'.repeat(16),
    };
    addKey(book, { ...key, at: Date.now(), ...keptAnswer({ note: 'x'.repeat(KEY_BOOK.answerBytes - 20) }) });
  }
  expect(book.keys).toHaveLength(KEY_BOOK.max);
  expect(book.omitted).toBe(100); // an exact count of what it left out
  expect(bytes(book)).toBeLessThan(400_000); // with the record (512 kB), a continue-as-new input stays under 1 MB
  expect(keptAnswer({ id: 'AI-7', note: 'y'.repeat(2_000) })).toEqual({ answer_id: 'AI-7' }); // big answers: their id only
});
