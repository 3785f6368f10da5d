import { HEALTH_LIMITS, HealthBook } from '../../domain/engine-health';

const T0 = '2026-11-29T10:00:00.000Z';
const T1 = '2026-11-29T10:00:10.000Z';
const hint = (n: number) => ({
  runId: `run-${n}`,
  workflowId: `INC-${n}`,
  workflowType: 'incident',
  reason: 'boom',
});
const seen = (n: number, status: string | undefined, attempt: number) => ({
  runId: `run-${n}`,
  status,
  attempt,
});

test('a suspect is stuck only once Temporal shows a second attempt; one transient failure is forgotten', () => {
  const book = new HealthBook();
  book.suspect(hint(1), T0);
  book.suspect(hint(2), T0);
  expect(book.view().stuck).toEqual([]);
  const events = book.observe([seen(1, 'RUNNING', 3), seen(2, 'RUNNING', 1)], T1);
  expect(events.map((e) => [e.kind, e.workflow.workflow_id])).toEqual([['stuck', 'INC-1']]);
  expect(book.view().stuck.map((w) => w.workflow_id)).toEqual(['INC-1']);
  expect(book.size).toBe(1); // run-2 ran again: dropped without a word
  expect(book.observe([seen(1, 'RUNNING', 4)], T1)).toEqual([]); // still stuck: said once
});

test('recovered, failed and terminated are told and remembered; a failed suspect is told even unconfirmed', () => {
  const book = new HealthBook();
  for (const n of [1, 2, 3]) book.suspect(hint(n), T0);
  book.observe([seen(1, 'RUNNING', 2), seen(2, 'RUNNING', 2)], T0);
  book.suspect(hint(4), T0);
  const events = book.observe(
    [seen(1, 'RUNNING', 0), seen(2, 'TERMINATED', 0), seen(3, 'FAILED', 0), seen(4, 'COMPLETED', 0)],
    T1,
  );
  expect(events.map((e) => [e.kind, e.workflow.workflow_id])).toEqual([
    ['recovered', 'INC-1'],
    ['failed', 'INC-2'],
    ['failed', 'INC-3'],
  ]);
  const view = book.view();
  expect(view.stuck).toEqual([]);
  expect(view.recent).toHaveLength(3);
  expect(book.size).toBe(0);
});

test('bounded: suspects past the cap are counted, recent events keep the newest', () => {
  const book = new HealthBook();
  for (let n = 0; n < HEALTH_LIMITS.followed + 7; n++) book.suspect(hint(n), T0);
  expect(book.size).toBe(HEALTH_LIMITS.followed);
  expect(book.view().omitted).toBe(7);
  const all = [...Array(HEALTH_LIMITS.followed).keys()];
  book.observe(
    all.map((n) => seen(n, 'RUNNING', 2)),
    T0,
  );
  book.observe(
    all.map((n) => seen(n, 'RUNNING', 0)),
    T1,
  );
  const view = book.view();
  expect(view.recent).toHaveLength(HEALTH_LIMITS.recent);
  expect(view.recent_omitted).toBe(HEALTH_LIMITS.followed - HEALTH_LIMITS.recent);
  expect(view.recent.at(-1)!.workflow.workflow_id).toBe(`INC-${HEALTH_LIMITS.followed - 1}`);
  // Carried over continue-as-new whole, and far under Temporal's 2 MB.
  expect(JSON.stringify(book.carry()).length).toBeLessThan(256_000);
  expect(new HealthBook(book.carry()).view()).toEqual(view);
});
