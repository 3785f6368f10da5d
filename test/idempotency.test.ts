/**
 * `Idempotency-Key` (#17): a client or proxy retrying a mutating request — in sequence or
 * concurrently — gets the first answer and one effect; without a key nothing changes.
 */
import { startEngine, TestEngine, unique } from './support/engine';
import { detail } from './support/incidents';

let engine: TestEngine;
beforeAll(async () => {
  engine = await startEngine();
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
