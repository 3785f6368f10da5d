import { createKubernetesActivities, KEY_ANNOTATION } from '../activities/kubernetes';
import { TargetScope } from '../activities/scope';
import { ServicesConfigSchema } from '../config/schema';
import { toServiceCatalogue } from '../config/services';
import { ALERT_SECRETS, eventually, startEngine, TestEngine } from './support/engine';
import { declare, detail, fencedFailoverWaiting, pendingApproval, runReaches } from './support/incidents';
import { deployment, kube, mergePatch } from './support/kube';
import { keep } from './support/histories';
import { catalogueOf, ensureNamespace, testService, type TestService } from './support/services';

const k = kube();
const checkout = (prefix: string) =>
  testService(prefix, { deployments: ['checkout'], runbooks: { 'rollback-deployment': {} } });
const failover = (prefix: string) =>
  testService(prefix, {
    deployments: ['db-proxy', 'db-proxy-standby'],
    services: ['db'],
    runbooks: { failover: {} },
  });
// The catalogue: what each test's runbooks may touch (configuration, as in production).
const S = {
  restart: testService('restart', {
    deployments: ['api'],
    runbooks: { 'rolling-restart': { automatic: true } },
  }),
  idem: testService('idem', { deployments: ['web'] }),
  between: testService('between', { deployments: ['checkout', 'legacy'] }),
  selector: testService('selector', { services: ['db'] }),
  rollback: checkout('rollback'),
  reject: checkout('reject'),
  dryrun: checkout('dryrun'),
  withdrawn: checkout('withdrawn'),
  failover: failover('failover'),
  failback: failover('failback'),
  fenced: failover('fenced'),
  missing: testService('svc', { runbooks: { 'rolling-restart': {} } }),
};
let engine: TestEngine;
beforeAll(async () => {
  engine = await startEngine({ services: catalogueOf(Object.values(S)) });
});
afterAll(() => engine?.close());

async function readyDeployment(
  namespace: string,
  name: string,
  replicas: number,
  labels: Record<string, string> = {},
) {
  await k.apps.createNamespacedDeployment({ namespace, body: deployment(name, replicas, labels) });
  await eventually(
    async () =>
      ((await k.apps.readNamespacedDeployment({ name, namespace })).status?.readyReplicas ?? 0) === replicas,
    { timeoutMs: 60_000 },
  );
}
const revision = async (namespace: string, name: string) =>
  (await k.apps.readNamespacedDeployment({ name, namespace })).metadata?.annotations?.[
    'deployment.kubernetes.io/revision'
  ];
const image = async (namespace: string, name: string) =>
  (await k.apps.readNamespacedDeployment({ name, namespace })).spec?.template?.spec?.containers?.[0]?.image;

describe('rolling-restart, started by an alert', () => {
  it('matches the alert, restarts the Deployment (low impact: no approval), and records every step', async () => {
    const namespace = await ensureNamespace(k, S.restart);
    await readyDeployment(namespace, 'api', 3);
    const service = S.restart.name;
    const r = await engine.call('POST', '/api/v1/alerts/alertmanager', {
      bearer: ALERT_SECRETS.alertmanager,
      body: {
        version: '4',
        status: 'firing',
        groupKey: `restart-${service}`,
        receiver: 'tourniquet',
        alerts: [
          {
            status: 'firing',
            // The label selects the service; its catalogue entry says which Deployment and that it may act alone.
            labels: { alertname: 'PodsUnhealthy', service, severity: 'error' },
            annotations: { summary: 'api pods crash-looping' },
            fingerprint: `fp-${service}`,
          },
        ],
      },
    });
    expect(r.status).toBe(200);
    const id = await eventually(
      async () => (await engine.call('GET', `/api/v1/incidents?service=${service}`)).body.incidents[0]?.id,
    );
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    keep(engine.namespace, `${id}-rb-1`, 'runbook-rolling-restart-v6');
    expect(run).toMatchObject({ name: 'rolling-restart', status: 'succeeded', started_by: 'tourniquet' });
    expect(run.steps.map((s: any) => `${s.id}:${s.status}`)).toEqual(['restart:succeeded', 'wait:succeeded']);

    const d = await k.apps.readNamespacedDeployment({ name: 'api', namespace });
    expect(d.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
    expect(JSON.parse(d.metadata!.annotations![KEY_ANNOTATION])).toEqual([
      expect.objectContaining({ key: `${id}-rb-1/restart` }),
    ]);
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(d.status?.readyReplicas).toBe(3);

    const record = await detail(engine, id);
    expect(record.service_health[service]).toMatchObject({
      health: 'recovering',
      updated_by: 'runbook:rolling-restart',
      note: 'api restarted, 3/3 available',
    });
    const timeline = record.timeline.map((e: any) => e.message);
    expect(timeline).toEqual(
      expect.arrayContaining([
        'Runbook rolling-restart started',
        expect.stringMatching(/^Step "Restart api" succeeded/),
        expect.stringMatching(/^Runbook rolling-restart succeeded/),
      ]),
    );
  });

  it('does not restart twice when a step is retried with the same key', async () => {
    const namespace = await ensureNamespace(k, S.idem);
    await readyDeployment(namespace, 'web', 2);
    const { entries } = toServiceCatalogue(ServicesConfigSchema.parse(catalogueOf([S.idem])));
    const acts = createKubernetesActivities({ kubeconfig: k.kc, scope: new TargetScope(entries) });
    const ref = { namespace, name: 'web', key: 'INC-1-rb-1/restart', scope: S.idem.name };
    expect(await acts.k8sRolloutRestart(ref)).toEqual({
      restarted: true,
    });
    const stamp = (await k.apps.readNamespacedDeployment({ name: 'web', namespace })).spec?.template?.metadata
      ?.annotations?.['kubectl.kubernetes.io/restartedAt'];
    expect(await acts.k8sRolloutRestart(ref)).toEqual({
      restarted: false,
    });
    const again = await k.apps.readNamespacedDeployment({ name: 'web', namespace });
    expect(again.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBe(stamp);
    await eventually(async () => (await revision(namespace, 'web')) === '2');
  });
});

describe('keys remembered per object', () => {
  it('a retried undo after another run wrote in between does nothing: it never re-deploys the bad revision', async () => {
    const namespace = await ensureNamespace(k, S.between);
    await readyDeployment(namespace, 'checkout', 1);
    const image = (tag: string) => ({
      spec: {
        template: { spec: { containers: [{ name: 'app', image: `registry.example/checkout:${tag}` }] } },
      },
    });
    await k.apps.patchNamespacedDeployment(
      { name: 'checkout', namespace, body: image('v2-bad') },
      mergePatch,
    );
    await eventually(async () => (await revision(namespace, 'checkout')) === '2');
    const { entries } = toServiceCatalogue(ServicesConfigSchema.parse(catalogueOf([S.between])));
    const acts = createKubernetesActivities({ kubeconfig: k.kc, scope: new TargetScope(entries) });
    const ref = { namespace, name: 'checkout', scope: S.between.name };
    const undo = { ...ref, key: 'INC-7-rb-1/undo' };
    expect(await acts.k8sRolloutUndo(undo)).toMatchObject({ rolledBack: true, from: '2', to: '1' });
    await eventually(async () => (await revision(namespace, 'checkout')) === '3');
    // Another run acts on the same Deployment before the undo's retry arrives.
    await acts.k8sScale({ ...ref, replicas: 2, key: 'INC-8-rb-1/scale' });
    expect(await acts.k8sRolloutUndo(undo)).toMatchObject({ rolledBack: false });
    const d = await k.apps.readNamespacedDeployment({ name: 'checkout', namespace });
    expect(d.spec?.template?.spec?.containers?.[0]?.image).toBe('registry.example/checkout:v1');
    expect(d.spec?.replicas).toBe(2);
    // The object remembers both keys (bounded), newest last.
    const history = JSON.parse(d.metadata!.annotations![KEY_ANNOTATION]);
    expect(history.map((e: { key: string }) => e.key)).toEqual(['INC-7-rb-1/undo', 'INC-8-rb-1/scale']);
  });

  it('recognises a key written by an earlier version (one last-action annotation)', async () => {
    const namespace = await ensureNamespace(k, S.between);
    const body = deployment('legacy', 1);
    const metadata = {
      ...body.metadata,
      annotations: { 'tourniquet.dev/last-action': 'INC-6-rb-1/restart' },
    };
    await k.apps.createNamespacedDeployment({ namespace, body: { ...body, metadata } });
    const { entries } = toServiceCatalogue(ServicesConfigSchema.parse(catalogueOf([S.between])));
    const acts = createKubernetesActivities({ kubeconfig: k.kc, scope: new TargetScope(entries) });
    const ref = { namespace, name: 'legacy', scope: S.between.name };
    expect(await acts.k8sRolloutRestart({ ...ref, key: 'INC-6-rb-1/restart' })).toEqual({ restarted: false });
    expect(await acts.k8sRolloutRestart({ ...ref, key: 'INC-9-rb-1/restart' })).toEqual({ restarted: true });
    const d = await k.apps.readNamespacedDeployment({ name: 'legacy', namespace });
    expect(JSON.parse(d.metadata!.annotations![KEY_ANNOTATION]).map((e: { key: string }) => e.key)).toEqual([
      'INC-6-rb-1/restart',
      'INC-9-rb-1/restart',
    ]);
    expect(d.metadata!.annotations!['tourniquet.dev/last-action']).toBeUndefined();
  });
});

describe('a Service selector change retried after its reply was lost', () => {
  it('answers the selector it replaced, so a switch-back restores what was really there', async () => {
    const namespace = await ensureNamespace(k, S.selector);
    await k.core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'db' }, spec: { selector: { app: 'db-proxy' }, ports: [{ port: 5432 }] } },
    });
    const { entries } = toServiceCatalogue(ServicesConfigSchema.parse(catalogueOf([S.selector])));
    const acts = createKubernetesActivities({ kubeconfig: k.kc, scope: new TargetScope(entries) });
    const change = {
      namespace,
      service: 'db',
      selector: { app: 'db-proxy-standby' },
      key: 'INC-1-rb-1/switch',
      scope: S.selector.name,
    };
    expect(await acts.k8sSetServiceSelector(change)).toEqual({
      previous: { app: 'db-proxy' },
      changed: true,
    });
    // The first attempt's reply is lost; the retry must not report the standby as "previous".
    expect(await acts.k8sSetServiceSelector(change)).toEqual({
      previous: { app: 'db-proxy' },
      changed: false,
    });
    expect((await k.core.readNamespacedService({ namespace, name: 'db' })).spec?.selector).toEqual({
      app: 'db-proxy-standby',
    });
  });
});

describe('rollback-deployment needs an approval', () => {
  async function badDeploy(svc: TestService) {
    const namespace = await ensureNamespace(k, svc);
    await readyDeployment(namespace, 'checkout', 3);
    await k.apps.patchNamespacedDeployment(
      {
        name: 'checkout',
        namespace,
        body: {
          spec: {
            template: { spec: { containers: [{ name: 'app', image: 'registry.example/checkout:v2-bad' }] } },
          },
        },
      },
      mergePatch,
    );
    await eventually(async () => (await revision(namespace, 'checkout')) === '2');
    return namespace;
  }

  it('waits for an approver, survives a worker restart while waiting, then rolls back exactly once', async () => {
    const namespace = await badDeploy(S.rollback);
    const id = await declare(engine, S.rollback.name);
    const started = await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
      body: { name: 'rollback-deployment', params: { namespace, deployment: 'checkout' } },
    });
    expect(started.status).toBe(202);
    const approval = await pendingApproval(engine, id);
    expect(approval).toMatchObject({
      step_id: 'undo',
      impact: 'high',
      status: 'pending',
      requested_by: 'rob',
      approvals_needed: 1,
    });
    expect(approval.what).toContain('restore the pod template of the revision before 2');
    expect(await image(namespace, 'checkout')).toBe('registry.example/checkout:v2-bad'); // nothing done yet

    // Only approvers may decide; viewers and responders are refused.
    expect(
      (
        await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
          token: 'viewer',
          body: {},
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
          token: 'responder',
          body: {},
        })
      ).status,
    ).toBe(403);

    await engine.stopWorker();
    await engine.startWorker();

    const decided = await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
      token: 'approver',
      body: { comment: 'v2 is bad, go' },
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'approved', decided_by: 'alice' });
    expect(
      (
        await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
          token: 'admin',
          body: {},
        })
      ).status,
    ).toBe(409);

    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    keep(engine.namespace, `${id}-rb-1`, 'runbook-rollback-deployment-v6');
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(await image(namespace, 'checkout')).toBe('registry.example/checkout:v1');
    expect(await revision(namespace, 'checkout')).toBe('3');
    const timeline = (await detail(engine, id)).timeline;
    expect(
      timeline.filter((e: any) => e.message.startsWith('Step "Roll back checkout" succeeded')),
    ).toHaveLength(1);
    expect(timeline.find((e: any) => e.message.startsWith('Approval approved'))).toMatchObject({
      actor: 'alice',
      kind: 'approval',
    });
  });

  it('on rejection skips the step, escalates, and changes nothing', async () => {
    const namespace = await badDeploy(S.reject);
    const id = await declare(engine, S.reject.name);
    await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
      body: { name: 'rollback-deployment', params: { namespace, deployment: 'checkout' } },
    });
    const approval = await pendingApproval(engine, id);
    expect(
      (
        await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/reject`, {
          token: 'approver',
          body: {},
        })
      ).status,
    ).toBe(400); // reason required
    const rejected = await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/reject`, {
      token: 'approver',
      body: { reason: 'deploy v3 instead' },
    });
    expect(rejected.body.status).toBe('rejected');
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    expect(run).toMatchObject({ status: 'escalated' });
    expect(run.outcome).toContain('platform-oncall');
    expect(run.steps.find((s: any) => s.id === 'undo')).toMatchObject({
      status: 'skipped',
      result: 'approval rejected',
    });
    expect(await revision(namespace, 'checkout')).toBe('2');
  });

  it('resolving the incident withdraws a pending approval: a later approve answers 409 and nothing changes', async () => {
    const namespace = await badDeploy(S.withdrawn);
    const id = await declare(engine, S.withdrawn.name);
    await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
      body: { name: 'rollback-deployment', params: { namespace, deployment: 'checkout' } },
    });
    const approval = await pendingApproval(engine, id);
    await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} });
    const resolved = await engine.call('POST', `/api/v1/incidents/${id}/transition`, {
      body: { to: 'resolved', root_cause: 'fixed by hand' },
    });
    expect(resolved.status).toBe(200);
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated', 'cancelled']);
    expect(run).toMatchObject({ status: 'cancelled', outcome: 'Cancelled: the incident is resolved' });
    expect(run.approvals[0]).toMatchObject({
      status: 'rejected',
      comment: 'withdrawn: the incident is resolved',
    });
    const late = await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
      token: 'approver',
      body: {},
    });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('withdrawn: the incident is resolved');
    const timeline = (await detail(engine, id)).timeline
      .map((e: { message: string }) => e.message)
      .join('\n');
    expect(timeline).toContain(`Stopped rollback-deployment (${id}-rb-1), which waited for a human`);
    expect(await revision(namespace, 'checkout')).toBe('2'); // not rolled back
  });

  it('in dry-run describes the rollback and changes nothing', async () => {
    const namespace = await badDeploy(S.dryrun);
    const id = await declare(engine, S.dryrun.name);
    await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
      body: { name: 'rollback-deployment', params: { namespace, deployment: 'checkout' }, dry_run: true },
    });
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(run.outcome).toContain('dry-run');
    expect(run.steps.find((s: any) => s.id === 'undo')).toMatchObject({ status: 'skipped', dry_run: true });
    expect(run.approvals).toHaveLength(0);
    expect(await revision(namespace, 'checkout')).toBe('2');
    expect(await image(namespace, 'checkout')).toBe('registry.example/checkout:v2-bad');
  });
});

describe('failover', () => {
  async function setup(svc: TestService, standbyLabels: Record<string, string>) {
    const namespace = await ensureNamespace(k, svc);
    await readyDeployment(namespace, 'db-proxy', 2, { tier: 'proxy' });
    await readyDeployment(namespace, 'db-proxy-standby', 0, standbyLabels);
    await k.core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'db' }, spec: { selector: { app: 'db-proxy' }, ports: [{ port: 5432 }] } },
    });
    const id = await declare(engine, svc.name, 'critical');
    // A human checklist item first: the incident shows which step it waits on.
    const waiting = await fencedFailoverWaiting(engine, id, namespace);
    expect(waiting).toMatchObject({ id: 'confirm-fenced', impact: 'manual' });
    expect((await k.core.readNamespacedService({ namespace, name: 'db' })).spec?.selector).toEqual({
      app: 'db-proxy',
    });
    const done = await engine.call(
      'POST',
      `/api/v1/incidents/${id}/runbooks/${id}-rb-1/steps/confirm-fenced/complete`,
      { body: { note: 'writers stopped' } },
    );
    expect(done.status).toBe(200);
    expect(done.body.result).toBe('done by rob: writers stopped');
    const approval = await pendingApproval(engine, id);
    expect(approval.step_id).toBe('switch');
    expect(
      (
        await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
          token: 'approver',
          body: {},
        })
      ).status,
    ).toBe(200);
    return {
      namespace,
      id,
      run: await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']),
    };
  }

  it('scales the standby up, switches the Service to it and verifies endpoints', async () => {
    const { namespace, run, id } = await setup(S.failover, {});
    expect(run).toMatchObject({ status: 'succeeded' });
    keep(engine.namespace, `${id}-rb-1`, 'runbook-failover-v6');
    const svc = await k.core.readNamespacedService({ namespace, name: 'db' });
    expect(svc.spec?.selector).toEqual({ app: 'db-proxy-standby' });
    expect(
      (await k.apps.readNamespacedDeployment({ namespace, name: 'db-proxy-standby' })).spec?.replicas,
    ).toBe(2);
  });

  it('switches back when verification fails (the standby selector also catches primary pods), then escalates', async () => {
    // Both Deployments carry tier=proxy; a standby selecting only on it would send traffic to both.
    const namespace = await ensureNamespace(k, S.failback);
    await readyDeployment(namespace, 'db-proxy', 2, { tier: 'proxy' });
    await k.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'db-proxy-standby' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { tier: 'proxy' } },
          template: {
            metadata: { labels: { tier: 'proxy', role: 'standby' } },
            spec: deployment('x', 1).spec.template.spec,
          },
        },
      },
    });
    await k.core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'db' }, spec: { selector: { app: 'db-proxy' }, ports: [{ port: 5432 }] } },
    });
    const id = await declare(engine, S.failback.name, 'critical');
    await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
      body: {
        name: 'failover',
        params: { namespace, service: 'db', primary: 'db-proxy', standby: 'db-proxy-standby' },
      },
    });
    const approval = await pendingApproval(engine, id);
    await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
      token: 'approver',
      body: {},
    });
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    keep(engine.namespace, `${id}-rb-1`, 'runbook-failover-compensated-v6');
    expect(run).toMatchObject({ status: 'escalated' });
    expect(run.steps.map((s: any) => s.id)).toContain('switch-back');
    expect(run.outcome).toContain('switched back');
    expect((await k.core.readNamespacedService({ namespace, name: 'db' })).spec?.selector).toEqual({
      app: 'db-proxy',
    });
  });
});

it('resolving the incident stops a run waiting on a manual step: cancelled, the switch never made', async () => {
  const namespace = await ensureNamespace(k, S.fenced);
  await readyDeployment(namespace, 'db-proxy', 1);
  await readyDeployment(namespace, 'db-proxy-standby', 0);
  await k.core.createNamespacedService({
    namespace,
    body: { metadata: { name: 'db' }, spec: { selector: { app: 'db-proxy' }, ports: [{ port: 5432 }] } },
  });
  const id = await declare(engine, S.fenced.name, 'critical');
  await fencedFailoverWaiting(engine, id, namespace);
  await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} });
  await engine.call('POST', `/api/v1/incidents/${id}/transition`, {
    body: { to: 'resolved', root_cause: 'the primary recovered' },
  });
  const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated', 'cancelled']);
  expect(run).toMatchObject({ status: 'cancelled', outcome: 'Cancelled: the incident is resolved' });
  expect(run.steps.find((s: any) => s.id === 'confirm-fenced')).toMatchObject({
    status: 'skipped',
    result: 'not done: the incident is resolved',
  });
  expect(run.steps.map((s: any) => s.id)).not.toContain('switch');
  const late = await engine.call(
    'POST',
    `/api/v1/incidents/${id}/runbooks/${id}-rb-1/steps/confirm-fenced/complete`,
    {
      body: {},
    },
  );
  expect(late.status).toBe(409);
  expect((await k.core.readNamespacedService({ namespace, name: 'db' })).spec?.selector).toEqual({
    app: 'db-proxy',
  });
});

describe('runbook catalogue and bad requests', () => {
  it('lists the built-in runbooks with their metadata', async () => {
    const r = await engine.call('GET', '/api/v1/runbooks', { token: 'viewer' });
    expect(r.body.runbooks.map((m: any) => m.name).sort()).toEqual([
      'connection-pool-exhaustion',
      'db-connection-failure',
      'failover',
      'high-latency-investigation',
      'kafka-consumer-lag',
      'kafka-partition-rebalance',
      'llm-provider-failover',
      'postgres-connection-exhaustion',
      'replication-lag',
      'rollback-deployment',
      'rolling-restart',
      'scale-out',
      'slow-query-investigation',
    ]);
    expect(r.body.runbooks[0]).toEqual(
      expect.objectContaining({
        owner: expect.any(String),
        escalation: expect.any(String),
        eta: expect.any(String),
        version: expect.any(String),
      }),
    );
  });

  it('refuses unknown runbooks and stops with a clear message when a parameter is missing', async () => {
    const id = await declare(engine, S.missing.name);
    expect(
      (await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, { body: { name: 'reboot-the-world' } }))
        .status,
    ).toBe(404);
    await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
      body: { name: 'rolling-restart', params: { namespace: 'x' } },
    });
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    expect(run).toMatchObject({ status: 'escalated' });
    // The service has no Kubernetes target catalogued: nothing to resolve the Deployment to.
    expect(run.outcome).toContain('namespace "x" is not one of');
  });
});
