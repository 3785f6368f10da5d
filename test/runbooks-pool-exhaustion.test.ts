/**
 * connection-pool-exhaustion against an app with a real node-postgres Pool on PostgreSQL 15,
 * whose pods follow its Deployment on the Kubernetes plane: a pool of leaked connections is
 * reset by a restart; a pool of busy ones gets another pod. Each verified by the pool's own
 * counters; the database's view of the app's sessions is evidence.
 */
import { eventually, startEngine, TestEngine } from './support/engine';
import { keep } from './support/histories';
import { runEnded, startRunbook } from './support/incidents';
import { deployment, kube } from './support/kube';
import { PoolApp, startPoolApp } from './support/pool-app';
import { Postgres, startPostgres } from './support/postgres';
import { catalogueOf, ensureNamespace, testService, TestService } from './support/services';

const k = kube();
let pg: Postgres;
let engine: TestEngine;
const apps: PoolApp[] = [];
let leaky: { svc: TestService; app: PoolApp };
let busy: typeof leaky;

async function service(prefix: string) {
  const svc = testService(prefix, { deployments: ['query-api'], caps: { max_replicas: 4 } });
  const namespace = await ensureNamespace(k, svc);
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('query-api', 1) });
  const application = `${prefix}-api`;
  const app = await startPoolApp({
    kube: k,
    namespace,
    deployment: 'query-api',
    postgres: pg.url,
    application,
    perPod: 3,
  });
  apps.push(app);
  svc.config.postgres = pg.url;
  svc.config.health_checks = [app.poolUrl];
  svc.config.runbooks = { 'connection-pool-exhaustion': { params: { application } } };
  return { svc, app };
}

beforeAll(async () => {
  pg = await startPostgres();
  [leaky, busy] = [await service('leaky'), await service('busy')];
  engine = await startEngine({ services: catalogueOf([leaky.svc, busy.svc]) });
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await engine?.close();
  await pg?.stop();
});

const pool = async (app: PoolApp) => (await (await fetch(app.poolUrl)).json()) as Record<string, number>;

async function run(svc: TestService) {
  const id = await startRunbook(engine, svc.name, 'connection-pool-exhaustion');
  return { id, run: await runEnded(engine, id) };
}
const evidence = (run: any, title: string) =>
  JSON.parse(run.evidence.find((e: { title: string }) => e.title === title).text);

it('restarts the app when its connections leaked, and the new pool has room', async () => {
  for (let i = 0; i < 3; i++)
    expect((await fetch(`${leaky.app.url}/leak`, { method: 'POST' })).status).toBe(204);
  // Waits for a connection; its old pod goes away with the restart (the app's close() ends it).
  void fetch(`${leaky.app.url}/work?ms=10`).catch(() => undefined);
  await eventually(async () => (await pool(leaky.app)).waiting === 1);
  expect(await pool(leaky.app)).toEqual({ total: 3, idle: 0, waiting: 1, max: 3 });

  const { id, run: r } = await run(leaky.svc);
  keep(engine.namespace, `${id}-rb-1`, 'runbook-connection-pool-exhaustion');
  expect(r).toMatchObject({ status: 'succeeded' });
  expect(r.steps.map((s: { id: string }) => s.id)).toEqual([
    'pool',
    'database',
    'deployment',
    'restart',
    'wait',
    'verify',
  ]);
  expect(evidence(r, 'database sessions').application_states).toEqual({ idle: 3 });
  expect(evidence(r, 'app pool before')).toMatchObject({ waiting: 1, idle: 0 });
  expect(evidence(r, 'app pool after')).toMatchObject({ waiting: 0 });
  expect(r.outcome).toMatch(/^restarted query-api: pool /);
  expect(leaky.app.restarts()).toBe(1);
  expect((await fetch(`${leaky.app.url}/work?ms=10`)).status).toBe(200);
});

it('scales the app out within its cap when every connection is busy', async () => {
  // Five callers on three connections, for as long as the run takes; a caller whose request
  // fails (a slow machine) calls again rather than leave the pool.
  let working = true;
  const load = Array.from({ length: 5 }, async () => {
    while (working) await fetch(`${busy.app.url}/work?ms=1500`).catch(() => undefined);
  });
  try {
    await eventually(async () => (await pool(busy.app)).waiting === 2, { timeoutMs: 10_000 });
    expect(await pool(busy.app)).toMatchObject({ total: 3, idle: 0, max: 3 });
    const { run: r } = await run(busy.svc);
    expect([r.status, r.outcome]).toEqual(['succeeded', expect.stringMatching(/^scaled query-api: pool /)]);
    expect(r.steps.map((s: { id: string }) => s.id)).toEqual([
      'pool',
      'database',
      'deployment',
      'scale',
      'wait',
      'verify',
    ]);
    // Busy on the database: a connection is idle there only between one caller's query and
    // the next waiting caller's, so the three are mostly, not always all, active at one read.
    const states = evidence(r, 'database sessions').application_states;
    expect((states.active ?? 0) + (states.idle ?? 0)).toBe(3);
    expect(states.active).toBeGreaterThan(states.idle ?? 0);
    expect(evidence(r, 'app pool after')).toMatchObject({ waiting: 0, max: 6 });
    const d = await k.apps.readNamespacedDeployment({ namespace: busy.svc.namespace, name: 'query-api' });
    expect(d.spec?.replicas).toBe(2);
    expect(busy.app.restarts()).toBe(0);
  } finally {
    working = false;
    await Promise.all(load);
  }
}, 60_000);
