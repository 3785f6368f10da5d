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

describe('retry storms while the worker restarts', () => {
  /** A client that retries what the engine answered 503 (Temporal or the worker away), same key. */
  async function retrying(method: string, path: string, body: unknown, key: string) {
    for (let attempt = 0; ; attempt++) {
      const r = await engine.call(method, path, { body, headers: { 'Idempotency-Key': key } });
      if (r.status !== 503 || attempt >= 20) return r;
      await new Promise((res) => setTimeout(res, 300));
    }
  }

  /** Three concurrent calls with one key while the worker is down, then three in sequence. */
  async function storm(method: string, path: string, body: unknown) {
    const key = unique('storm');
    await engine.stopWorker();
    const burst = Promise.all([1, 2, 3].map(() => retrying(method, path, body, key)));
    await new Promise((r) => setTimeout(r, 1_000));
    await engine.startWorker();
    const answers = [...(await burst)];
    for (let n = 0; n < 3; n++) answers.push(await retrying(method, path, body, key));
    expect(new Set(answers.map((a) => a.status)).size).toBe(1);
    expect(answers[0].status).toBeLessThan(300);
    return { key, answers };
  }

  /** What must be identical across the answers: records as they are; an incident by id and status. */
  const gist = (body: any) => (body?.timeline ? { id: body.id, status: body.status } : body);

  it('every mutating incident route: one effect, the same answer six times, 422 for another body', async () => {
    const declared = await storm('POST', '/api/v1/incidents', declareBody());
    const id = declared.answers[0].body.id;
    expect(new Set(declared.answers.map((a) => a.body.id))).toEqual(new Set([id]));
    const base = `/api/v1/incidents/${id}`;
    // Each call, and another body for its key (publish has no body to differ).
    const calls: [string, string, object, object | undefined][] = [
      ['PATCH', base, { affected_services: ['x', 'y'] }, { affected_services: ['x', 'z'] }],
      ['POST', `${base}/acknowledge`, {}, { assignee: 'olga' }],
      ['POST', `${base}/notes`, { text: 'storm note' }, { text: 'other' }],
      [
        'POST',
        `${base}/evidence`,
        { kind: 'log', title: 'storm evidence', text: 'e' },
        { kind: 'log', title: 'o', text: 'e' },
      ],
      ['PUT', `${base}/services/x/health`, { health: 'degraded' }, { health: 'major_outage' }],
      [
        'POST',
        `${base}/status-updates`,
        { message: 'storm update', visibility: 'internal' },
        { message: 'o', visibility: 'internal' },
      ],
      [
        'POST',
        `${base}/action-items`,
        { title: 'storm item', owner: 'olga', due: '2027-01-15' },
        { title: 'o', owner: 'olga', due: '2027-01-15' },
      ],
      ['POST', `${base}/runbooks`, { name: 'rolling-restart', dry_run: true }, { name: 'rolling-restart' }],
      [
        'POST',
        `${base}/transition`,
        { to: 'resolved', root_cause: 'a storm' },
        { to: 'resolved', root_cause: 'o' },
      ],
      ['PUT', `${base}/postmortem`, { summary: 'storm summary' }, { summary: 'other' }],
      ['POST', `${base}/postmortem/publish`, {}, undefined],
    ];
    for (const [method, path, body, other] of calls) {
      const { key, answers } = await storm(method, path, body);
      for (const a of answers) expect(gist(a.body)).toEqual(gist(answers[0].body));
      if (!other) continue;
      const reused = await engine.call(method, path, { body: other, headers: { 'Idempotency-Key': key } });
      expect([path, reused.status]).toEqual([path, 422]);
    }
    const d = await detail(engine, id);
    const timeline = await wholeTimeline(id); // earlier runs included: the storm continued it as new
    const count = (text: string) => timeline.filter((m) => m.includes(text)).length;
    expect(count('storm note')).toBe(1);
    expect(d.evidence).toHaveLength(1);
    expect(d.status_updates).toHaveLength(1);
    expect(d.action_items).toHaveLength(1);
    expect(d.runbooks).toHaveLength(1);
    expect(count('Postmortem published')).toBe(1);
    expect(count('Status acknowledged → resolved')).toBe(1);
    expect(d.status).toBe('postmortem');
  }, 240_000);
});

it('worker-side numbers come with spares: unique across allocators, consecutive from one allocation', async () => {
  const workers = [10, 10, 0].map((spare) => new IncidentNumbers(engine.client, engine.taskQueue, spare));
  const got = await Promise.all(Array.from({ length: 60 }, (_, i) => workers[i % 3].next()));
  expect(new Set(got).size).toBe(60);
  // Five in a row from one worker after its first: served from the spares of one allocation.
  const one = new IncidentNumbers(engine.client, engine.taskQueue, 10);
  const first = await one.next();
  const next: number[] = [];
  for (let i = 0; i < 5; i++) next.push(await one.next());
  expect(next).toEqual([1, 2, 3, 4, 5].map((d) => first + d));
});
