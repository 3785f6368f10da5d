/**
 * Scale-out on a production-shaped Temporal: Temporal's own server on PostgreSQL, two workers
 * and two API replicas as separate processes behind nothing but their ports, configured only
 * by environment and one config file (no first-run token, no state of their own). The tests
 * in this file build on each other in order (the engine-wide budget counts every action).
 */
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { bundleWorkflows } from '../../worker/bundle';
import { ALERT_SECRETS, callApi as call, eventually, TOKENS } from '../support/engine';
import { startK8sPlane, type K8sPlane } from '../support/k8s-plane';
import { deployment, deploymentReady, kube, type Kube } from '../support/kube';
import { startReceiver, type Receiver } from '../support/receiver';
import { catalogueOf, ensureNamespace, testService, type TestService } from '../support/services';
import { startTemporalCluster, type TemporalCluster } from '../support/temporal-cluster';
import { startProcess, type EngineProcess } from '../support/engine-process';
import { ALL_DAY } from '../support/oncall';

let cluster: TemporalCluster;
let plane: K8sPlane;
let pager: Receiver;
let k: Kube;
let workers: EngineProcess[] = [];
let apis: EngineProcess[] = [];
const gate = testService('gate', { deployments: ['web'], runbooks: { 'rolling-restart': {} } });
const budget = [1, 2, 3].map((n) =>
  testService(`budget${n}`, { deployments: ['web'], runbooks: { 'rolling-restart': {} } }),
);

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-cluster-test-'));
  const bundle = path.join(dir, 'workflow-bundle.js');
  [cluster, plane, pager] = await Promise.all([
    startTemporalCluster({ namespaces: ['tourniquet'] }),
    startK8sPlane(),
    startReceiver(),
    bundleWorkflows().then(({ code }) => writeFileSync(bundle, code)),
  ]);
  process.env.TOURNIQUET_TEST_KUBECONFIG = plane.kubeconfig;
  k = kube();
  for (const s of [gate, ...budget]) await readyDeployment(s);
  const config = path.join(dir, 'tourniquet.yaml');
  writeFileSync(config, YAML.stringify(configFile()));
  const env = {
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_NAMESPACE: 'tourniquet',
    TOURNIQUET_CONFIG: config,
    TOURNIQUET_TOKENS: Object.entries(TOKENS)
      .map(([role, token]) => `${token}:${role}-user:${role === 'admin' ? 'admin' : role}`)
      .join(','),
    TOURNIQUET_ALERTMANAGER_TOKEN: ALERT_SECRETS.alertmanager,
    TOURNIQUET_WORKFLOW_BUNDLE: bundle,
    KUBECONFIG: plane.kubeconfig,
    LOG_LEVEL: 'info', // the workers' 'worker polling' line says they are ready
  };
  // Workers first: an API replica is ready only once a worker polls its task queue.
  workers = [await startProcess('worker', 'worker-1', env), await startProcess('worker', 'worker-2', env)];
  apis = await Promise.all([startProcess('api', 'api-1', env), startProcess('api', 'api-2', env)]);
}, 600_000);

afterAll(async () => {
  await Promise.all([...apis, ...workers].map((p) => p.kill()));
  await pager?.close();
  await plane?.stop();
  await cluster?.stop();
}, 120_000);

function configFile() {
  return {
    services: catalogueOf([gate, ...budget]),
    guardrails: {
      // A restart of `gate` needs an approver; the engine takes at most three actions per window.
      policy: [{ impact: 'low', services: [gate.name], decision: 'approval' }],
      engine_budget: { count: 3, window: '15m' },
    },
    escalation: {
      business_hours: ALL_DAY,
      severities: { SEV2: { acknowledge: '4s', mitigate: '1h', update_every: null, page: true } },
      policies: {
        default: {
          levels: [
            { targets: [{ person: 'pat' }], timeout: '4s' },
            { targets: [{ person: 'sam' }], timeout: '4s' },
          ],
        },
      },
      notifiers: [{ name: 'pager', type: 'webhook', url: pager.url, kinds: ['page'] }],
    },
  };
}

async function readyDeployment(s: TestService) {
  const namespace = await ensureNamespace(k, s);
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('web', 1) });
  await deploymentReady(k, namespace, 'web');
}

const api = (i: number) => apis[i % apis.length].url!;

function alert(service: string, fingerprint: string, severity = 'warning') {
  return {
    version: '4',
    status: 'firing',
    groupKey: `{}:{service="${service}"}`,
    receiver: 'tourniquet',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'Trouble', service, severity },
        annotations: { summary: `trouble in ${service}` },
        startsAt: new Date().toISOString(),
        fingerprint,
      },
    ],
  };
}

const postAlert = (base: string, body: unknown) =>
  call(base, 'POST', '/api/v1/alerts/alertmanager', { bearer: ALERT_SECRETS.alertmanager, body });

async function incidentsOf(service: string) {
  const r = await call(api(0), 'GET', `/api/v1/incidents?service=${service}`, { token: 'viewer' });
  return (r.body.incidents ?? []) as { id: string; status: string }[];
}

const detail = async (id: string, base = api(0)) =>
  (await call(base, 'GET', `/api/v1/incidents/${id}`, { token: 'viewer' })).body;

/** The incident's first runbook run once it has ended (as support/incidents.ts runReaches, through a replica). */
const firstRunEnded = (id: string, base = api(0)) =>
  eventually(
    async () => {
      const r = (await detail(id, base)).runbooks?.find((x: { run_id: string }) => x.run_id === `${id}-rb-1`);
      return r && ['succeeded', 'failed', 'escalated'].includes(r.status) && r;
    },
    { timeoutMs: 90_000 },
  );

it('concurrent first alerts through both replicas: one incident per key, unique ids', async () => {
  const services = Array.from({ length: 12 }, (_, i) => `edge-${i}-${Date.now().toString(36)}`);
  const sent = await Promise.all(
    services.flatMap((s) => [0, 1, 2, 3].map((i) => postAlert(api(i), alert(s, `${s}-fp`)))),
  );
  expect(sent.filter((r) => r.status >= 300)).toEqual([]);
  const ids = await Promise.all(
    services.map((s) =>
      eventually(
        async () => {
          const rows = await incidentsOf(s);
          const d = rows.length === 1 && (await detail(rows[0].id, api(1)));
          return d && d.alerts[0]?.count === 4 && { rows, id: d.id as string };
        },
        { timeoutMs: 60_000 },
      ),
    ),
  );
  for (const { rows } of ids) expect(rows).toHaveLength(1);
  expect(new Set(ids.map((x) => x.id)).size).toBe(services.length);
}, 180_000);

it('an approval asked through one replica is decided through the other', async () => {
  const declared = await call(api(0), 'POST', '/api/v1/incidents', {
    body: {
      title: 'gate restart',
      description: 'cluster test',
      severity: 'medium',
      affected_services: [gate.name],
    },
  });
  expect(declared.status).toBe(201);
  const id = declared.body.id as string;
  expect(
    (await call(api(0), 'POST', `/api/v1/incidents/${id}/runbooks`, { body: { name: 'rolling-restart' } }))
      .status,
  ).toBe(202);
  const pending = await eventually(
    async () => {
      const r = await call(api(1), 'GET', `/api/v1/incidents/${id}/approvals`, { token: 'viewer' });
      return r.body.approvals?.find((a: { status: string }) => a.status === 'pending');
    },
    { timeoutMs: 60_000 },
  );
  const approved = await call(api(1), 'POST', `/api/v1/incidents/${id}/approvals/${pending.id}/approve`, {
    token: 'approver',
  });
  expect(approved.status).toBe(200);
  const run = await firstRunEnded(id);
  expect(run.status).toBe('succeeded');
}, 180_000);

it('the engine-wide budget holds across workers: of three more restarts, the third is refused', async () => {
  const statuses: string[] = [];
  for (const [i, s] of budget.entries()) {
    const declared = await call(api(i), 'POST', '/api/v1/incidents', {
      body: { title: 'budget', description: 'cluster test', severity: 'medium', affected_services: [s.name] },
    });
    const id = declared.body.id as string;
    await call(api(i + 1), 'POST', `/api/v1/incidents/${id}/runbooks`, { body: { name: 'rolling-restart' } });
    const run = await firstRunEnded(id, api(i));
    statuses.push(run.status);
    if (run.status === 'escalated') expect(run.steps[0].result).toContain('engine-wide budget');
  }
  // One action went to the approved gate restart above: two more fit the budget of three.
  expect(statuses).toEqual(['succeeded', 'succeeded', 'escalated']);
}, 300_000);

it('SIGKILL of one worker and one API during an alert storm: every accepted alert is on its one incident, each page sent once, the survivors carry on', async () => {
  const stamp = Date.now().toString(36);
  const services = Array.from({ length: 16 }, (_, i) => `storm-${i}-${stamp}`);
  const accepted = new Map<string, number>();
  const total = 160;
  let next = 0;
  let refused = 0;
  const sendOne = async (n: number) => {
    const s = services[n % services.length];
    // As Alertmanager behind a Service: a refused connection or a 5xx is retried, on whichever replica answers.
    for (let attempt = 0; attempt < 30; attempt++) {
      const r = await postAlert(api(n + attempt), alert(s, `${s}-fp`, 'error')).catch(() => undefined);
      if (r && r.status < 300) return void accepted.set(s, (accepted.get(s) ?? 0) + 1);
      refused++;
      await new Promise((w) => setTimeout(w, 200));
    }
    throw new Error(`alert ${n} never accepted`);
  };
  const sender = async () => {
    while (next < total) {
      const n = next++;
      if (n === Math.floor(total / 3)) void killOne();
      await sendOne(n);
    }
  };
  const killOne = async () => {
    const [worker, replica] = [workers[0], apis[0]];
    apis = apis.slice(1);
    workers = workers.slice(1);
    await Promise.all([worker.kill('SIGKILL'), replica.kill('SIGKILL')]);
  };
  await Promise.all(Array.from({ length: 8 }, sender));
  expect(apis).toHaveLength(1);
  expect([...accepted.values()].reduce((a, b) => a + b, 0)).toBe(total);

  const incidents = await Promise.all(
    services.map((s) =>
      eventually(
        async () => {
          const rows = await incidentsOf(s);
          const d = rows.length === 1 && (await detail(rows[0].id));
          return d && d.alerts[0]?.count >= accepted.get(s)! && { rows, d };
        },
        { timeoutMs: 120_000 },
      ),
    ),
  );
  for (const { rows } of incidents) expect(rows).toHaveLength(1);
  // Each SEV2 pages pat, then sam once its 4 s pass unacknowledged — once each, whichever worker holds the timer.
  const ids = incidents.map(({ d }) => d.id as string);
  const pages = await eventually(
    async () => {
      const by = ids.map((id) => pager.delivered().filter((p) => p.body.incident?.id === id));
      return by.every((ps) => new Set(ps.map((p) => p.body.idempotency_key)).size >= 2) && by;
    },
    { timeoutMs: 120_000 },
  );
  await new Promise((w) => setTimeout(w, 6_000)); // a duplicate timer would page within one more level's timeout
  for (const id of ids) {
    const ps = pager.delivered().filter((p) => p.body.incident?.id === id);
    const keys = new Map(ps.map((p) => [p.body.idempotency_key as string, p.body.to as string]));
    expect([...keys.values()].sort()).toEqual(['pat', 'sam']);
  }
  const redelivered = pages.flat().length - ids.length * 2;
  process.stderr.write(
    `[cluster] storm: ${total} alerts accepted (${refused} retried on the other replica), ${ids.length} incidents, ${redelivered} page redeliveries with the same key\n`,
  );
}, 420_000);

it('an API replica without configured tokens refuses to start, saying why (no per-replica first-run token)', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--only=api'], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, TEMPORAL_ADDRESS: cluster.address, TOURNIQUET_TOKENS: '', TOURNIQUET_CONFIG: '' },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise((r) => child.once('exit', r));
  expect(code).toBe(1);
  expect(stderr).toContain('needs its tokens from configuration, the same for every replica');
}, 60_000);
