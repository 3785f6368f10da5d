/**
 * slow-query-investigation on a real PostgreSQL 15 with pg_stat_statements: a query running
 * long and another waiting on a lock are found (with who blocks it), cancelled — the sessions
 * stay — and verified gone; the top statements are evidence. The recorded run replays.
 */
import { Client } from 'pg';
import { startEngine, TestEngine } from './support/engine';
import { keep } from './support/histories';
import { declare, pendingApproval, runReaches } from './support/incidents';
import { Postgres, startPostgres } from './support/postgres';
import { catalogueOf, testService } from './support/services';

const queryEngine = testService('query-engine', {
  kubernetes: false,
  runbooks: { 'slow-query-investigation': {} },
});
let pg: Postgres;
let engine: TestEngine;
const sessions: Client[] = [];

beforeAll(async () => {
  pg = await startPostgres({ preload: ['pg_stat_statements'] });
  queryEngine.config.postgres = pg.url;
  engine = await startEngine({ services: catalogueOf([queryEngine]) });
  const admin = await session('setup');
  await admin.query('create extension pg_stat_statements');
  await admin.query('create table jobs (id int)');
  for (let i = 0; i < 3; i++) await admin.query('select pg_sleep(0.1)');
});
afterAll(async () => {
  await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
  await engine?.close();
  await pg?.stop();
});

async function session(application: string): Promise<Client> {
  const c = new Client({ connectionString: pg.url, application_name: application });
  c.on('error', () => undefined);
  await c.connect();
  sessions.push(c);
  return c;
}

it('finds the long query and the one blocked behind a lock, cancels both, keeps the sessions', async () => {
  const report = await session('reporting');
  const long = report.query('select pg_sleep(600)').then(
    () => 'finished',
    (err: Error) => err.message,
  );
  const holder = await session('migration');
  await holder.query('begin');
  await holder.query('lock table jobs in access exclusive mode');
  const worker = await session('jobs-worker');
  const blocked = worker.query('select count(*) from jobs').then(
    () => 'finished',
    (err: Error) => err.message,
  );
  await new Promise((r) => setTimeout(r, 2500));

  const id = await declare(engine, queryEngine.name, 'high');
  const started = await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'slow-query-investigation', params: { seconds: '2' } },
  });
  expect(started.status).toBe(202);
  const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
  keep(engine.namespace, `${id}-rb-1`, 'runbook-slow-query-investigation-v6');
  expect(run).toMatchObject({ status: 'succeeded' });
  expect(run.outcome).toMatch(/^cancelled 2 queries active over 2s/);
  expect(run.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual([
    'statements:succeeded',
    'running:succeeded',
    'cancel:succeeded',
    'verify:succeeded',
  ]);
  expect(await long).toContain('canceling statement due to user request');
  expect(await blocked).toContain('canceling statement due to user request');
  // The sessions stay; the lock holder was not a running query and is untouched.
  expect((await report.query('select 1 as ok')).rows[0].ok).toBe(1);
  expect((await holder.query('select 1 as ok')).rows[0].ok).toBe(1);

  const evidence = run.evidence as { title: string; text: string }[];
  const top = JSON.parse(evidence[0].text);
  expect(top.by_total.some((s: { query: string }) => s.query.includes('pg_sleep'))).toBe(true);
  const found = JSON.parse(evidence[1].text).queries as { application: string; blocked_by: number[] }[];
  const holderPid = (await holder.query('select pg_backend_pid() as pid')).rows[0].pid;
  expect(found.map((q) => q.application).sort()).toEqual(['jobs-worker', 'reporting']);
  expect(found.find((q) => q.application === 'jobs-worker')!.blocked_by).toEqual([holderPid]);
}, 120_000);

it('finds nothing to do when no query runs long, and says so', async () => {
  const id = await declare(engine, queryEngine.name, 'high');
  await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'slow-query-investigation', params: { seconds: '30' } },
  });
  const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
  expect(run).toMatchObject({
    status: 'succeeded',
    outcome: 'no query active over 30s; top statements attached',
  });
});

it('terminates, only after an approval, a backend that ignores the cancel', async () => {
  const etl = await session('etl');
  // Catches every cancel and carries on: only terminating the backend ends it.
  const stubborn = etl
    .query(
      `do $$ begin loop begin perform pg_sleep(0.2); exception when query_canceled then null; end; end loop; end $$`,
    )
    .then(
      () => 'finished',
      (err: Error) => err.message,
    );
  await new Promise((r) => setTimeout(r, 2500));
  const id = await declare(engine, queryEngine.name, 'high');
  await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'slow-query-investigation', params: { seconds: '2' } },
  });
  const approval = await pendingApproval(engine, id);
  expect(approval).toMatchObject({ step_id: 'terminate', impact: 'high' });
  expect(await Promise.race([stubborn, new Promise((r) => setTimeout(() => r('running'), 500))])).toBe(
    'running',
  );
  await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
    token: 'approver',
    body: {},
  });
  const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
  expect(run).toMatchObject({ status: 'succeeded' });
  expect(run.outcome).toMatch(/^cancelled 0 and terminated 1 queries active over 2s/);
  expect(run.steps.map((s: { id: string }) => s.id)).toEqual([
    'statements',
    'running',
    'cancel',
    'verify',
    'terminate',
    'verify-terminated',
  ]);
  expect(await stubborn).toContain('terminating connection due to administrator command');
}, 120_000);
