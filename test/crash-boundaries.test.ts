/**
 * Crash at every boundary (#17): a worker killed with SIGKILL before an activity starts,
 * while it runs, or after it ran but before its completion reached the server. A new worker
 * takes over; each built-in Kubernetes runbook then shows exactly one effect on the real
 * target and finishes, and session termination stays within its cap on a real PostgreSQL. (The worker kills itself at the boundary: bench/support/worker-process.ts.)
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KEY_ANNOTATION } from '../activities/kubernetes';
import { eventually, startEngine, TestEngine } from './support/engine';
import { declare, detail, runReaches } from './support/incidents';
import { deployment, kube, mergePatch } from './support/kube';
import { catalogueOf, ensureNamespace, testService, type TestService } from './support/services';
import { spawnWorker, type WorkerProcess } from './support/worker-process';
import { type Postgres, startPostgres } from './support/postgres';
import { Client } from 'pg';

const k = kube();
const FINISHED = ['succeeded', 'failed', 'escalated', 'cancelled'];

type Case = { runbook: string; crash: string; svc: TestService };
/** `failback` is failover whose verification fails (it switches back). */
const runbookOf = (c: { runbook: string }) => (c.runbook === 'failback' ? 'failover' : c.runbook);
const cases: Case[] = [
  ['rolling-restart', 'k8sRolloutRestart:before'],
  ['rolling-restart', 'k8sRolloutRestart:after'],
  ['rolling-restart', 'k8sWaitForRollout:during'],
  ['rollback-deployment', 'guardAcquire:after'],
  ['rollback-deployment', 'k8sRolloutUndo:before'],
  ['rollback-deployment', 'k8sRolloutUndo:after'],
  ['rollback-deployment', 'guardReport:after'],
  ['scale-out', 'k8sScale:after'],
  ['failover', 'k8sServiceSelector:after'],
  ['failover', 'k8sSetServiceSelector:after'],
  ['failback', 'k8sSetServiceSelector:after:2'],
].map(([runbook, crash]) => ({
  runbook,
  crash,
  svc: testService('crash', {
    deployments: ['app', 'app-standby'],
    services: ['app'],
    runbooks: { [runbookOf({ runbook })]: {} },
  }),
}));
// A database whose runbook may terminate at most 2 sessions, whatever happens to the worker.
const database = testService('crash-db', {
  kubernetes: false,
  caps: { max_sessions_terminated: 2 },
  runbooks: { 'postgres-connection-exhaustion': {} },
});
let services: Record<string, unknown>;
let pg: Postgres;
const sessions: Client[] = [];

let engine: TestEngine;
beforeAll(async () => {
  pg = await startPostgres({ maxConnections: 20 });
  database.config.postgres = pg.url;
  services = catalogueOf([...cases.map((c) => c.svc), database]);
  engine = await startEngine({ services });
  await engine.stopWorker(); // each case starts with a worker in a child process that dies on cue
});
afterAll(async () => {
  await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
  await engine?.close();
  await pg?.stop();
});

const read = (namespace: string) => k.apps.readNamespacedDeployment({ name: 'app', namespace });
const revision = async (namespace: string) =>
  (await read(namespace)).metadata?.annotations?.['deployment.kubernetes.io/revision'];
const keysOf = (annotations: Record<string, string> | undefined) =>
  JSON.parse(annotations?.[KEY_ANNOTATION] ?? '[]').map((e: { key: string }) => e.key);

async function ready(namespace: string, name: string, replicas: number, labels: Record<string, string> = {}) {
  await k.apps.createNamespacedDeployment({ namespace, body: deployment(name, replicas, labels) });
  await eventually(
    async () =>
      ((await k.apps.readNamespacedDeployment({ name, namespace })).status?.readyReplicas ?? 0) === replicas,
    {
      timeoutMs: 60_000,
    },
  );
}

function wideStandby() {
  const body = deployment('app-standby', 0, { tier: 'proxy', role: 'standby' });
  return { ...body, spec: { ...body.spec, selector: { matchLabels: { tier: 'proxy' } } } };
}

/** The target as each runbook expects it, and the parameters to start it with. */
async function arrange(c: Case): Promise<Record<string, string>> {
  const namespace = await ensureNamespace(k, c.svc);
  await ready(namespace, 'app', c.runbook === 'scale-out' ? 1 : 2, { tier: 'proxy' });
  if (c.runbook === 'rollback-deployment') {
    const body = {
      spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example/app:v2-bad' }] } } },
    };
    await k.apps.patchNamespacedDeployment({ name: 'app', namespace, body }, mergePatch);
    await eventually(async () => (await revision(namespace)) === '2');
  }
  if (!c.runbook.startsWith('fail')) return { namespace, deployment: 'app' };
  if (c.runbook === 'failover') await ready(namespace, 'app-standby', 0);
  // failback: a standby selecting only tier=proxy also catches the primary's pods, so
  // verification fails and the run switches back (the second selector change).
  else await k.apps.createNamespacedDeployment({ namespace, body: wideStandby() });
  await k.core.createNamespacedService({
    namespace,
    body: { metadata: { name: 'app' }, spec: { selector: { app: 'app' }, ports: [{ port: 80 }] } },
  });
  return { namespace, service: 'app', primary: 'app', standby: 'app-standby' };
}

/** Approves whatever the run waits for, through whichever worker is alive, until it finishes. */
async function approveUntilFinished(id: string): Promise<void> {
  for (;;) {
    const run = (await detail(engine, id)).runbooks?.[0];
    if (run && FINISHED.includes(run.status)) return;
    const pending = run?.approvals.find((a: { status: string }) => a.status === 'pending');
    if (pending)
      await engine.call('POST', `/api/v1/incidents/${id}/approvals/${pending.id}/approve`, {
        token: 'approver',
        body: {},
      });
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Runs the case's runbook on a worker that dies at the boundary, then on a fresh one to the end. */
async function crashAndRecover(c: Case, arranged?: Record<string, string>) {
  const params = arranged ?? (await arrange(c));
  const mark = path.join(os.tmpdir(), `${c.svc.name}.crash`);
  const worker = await spawnWorker(engine, { services, crashAt: c.crash, crashMark: mark });
  try {
    return await runThroughCrash(c, params, worker, mark);
  } finally {
    worker.child.kill('SIGKILL'); // never left serving the next case
  }
}

async function runThroughCrash(c: Case, params: Record<string, string>, worker: WorkerProcess, mark: string) {
  const id = await declare(engine, c.svc.name);
  const started = await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: runbookOf(c), params },
  });
  expect(started.status).toBe(202);
  const approving = approveUntilFinished(id);
  await worker.exited;
  expect(existsSync(mark) && readFileSync(mark, 'utf8')).toBe(c.crash); // it died where we meant it to
  await engine.startWorker();
  try {
    await approving;
    return { namespace: params.namespace, run: await runReaches(engine, id, `${id}-rb-1`, FINISHED), id };
  } finally {
    await engine.stopWorker();
  }
}

describe.each(cases)('$runbook, worker killed at $crash', (c) => {
  it('has exactly one effect and finishes', async () => {
    const { namespace, run, id } = await crashAndRecover(c);
    expect(run.status).toBe(c.runbook === 'failback' ? 'escalated' : 'succeeded');
    const d = await read(namespace);
    const keys = keysOf(d.metadata?.annotations);
    if (c.runbook === 'rolling-restart') {
      expect(await revision(namespace)).toBe('2'); // one restart: one new ReplicaSet
      expect(keys).toEqual([`${id}-rb-1/restart`]);
    }
    if (c.runbook === 'rollback-deployment') {
      expect(await revision(namespace)).toBe('3'); // one rollback, never back to the bad revision
      expect(d.spec?.template?.spec?.containers?.[0]?.image).toBe('registry.example/app:v1');
      expect(keys).toEqual([`${id}-rb-1/undo`]);
    }
    if (c.runbook === 'scale-out') {
      expect(d.spec?.replicas).toBe(2); // ×2 once, not ×4
      expect(keys).toEqual([`${id}-rb-1/scale`]);
    }
    if (c.runbook === 'failover') {
      const svc = await k.core.readNamespacedService({ namespace, name: 'app' });
      expect(svc.spec?.selector).toEqual({ app: 'app-standby' });
      expect(keysOf(svc.metadata?.annotations as Record<string, string>)).toEqual([`${id}-rb-1/switch`]);
      const standby = await k.apps.readNamespacedDeployment({ name: 'app-standby', namespace });
      expect(standby.spec?.replicas).toBe(2);
    }
    if (c.runbook === 'failback') {
      // Switched once and back once: the Service selects what it selected before the run.
      const svc = await k.core.readNamespacedService({ namespace, name: 'app' });
      expect(svc.spec?.selector).toEqual({ app: 'app' });
      expect(keysOf(svc.metadata?.annotations as Record<string, string>)).toEqual([
        `${id}-rb-1/switch`,
        `${id}-rb-1/switch-back`,
      ]);
      expect(run.outcome).toContain('switched back');
    }
  }, 120_000);
});

describe('postgres-connection-exhaustion, worker killed right after it terminated sessions', () => {
  it('terminates no more than the cap in all: the retry acts on the sessions chosen before', async () => {
    const stuck = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const c = new Client({ connectionString: pg.url, application_name: 'stuck' });
        c.on('error', () => undefined); // terminated sessions report here
        await c.connect();
        sessions.push(c);
        await c.query('begin');
        return c;
      }),
    );
    await new Promise((r) => setTimeout(r, 3_500)); // idle in transaction for > 3 s
    const c: Case = {
      runbook: 'postgres-connection-exhaustion',
      crash: 'pgTerminateSessions:after',
      svc: database,
    };
    const { run } = await crashAndRecover(c, { idle_seconds: '3' });
    expect(FINISHED).toContain(run.status);
    const alive = await Promise.all(
      stuck.map((s) =>
        s.query('select 1').then(
          () => true,
          () => false,
        ),
      ),
    );
    expect(alive.filter((a) => !a)).toHaveLength(2); // the cap, not 2 per attempt
  }, 120_000);
});
