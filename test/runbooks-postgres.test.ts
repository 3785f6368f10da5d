import { Client } from 'pg';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createPostgresActivities } from '../activities/postgres';
import { TargetScope } from '../activities/scope';
import { ServicesConfigSchema } from '../config/schema';
import { toServiceCatalogue } from '../config/services';
import { eventually, startEngine, TestEngine } from './support/engine';
import { keep } from './support/histories';
import { declare, detail, pendingApproval, runReaches } from './support/incidents';
import { deployment, kube } from './support/kube';
import { Postgres, startPostgres } from './support/postgres';
import { startReceiver, type Receiver } from './support/receiver';
import { catalogueOf, ensureNamespace, testService } from './support/services';

const exhaustion = { 'postgres-connection-exhaustion': {} };
const S = {
  ordersDb: testService('orders-db', { kubernetes: false, runbooks: exhaustion }),
  capped: testService('capped-db', {
    kubernetes: false,
    caps: { max_sessions_terminated: 2 },
    runbooks: exhaustion,
  }),
  // An app and its database: one service, whose Deployment the runbook may restart.
  orders: testService('orders', { deployments: ['orders-web'], runbooks: { 'db-connection-failure': {} } }),
  ordersDown: testService('orders-down', {
    deployments: ['orders-web'],
    postgres: 'postgres://postgres@127.0.0.1:1/postgres',
    runbooks: { 'db-connection-failure': {} },
  }),
  noDatabase: testService('no-db', { kubernetes: false, runbooks: exhaustion }),
  // Its own database, so refusing connections to it (a spike) leaves the others alone.
  spiky: testService('spiky', { deployments: ['spiky-web'], runbooks: { 'db-connection-failure': {} } }),
};
let pg: Postgres;
let health: Receiver;
let engine: TestEngine;
const sessions: Client[] = [];
beforeAll(async () => {
  pg = await startPostgres({ maxConnections: 20 });
  health = await startReceiver();
  for (const s of [S.ordersDb, S.capped, S.orders]) s.config.postgres = pg.url;
  S.orders.config.health_checks = [`${health.url}/healthz`];
  await (await session('setup')).query('create database spiky');
  S.spiky.config.postgres = pg.url.replace(/\/postgres$/, '/spiky');
  engine = await startEngine({ services: catalogueOf(Object.values(S)) });
});
afterAll(async () => {
  await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
  await engine?.close();
  await health?.close();
  await pg?.stop();
});

async function session(application: string): Promise<Client> {
  const c = new Client({ connectionString: pg.url, application_name: application });
  c.on('error', () => undefined); // terminated sessions report here
  await c.connect();
  sessions.push(c);
  return c;
}
const alive = async (c: Client) =>
  c.query('select 1').then(
    () => true,
    () => false,
  );

describe('postgres-connection-exhaustion on a real PostgreSQL', () => {
  it('diagnoses, waits for approval, terminates only the stale idle-in-transaction sessions, and verifies headroom', async () => {
    const stuck = await Promise.all([1, 2, 3].map(() => session('billing-worker')));
    for (const c of stuck) {
      await c.query('begin');
      await c.query('select 1');
    }
    const idle = await Promise.all([1, 2].map(() => session('web')));
    const fresh = await session('billing-worker');

    const id = await declare(engine, S.ordersDb.name, 'critical');
    await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
      body: { name: 'postgres-connection-exhaustion', params: { idle_seconds: '3' } },
    });
    const approval = await pendingApproval(engine, id);
    expect(approval).toMatchObject({ step_id: 'terminate', impact: 'high' });
    // Nothing happens while the step waits (each query also restarts the session's idle clock).
    expect(await Promise.all(stuck.map(alive))).toEqual([true, true, true]);
    await new Promise((r) => setTimeout(r, 3500)); // the stuck sessions are now idle in transaction for > 3 s
    await fresh.query('begin'); // idle in transaction too, but younger than the threshold

    await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
      token: 'approver',
      body: {},
    });
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    keep(engine.namespace, `${id}-rb-1`, 'runbook-postgres-connection-exhaustion-v6');
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(run.outcome).toMatch(/^terminated 3 sessions/);

    expect(await Promise.all(stuck.map(alive))).toEqual([false, false, false]);
    expect(await Promise.all(idle.map(alive))).toEqual([true, true]);
    expect(await alive(fresh)).toBe(true);

    const evidence = run.evidence;
    expect(evidence.map((e: any) => e.title)).toEqual(['connections before', 'connections after']);
    const before = JSON.parse(evidence[0].text);
    expect(before.max_connections).toBe(20);
    expect(before.by_application['billing-worker']).toBe(4);
    expect(before.by_state['idle in transaction']).toBeGreaterThanOrEqual(3);
    await fresh.query('rollback'); // leave no idle transaction behind for the next test
  });
});

describe('the blast radius cap on terminated sessions', () => {
  it("terminates at most the service's catalogued cap of sessions and reports what remains", async () => {
    const stuck = await Promise.all([1, 2, 3].map(() => session('report-job')));
    for (const c of stuck) await c.query('begin');
    await new Promise((r) => setTimeout(r, 2500));
    const id = await declare(engine, S.capped.name);
    await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
      body: { name: 'postgres-connection-exhaustion', params: { idle_seconds: '2' } },
    });
    const approval = await pendingApproval(engine, id);
    expect(approval.what).toContain('terminate up to 2 sessions');
    await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
      token: 'approver',
      body: {},
    });
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    expect(run.outcome).toMatch(/^terminated 2 sessions \(cap 2; 1 idle in transaction remain\)/);
    expect((await Promise.all(stuck.map(alive))).filter(Boolean)).toHaveLength(1);
  });
});

describe('session termination retried after a crash', () => {
  it('spends only what remains of the cap: the pids an earlier attempt terminated count', async () => {
    const stuck = await Promise.all([1, 2, 3].map(() => session('retry-job')));
    // Counted first: a query restarts a session's idle clock.
    const aliveBefore = (await Promise.all(sessions.map(alive))).filter(Boolean).length;
    for (const c of stuck) await c.query('begin');
    await new Promise((r) => setTimeout(r, 2500));
    const { entries } = toServiceCatalogue(ServicesConfigSchema.parse(catalogueOf([S.capped])));
    const acts = createPostgresActivities({
      urls: { [S.capped.name]: pg.url },
      scope: new TargetScope(entries),
    });
    // Attempt 2 of an activity whose first attempt terminated one session (pid 999999) and then crashed.
    const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { pids: [999_999] } });
    const terminate = { service: S.capped.name, scope: S.capped.name, olderThanSeconds: 2, max: 2 };
    const result = await retry.run<[], { pids: number[] }, () => Promise<{ pids: number[] }>>(() =>
      acts.pgTerminateIdleInTransaction(terminate),
    );
    expect(result.pids).toHaveLength(2); // the earlier one and one more: the cap of 2 in all
    expect(result.pids[0]).toBe(999_999);
    // One session terminated now (the oldest idle in transaction, this file's or an earlier test's).
    expect((await Promise.all(sessions.map(alive))).filter(Boolean)).toHaveLength(aliveBefore - 1);
  });
});

describe("db-connection-failure, the seeds' example runbook", () => {
  const k = kube();

  it('checks the database, restarts the app, and verifies connectivity', async () => {
    const namespace = await ensureNamespace(k, S.orders);
    await k.apps.createNamespacedDeployment({ namespace, body: deployment('orders-web', 2) });
    await eventually(
      async () =>
        (await k.apps.readNamespacedDeployment({ namespace, name: 'orders-web' })).status?.readyReplicas ===
        2,
      { timeoutMs: 60_000 },
    );
    const id = await declare(engine, S.orders.name);
    // Every target (database, namespace, Deployment, health check) comes from the catalogue entry.
    await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
      body: { name: 'db-connection-failure' },
    });
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    keep(engine.namespace, `${id}-rb-1`, 'runbook-db-connection-failure-checks');
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(run.steps.map((s: any) => s.id)).toEqual([
      'confirm',
      'app-health',
      'db-health',
      'restart-app',
      'wait',
      'verify',
      'watch-app',
    ]);
    expect(run.evidence.map((e: any) => e.title)).toEqual([
      'app health',
      'database health',
      'app health after the restart',
    ]);
    expect(JSON.parse(run.evidence[0].text)).toMatchObject({ ok: true, status: 200 });
    expect(JSON.parse(run.evidence[2].text)).toMatchObject({ count: 3, failed: 0 });
    expect(health.requests.map((r) => r.at)).toHaveLength(4); // once before, three times after the restart
    const d = await k.apps.readNamespacedDeployment({ namespace, name: 'orders-web' });
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('pages the DBA with what was tried when the app keeps failing after the restart', async () => {
    health.down = true;
    try {
      const id = await declare(engine, S.orders.name);
      await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
        body: { name: 'db-connection-failure' },
      });
      const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
      expect(run.status).toBe('escalated');
      expect(run.steps.map((s: any) => s.id)).toContain('watch-app');
      expect(run.outcome).toContain('the app still fails 3 of 3 health checks after the restart');
      expect(run.outcome).toMatch(/Tried: app health 503 in \d+ ms; database answered in \d+ ms; restarted /);
      expect(run.outcome).toContain('app health after the restart: 3/3 failed');
    } finally {
      health.down = false;
    }
  }, 90_000);

  it('tells a spike from a sustained failure: a database back within the recheck gets the app restarted', async () => {
    const namespace = await ensureNamespace(k, S.spiky);
    await k.apps.createNamespacedDeployment({ namespace, body: deployment('spiky-web', 1) });
    const admin = await session('dba');
    await admin.query('alter database spiky allow_connections false');
    const id = await declare(engine, S.spiky.name);
    await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
      body: { name: 'db-connection-failure' },
    });
    // Back once the first check failed: the recheck (three checks, 4 s apart) sees it answer.
    await eventually(async () => {
      const run = (await detail(engine, id)).runbooks?.[0];
      return run?.steps.some((s: any) => s.id === 'db-recheck');
    });
    await admin.query('alter database spiky allow_connections true');
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(run.steps.map((s: any) => s.id)).toEqual([
      'confirm',
      'db-health',
      'db-recheck',
      'restart-app',
      'wait',
      'verify',
    ]);
    const [first, rechecked] = run.evidence.map((e: any) => JSON.parse(e.text));
    expect(first).toMatchObject({ ok: false });
    expect(first.error).toContain('is not currently accepting connections');
    expect(rechecked.count).toBe(3);
    expect(rechecked.failed).toBeLessThan(3);
    expect(rechecked.results.at(-1)).toMatchObject({ ok: true });
  }, 90_000);

  it('escalates to the DBA without touching the app when the database itself is down', async () => {
    const namespace = await ensureNamespace(k, S.ordersDown);
    await k.apps.createNamespacedDeployment({ namespace, body: deployment('orders-web', 1) });
    const id = await declare(engine, S.ordersDown.name);
    await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
      body: { name: 'db-connection-failure' },
    });
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    expect(run).toMatchObject({ status: 'escalated' });
    expect(run.outcome).toContain('dba-oncall');
    // Rechecked before paging: three more failed checks make it sustained, and the page says what was tried.
    expect(run.steps.map((s: any) => s.id)).toContain('db-recheck');
    expect(run.outcome).toContain('sustained: 3 more checks over 8 s failed');
    expect(run.outcome).toContain('Tried: database unreachable (');
    expect(run.outcome).toContain('rechecked: 0/3 answered');
    expect(run.steps.map((s: any) => s.id)).not.toContain('restart-app');
    expect((await detail(engine, id)).timeline.some((e: any) => e.message.includes('is unreachable'))).toBe(
      true,
    );
  });

  it('stops with a clear message when a target is not configured', async () => {
    const id = await declare(engine, S.noDatabase.name);
    await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
      body: { name: 'postgres-connection-exhaustion', params: { service: 'unknown-db' } },
    });
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    expect(run.status).toBe('escalated');
    expect(run.outcome).toContain(
      `service "unknown-db" is not one of ${S.noDatabase.name}'s catalogued database targets (none)`,
    );
  });
});
