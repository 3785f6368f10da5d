/**
 * `Idempotency-Key` (#17): a client or proxy retrying a mutating request — in sequence or
 * concurrently — gets the first answer and one effect; without a key nothing changes.
 */
import { IncidentNumbers } from '../common/incident-numbers';
import { eventually, startEngine, TestEngine, unique } from './support/engine';
import { detail } from './support/incidents';

let engine: TestEngine;
beforeAll(async () => {
  // Short runs: keyed retries here also cross continue-as-new, where Temporal's own dedup ends.
  engine = await startEngine({ historyLimit: 60 });
});
afterAll(() => engine?.close());

const post = (path: string, body: unknown, key?: string) =>
  engine.call('POST', path, { body, headers: key ? { 'Idempotency-Key': key } : {} });

it('a declare retried with one key opens one incident and answers the same each time', async () => {
  const title = unique('Checkout down');
  const body = { title, description: 'd', severity: 'high', affected_services: ['checkout'] };
  const key = unique('declare');
  const answers = [await post('/api/v1/incidents', body, key), await post('/api/v1/incidents', body, key)];
  answers.push(...(await Promise.all([1, 2].map(() => post('/api/v1/incidents', body, key)))));
  expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
  expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
  const list = (await engine.call('GET', '/api/v1/incidents?limit=200')).body.incidents as {
    title: string;
  }[];
  expect(list.filter((i) => i.title === title)).toHaveLength(1);
});

it('notes, runbook starts and action items retried with one key happen once; without a key, twice', async () => {
  const id = (
    await post('/api/v1/incidents', {
      title: unique('t'),
      description: 'd',
      severity: 'low',
      affected_services: ['x'],
    })
  ).body.id;
  const noteKey = unique('note');
  const notes = await Promise.all(
    [1, 2, 3].map(() => post(`/api/v1/incidents/${id}/notes`, { text: 'once' }, noteKey)),
  );
  expect(notes.map((n) => n.status)).toEqual([200, 200, 200]);
  await post(`/api/v1/incidents/${id}/notes`, { text: 'twice' });
  await post(`/api/v1/incidents/${id}/notes`, { text: 'twice' });
  const timeline = (await detail(engine, id)).timeline.map((e: { message: string }) => e.message);
  expect(timeline.filter((m: string) => m === 'once')).toHaveLength(1);
  expect(timeline.filter((m: string) => m === 'twice')).toHaveLength(2);

  const runKey = unique('run');
  const runs = [
    await post(`/api/v1/incidents/${id}/runbooks`, { name: 'rolling-restart', dry_run: true }, runKey),
    await post(`/api/v1/incidents/${id}/runbooks`, { name: 'rolling-restart', dry_run: true }, runKey),
  ];
  expect(runs[1].body).toEqual(runs[0].body);
  expect((await detail(engine, id)).runbooks).toHaveLength(1);

  const itemKey = unique('item');
  const item = { title: 'add a canary', owner: 'olga', due: '2027-01-15' };
  const items = [
    await post(`/api/v1/incidents/${id}/action-items`, item, itemKey),
    await post(`/api/v1/incidents/${id}/action-items`, item, itemKey),
  ];
  expect(items.map((i) => i.status)).toEqual([201, 201]);
  expect(items[1].body.id).toBe(items[0].body.id);
  const listed = (await engine.call('GET', `/api/v1/incidents/${id}/action-items`)).body;
  expect(listed.action_items).toHaveLength(1);
});

it('a malformed key is a 400 naming the header', async () => {
  const r = await post(
    '/api/v1/incidents',
    { title: 't', description: 'd', severity: 'low', affected_services: [] },
    'bad key with spaces',
  );
  expect(r.status).toBe(400);
  expect(JSON.stringify(r.body)).toContain('Idempotency-Key');
});

/** Every timeline message, earlier runs included (paged back with ?before). */
async function wholeTimeline(id: string): Promise<string[]> {
  const out: string[] = [];
  for (let before: number | null | undefined; before !== null;) {
    const q = before === undefined ? '' : `&before=${before}`;
    const page = (await engine.call('GET', `/api/v1/incidents/${id}/timeline?limit=200${q}`)).body;
    out.push(...page.entries.map((e: { message: string }) => e.message));
    before = page.entries.length ? page.next_before : null;
  }
  return out;
}

const declareBody = () => ({
  title: unique('t'),
  description: 'd',
  severity: 'low',
  affected_services: ['x'],
});

it('the same key with a different body is a 422 and changes nothing; the first request keeps its answer', async () => {
  const key = unique('reused');
  const first = await post('/api/v1/incidents', declareBody(), key);
  expect(first.status).toBe(201);
  const other = await post('/api/v1/incidents', declareBody(), key);
  expect(other.status).toBe(422);
  expect(other.body.error.code).toBe('idempotency_key_reused');
  expect(other.body.error.message).toMatch(/different request/);

  const id = first.body.id;
  const noteKey = unique('note');
  expect((await post(`/api/v1/incidents/${id}/notes`, { text: 'first' }, noteKey)).status).toBe(200);
  const reused = await post(`/api/v1/incidents/${id}/notes`, { text: 'second' }, noteKey);
  expect(reused.status).toBe(422);
  // Concurrent: one body wins, the other is refused; never both.
  const raceKey = unique('race');
  const race = await Promise.all(
    ['a', 'b'].map((text) => post(`/api/v1/incidents/${id}/notes`, { text: `race ${text}` }, raceKey)),
  );
  expect(race.map((r) => r.status).sort()).toEqual([200, 422]);
  const timeline = (await detail(engine, id)).timeline.map((e: { message: string }) => e.message);
  expect(timeline.filter((m: string) => m === 'second')).toHaveLength(0);
  expect(timeline.filter((m: string) => m.startsWith('race '))).toHaveLength(1);
});

it('a keyed retry after the incident continued as new gets the first answer, not a second effect', async () => {
  const id = (await post('/api/v1/incidents', declareBody())).body.id;
  const handle = engine.client.workflow.getHandle(id);
  const firstRun = (await handle.describe()).runId;
  const key = unique('item');
  const item = { title: 'add a canary', owner: 'olga', due: '2027-01-15' };
  const created = await post(`/api/v1/incidents/${id}/action-items`, item, key);
  const noteKey = unique('note');
  await post(`/api/v1/incidents/${id}/notes`, { text: 'noted once' }, noteKey);
  // Unkeyed notes push history past the limit: the incident continues as new.
  for (let n = 0; n < 30; n++) await post(`/api/v1/incidents/${id}/notes`, { text: `filler ${n}` });
  await eventually(async () => (await handle.describe()).runId !== firstRun, { timeoutMs: 30_000 });

  const again = await post(`/api/v1/incidents/${id}/action-items`, item, key);
  expect(again.status).toBe(201);
  expect(again.body).toEqual(created.body);
  expect((await post(`/api/v1/incidents/${id}/notes`, { text: 'noted once' }, noteKey)).status).toBe(200);
  expect((await post(`/api/v1/incidents/${id}/notes`, { text: 'other' }, noteKey)).status).toBe(422);
  const d = await detail(engine, id);
  expect(d.action_items).toHaveLength(1);
  expect((await wholeTimeline(id)).filter((m) => m === 'noted once')).toHaveLength(1);
});

it('declares keep their id allocation deadline per batch: an expired first caller does not fail later ones', async () => {
  const numbers = new IncidentNumbers(engine.client, engine.taskQueue);
  // The first caller's deadline is short; callers keep arriving while each batch is in flight,
  // so batches follow back to back (each asked for by callers with deadlines of their own).
  const first = engine.client.withDeadline(Date.now() + 400, () => numbers.next()).catch(() => undefined);
  const failures: unknown[] = [];
  const got: number[] = [];
  const calls: Promise<unknown>[] = [];
  const timer = setInterval(() => {
    const call = engine.client.withDeadline(Date.now() + 10_000, () => numbers.next());
    calls.push(
      call.then(
        (n) => got.push(n),
        (err) => failures.push(err),
      ),
    );
  }, 5);
  await new Promise((r) => setTimeout(r, 2_500));
  clearInterval(timer);
  await Promise.all(calls);
  await first;
  expect(failures).toEqual([]);
  expect(new Set(got).size).toBe(got.length);
  expect(got.length).toBeGreaterThan(100);
});
