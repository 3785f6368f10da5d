/**
 * The service catalogue against the attacks of issue #16: labels and parameters never choose
 * what automation touches. A Deployment outside the catalogue ("coredns" in a victim
 * namespace) stays untouched whatever arrives; every refusal is on the incident's timeline.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { createHttpActivities } from '../activities/http';
import type { RunbookRunInput } from '../workflows/runbook';
import { createKubernetesActivities } from '../activities/kubernetes';
import { TargetScope } from '../activities/scope';
import { ServicesConfigSchema } from '../config/schema';
import { toServiceCatalogue } from '../config/services';
import { ALERT_SECRETS, eventually, startEngine, TestEngine, unique } from './support/engine';
import { declare, detail, pendingApproval, runReaches } from './support/incidents';
import { createNamespace, deployment, kube } from './support/kube';
import { startReceiver, type Receiver } from './support/receiver';
import { catalogueOf, ensureNamespace, testService } from './support/services';
import { launchBrowser, signIn } from './support/browser';

const k = kube();
let engine: TestEngine;
let victim: string;
let forbidden: Receiver;
const pay = testService('pay', {
  deployments: ['payments'],
  caps: { max_replicas: 4 },
  runbooks: { 'scale-out': {}, 'db-connection-failure': {} },
});

beforeAll(async () => {
  forbidden = await startReceiver(); // stands for 169.254.169.254 or any internal URL
  engine = await startEngine({ services: catalogueOf([pay]) });
  await ensureNamespace(k, pay);
  await k.apps.createNamespacedDeployment({ namespace: pay.namespace, body: deployment('payments', 2) });
  victim = await createNamespace(k, 'victim');
  await k.apps.createNamespacedDeployment({ namespace: victim, body: deployment('coredns', 1) });
});
afterAll(async () => {
  await engine?.close();
  await forbidden?.close();
});

const replicas = async (namespace: string, name: string) =>
  (await k.apps.readNamespacedDeployment({ namespace, name })).spec?.replicas;
const restarted = async (namespace: string, name: string) =>
  (await k.apps.readNamespacedDeployment({ namespace, name })).spec?.template?.metadata?.annotations?.[
    'kubectl.kubernetes.io/restartedAt'
  ];

async function alert(labels: Record<string, string>): Promise<string> {
  const r = await engine.call('POST', '/api/v1/alerts/alertmanager', {
    bearer: ALERT_SECRETS.alertmanager,
    body: {
      version: '4',
      status: 'firing',
      groupKey: unique('group'),
      receiver: 'tourniquet',
      alerts: [
        { status: 'firing', labels, annotations: { summary: labels.alertname }, fingerprint: unique('fp') },
      ],
    },
  });
  expect(r.status).toBe(200);
  return eventually(async () => {
    const rows = (await engine.call('GET', `/api/v1/incidents?service=${labels.service}&limit=200`)).body
      .incidents as { id: string; title: string }[];
    return rows.find((row) => row.title.includes(labels.alertname))?.id;
  });
}
const hostile = { namespace: 'VICTIM', deployment: 'coredns', max_replicas: '100000' };

it('labels naming a namespace, a Deployment and a cap are ignored; an alert-started run waits for a human', async () => {
  const alertname = unique('Saturated');
  const id = await alert({
    alertname,
    runbook: 'scale-out',
    service: pay.name,
    ...hostile,
    namespace: victim,
  });
  const approval = await pendingApproval(engine, id);
  expect(approval.what).toContain(`scale ${pay.namespace}/payments from 2 to 4 replicas (cap 4)`);
  expect(approval.reason).toMatch(/started by an alert/);
  await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
    token: 'approver',
    body: {},
  });
  const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
  expect(run).toMatchObject({ status: 'succeeded' });
  expect(run.params).not.toHaveProperty('max_replicas');
  expect(await replicas(pay.namespace, 'payments')).toBe(4);
  expect(await replicas(victim, 'coredns')).toBe(1);
  // What the run acted within was read by its alert group from the catalogue and handed over in
  // its input (one local activity for the incident's number and the run's config).
  const { events } = await engine.client.workflow.getHandle(`${id}-rb-1`).fetchHistory();
  const [payload] = events![0].workflowExecutionStartedEventAttributes!.input!.payloads!;
  const input = defaultPayloadConverter.fromPayload<RunbookRunInput>(payload);
  expect(input.config?.entry).toMatchObject({ name: pay.name, kubernetes: { namespace: pay.namespace } });
});

it('a runbook label for a runbook the service does not allow is refused on the timeline', async () => {
  const alertname = unique('Unhealthy');
  const id = await alert({ alertname, runbook: 'rolling-restart', service: pay.name });
  const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
  expect(run).toMatchObject({ status: 'escalated' });
  expect(run.outcome).toMatch(
    /runbook rolling-restart is not allowed for pay-\S+ \(allowed: scale-out, db-connection-failure\)/,
  );
  expect(await restarted(pay.namespace, 'payments')).toBeUndefined();
});

it('four service values against one Deployment: none is catalogued, so nothing runs and each incident says why', async () => {
  for (const n of [1, 2, 3, 4]) {
    const service = unique(`s${n}`);
    const id = await alert({
      alertname: unique('Saturated'),
      runbook: 'scale-out',
      service,
      ...hostile,
      namespace: victim,
    });
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    expect(run.outcome).toContain(`service "${service}" is not in the service catalogue`);
    const timeline = (await detail(engine, id)).timeline
      .map((e: { message: string }) => e.message)
      .join('\n');
    expect(timeline).toContain('is not in the service catalogue');
  }
  expect(await replicas(victim, 'coredns')).toBe(1);
});

it("a responder's parameters naming a target outside the catalogue are refused, naming what is allowed", async () => {
  const id = await declare(engine, pay.name);
  await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'scale-out', params: { namespace: victim, deployment: 'coredns' } },
  });
  const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
  expect(run.outcome).toContain(
    `namespace "${victim}" is not one of ${pay.name}'s catalogued namespace targets (${pay.namespace})`,
  );
  expect(await replicas(victim, 'coredns')).toBe(1);
});

it('a health_url outside the catalogue is never fetched (SSRF)', async () => {
  const id = await declare(engine, pay.name);
  await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'db-connection-failure', params: { health_url: `${forbidden.url}/latest/meta-data` } },
  });
  const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
  expect(run.outcome).toMatch(/health_url ".*" is not one of .* url targets \(none\)/);
  expect(forbidden.requests).toHaveLength(0);
});

it('the activities refuse a target outside the scope service, whatever the runbook code asks', async () => {
  const scope = new TargetScope(toServiceCatalogue(ServicesConfigSchema.parse(catalogueOf([pay]))).entries);
  const k8s = createKubernetesActivities({ kubeconfig: k.kc, scope });
  await expect(
    k8s.k8sScale({ namespace: victim, name: 'coredns', replicas: 9, scope: pay.name }),
  ).rejects.toThrow(/refused: namespace .* is not a catalogued target/);
  await expect(k8s.k8sScale({ namespace: victim, name: 'coredns', replicas: 9 })).rejects.toThrow(
    /no service/,
  );
  const http = createHttpActivities({ scope });
  await expect(http.httpCheck({ url: forbidden.url, scope: pay.name })).rejects.toThrow(/refused: url/);
  expect(forbidden.requests).toHaveLength(0);
  expect(await replicas(victim, 'coredns')).toBe(1);
});

it('lists the catalogue with owners, on call now, runbooks and open incidents; never a database URL', async () => {
  const list = await engine.call('GET', '/api/v1/services', { token: 'viewer' });
  expect(list.status).toBe(200);
  const entry = list.body.services.find((s: { name: string }) => s.name === pay.name);
  expect(entry).toMatchObject({
    owner: 'test-team',
    kubernetes: { namespace: pay.namespace, deployments: ['payments'] },
    caps: { max_replicas: 4 },
    runbooks: { 'scale-out': { automatic: false } },
    on_call: { policy: 'default' },
  });
  const one = await engine.call('GET', `/api/v1/services/${pay.name}`, { token: 'viewer' });
  expect(one.body.open_incidents.length).toBeGreaterThan(0);
  expect(JSON.stringify(list.body)).not.toMatch(/postgres:\/\//);
  expect((await engine.call('GET', '/api/v1/services/nope', { token: 'viewer' })).status).toBe(404);
});

it('a viewer cannot start a scan of every incident since 1970: 400 naming the field and the cap', async () => {
  const metrics = await engine.call('GET', '/api/v1/metrics/incidents?from=1970-01-01T00:00:00Z', {
    token: 'viewer',
  });
  expect(metrics.status).toBe(400);
  expect(JSON.stringify(metrics.body)).toMatch(/from.*at most 366 days/);
  const load = await engine.call('GET', '/api/v1/oncall/load?since=1970-01-01T00:00:00Z', {
    token: 'viewer',
  });
  expect(load.status).toBe(400);
  expect(JSON.stringify(load.body)).toMatch(/since.*at most 366 days/);
});

it('the console lists the catalogue: owner, runbooks, what automation may act on', async () => {
  const browser = await launchBrowser();
  try {
    const page = await signIn(browser, engine, 'viewer');
    await page.getByRole('link', { name: 'Services' }).click();
    const row = page.getByRole('row').filter({ hasText: pay.name });
    await row.waitFor();
    await row.getByText('test-team').waitFor();
    await row.getByText(`${pay.namespace}: payments`).waitFor();
    await row.getByText('scale-out').waitFor();
  } finally {
    await browser.close();
  }
});
