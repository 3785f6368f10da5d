/**
 * replication-lag on a real PostgreSQL 15 primary and its streaming replica (pg_basebackup,
 * loopback): a report on the replica holds a lock replay needs while the primary alters the
 * table and keeps writing, so the replica falls behind. With approval the runbook cancels
 * the report, or — when the report must finish — points the read Service at the primary until
 * the replica catches up and back again.
 */
import { Client } from 'pg';
import { eventually, startEngine, TestEngine } from './support/engine';
import { keep } from './support/histories';
import { approvePending, runEnded, startRunbook } from './support/incidents';
import { deployment, kube } from './support/kube';
import { Postgres, startPostgres } from './support/postgres';
import { catalogueOf, ensureNamespace, testService } from './support/services';

const k = kube();
const ordersDb = testService('orders-db', {
  deployments: ['db-primary', 'db-replica'],
  services: ['db-read'],
  runbooks: {
    'replication-lag': {
      params: { max_lag_seconds: '2', read_service: 'db-read', primary_pods: 'db-primary' },
    },
  },
});
let primary: Postgres;
let replica: Postgres;
let engine: TestEngine;
const clients: Client[] = [];

async function connect(pg: Postgres, application: string): Promise<Client> {
  const c = new Client({ connectionString: pg.url, application_name: application });
  c.on('error', () => undefined);
  await c.connect();
  clients.push(c);
  return c;
}

beforeAll(async () => {
  primary = await startPostgres();
  replica = await startPostgres({ replicaOf: primary });
  Object.assign(ordersDb.config, { postgres: primary.url, postgres_replica: replica.url });
  const namespace = await ensureNamespace(k, ordersDb);
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('db-primary', 1) });
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('db-replica', 1) });
  await k.core.createNamespacedService({
    namespace,
    body: {
      metadata: { name: 'db-read' },
      spec: { selector: { app: 'db-replica' }, ports: [{ port: 5432 }] },
    },
  });
  const admin = await connect(primary, 'setup');
  await admin.query('create table orders (id int); create table events (id int)');
  await admin.query('insert into orders values (1)');
  const r = await connect(replica, 'setup');
  await eventually(async () => (await r.query(`select to_regclass('orders') as t`)).rows[0].t !== null);
  engine = await startEngine({ services: catalogueOf([ordersDb]) });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await engine?.close();
  await replica?.stop();
  await primary?.stop();
});

let column = 0;
/** A report on the replica holds `orders`; the primary alters it and writes on: replay waits. */
async function lagBehindReport(seconds: number) {
  const report = await connect(replica, 'month-end-report');
  const running = report.query(`select pg_sleep(${seconds}) from orders`).then(
    () => 'finished',
    (err: Error) => err.message,
  );
  await new Promise((r) => setTimeout(r, 300));
  const writer = await connect(primary, 'orders-api');
  await writer.query(`alter table orders add column c${++column} int`);
  const writing = setInterval(
    () => void writer.query('insert into events select generate_series(1, 100)'),
    200,
  );
  await new Promise((r) => setTimeout(r, 3500));
  return { running, stop: () => clearInterval(writing) };
}

const startRun = (params: Record<string, string>) =>
  startRunbook(engine, ordersDb.name, 'replication-lag', params, 'critical');
const approve = async (id: string, step: string) => {
  const approval = await approvePending(engine, id);
  expect(approval).toMatchObject({ step_id: step, impact: 'high' });
  return approval;
};
const finished = (id: string) => runEnded(engine, id);
const steps = (run: any) => run.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`);

it('finds the report holding replay and, with approval, cancels it; the replica catches up', async () => {
  const lag = await lagBehindReport(600);
  const id = await startRun({});
  const approval = await approve(id, 'cancel');
  expect(approval.what).toMatch(
    /^pg_cancel_backend on .*:replica for \d+ \(month-end-report, \d+ s: select pg_sleep\(600\) from orders\)/,
  );
  const run = await finished(id);
  lag.stop();
  keep(engine.namespace, `${id}-rb-1`, 'runbook-replication-lag');
  expect(run).toMatchObject({ status: 'succeeded' });
  expect(run.outcome).toMatch(/^cancelled 1 queries holding replay/);
  expect(steps(run)).toEqual([
    'primary:succeeded',
    'replica:succeeded',
    'cancel:succeeded',
    'verify:succeeded',
  ]);
  expect(await lag.running).toContain('canceling statement due to user request');
  const [standbys, replay] = run.evidence.map((e: { text: string }) => JSON.parse(e.text));
  expect(standbys.standbys).toHaveLength(1);
  expect(standbys.standbys[0]).toMatchObject({ state: 'streaming' });
  expect(replay.lag_seconds).toBeGreaterThan(2);
  expect(replay.blocking_replay.map((q: { application: string }) => q.application)).toEqual([
    'month-end-report',
  ]);
}, 90_000);

it('moves reads to the primary while the report finishes, and back once the replica caught up', async () => {
  const lag = await lagBehindReport(10);
  const id = await startRun({ remedy: 'reads-to-primary' });
  const approval = await approve(id, 'reads-to-primary');
  expect(approval.what).toContain('selector to {"app":"db-primary"}');
  await eventually(
    async () =>
      (await k.core.readNamespacedService({ namespace: ordersDb.namespace, name: 'db-read' })).spec?.selector
        ?.app === 'db-primary',
  );
  const run = await finished(id);
  lag.stop();
  expect(run).toMatchObject({ status: 'succeeded' });
  expect(steps(run)).toEqual([
    'primary:succeeded',
    'replica:succeeded',
    'read-selector:succeeded',
    'primary-pods:succeeded',
    'reads-to-primary:succeeded',
    'wait:succeeded',
    'reads-back:succeeded',
  ]);
  expect(await lag.running).toBe('finished'); // the report was left to finish
  const svc = await k.core.readNamespacedService({ namespace: ordersDb.namespace, name: 'db-read' });
  expect(svc.spec?.selector).toEqual({ app: 'db-replica' });
}, 90_000);
