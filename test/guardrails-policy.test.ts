import { DEFAULT_GUARDRAILS } from '../domain/guardrails';
import { eventually, startEngine, TestEngine } from './support/engine';
import { declare, detail, pendingApproval, runReaches } from './support/incidents';
import { deployment, kube, mergePatch } from './support/kube';
import { catalogueOf, ensureNamespace, testService, type TestService } from './support/services';

const k = kube();
const catalogued = (prefix: string, name: string) =>
  testService(prefix, {
    deployments: [name],
    runbooks: { 'rolling-restart': {}, 'rollback-deployment': {} },
  });
const S = {
  twoPerson: catalogued('payments', 'pay'),
  forbidden: catalogued('core', 'core'),
  frozen: catalogued('checkout', 'shop'),
  slow: catalogued('search', 'search'),
  race: catalogued('race', 'race'),
  links: catalogued('links', 'links'),
};
const svc = {
  twoPerson: S.twoPerson.name,
  forbidden: S.forbidden.name,
  frozen: S.frozen.name,
  slow: S.slow.name,
  race: S.race.name,
};
let engine: TestEngine;
beforeAll(async () => {
  const hour = 3600_000;
  engine = await startEngine({
    services: catalogueOf(Object.values(S)),
    guardrails: {
      ...DEFAULT_GUARDRAILS,
      policy: [
        { impact: 'high', services: [svc.twoPerson], decision: 'approval', approvals: 2 },
        { impact: 'low', services: [svc.forbidden], decision: 'forbidden' },
      ],
      freezes: [
        {
          from: new Date(Date.now() - hour).toISOString(),
          to: new Date(Date.now() + hour).toISOString(),
          services: [svc.frozen],
          reason: 'Black Friday',
        },
      ],
      approvalTimeoutSeconds: { ...DEFAULT_GUARDRAILS.approvalTimeoutSeconds, SEV3: 2 },
    },
  });
});
afterAll(() => engine?.close());

async function deploy(service: TestService, name: string, image = 'v1') {
  const namespace = await ensureNamespace(k, service);
  const body = deployment(name, 1);
  body.spec.template.spec.containers[0].image = `registry.example/${name}:${image}`;
  await k.apps.createNamespacedDeployment({ namespace, body });
  await eventually(
    async () => (await k.apps.readNamespacedDeployment({ namespace, name })).status?.readyReplicas === 1,
    { timeoutMs: 60_000 },
  );
  return namespace;
}
const revision = async (namespace: string, name: string) =>
  (await k.apps.readNamespacedDeployment({ namespace, name })).metadata?.annotations?.[
    'deployment.kubernetes.io/revision'
  ];
const start = (
  id: string,
  name: string,
  params: Record<string, string>,
  token: 'responder' | 'approver' = 'responder',
) => engine.call('POST', `/api/v1/incidents/${id}/runbooks`, { token, body: { name, params } });

describe('the policy envelope', () => {
  it('applies the two-person rule: two distinct approvers, the requester and the same person twice refused', async () => {
    const namespace = await deploy(S.twoPerson, 'pay');
    const id = await declare(engine, svc.twoPerson, 'critical');
    await start(id, 'rolling-restart', { service: svc.twoPerson, namespace, deployment: 'pay' }); // low: runs alone
    await runReaches(engine, id, `${id}-rb-1`, ['succeeded']);
    await start(
      id,
      'rollback-deployment',
      { service: svc.twoPerson, namespace, deployment: 'pay' },
      'approver',
    ); // alice asks
    const approval = await pendingApproval(engine, id);
    expect(approval).toMatchObject({ approvals_needed: 2, requested_by: 'alice' });
    const approve = (token: 'approver' | 'admin') =>
      engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, { token, body: {} });
    const self = await approve('approver');
    expect(self.status).toBe(403);
    expect(self.body.error.message).toContain('your own request');
    const first = await approve('admin');
    expect(first.body).toMatchObject({ status: 'pending', approved_by: ['ada'] });
    expect((await approve('admin')).status).toBe(403); // same person twice
    // Lowering the severity or changing the services while the step waits loosens nothing:
    // the run's policy was fixed when it started.
    const edited = await engine.call('PATCH', `/api/v1/incidents/${id}`, {
      body: { severity: 'low', affected_services: ['elsewhere'] },
    });
    expect(edited.status).toBe(200);
    expect((await pendingApproval(engine, id)).approvals_needed).toBe(2);
    expect(await revision(namespace, 'pay')).toBe('2'); // not rolled back yet
  });

  it('refuses a forbidden step and changes nothing', async () => {
    const namespace = await deploy(S.forbidden, 'core');
    const id = await declare(engine, svc.forbidden);
    await start(id, 'rolling-restart', { service: svc.forbidden, namespace, deployment: 'core' });
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    expect(run).toMatchObject({ status: 'escalated' });
    expect(run.steps[0].result).toContain('forbidden by policy');
    expect(await revision(namespace, 'core')).toBe('1');
  });

  it('needs an approval for a low step during a change freeze', async () => {
    const namespace = await deploy(S.frozen, 'shop');
    const id = await declare(engine, svc.frozen);
    await start(id, 'rolling-restart', { service: svc.frozen, namespace, deployment: 'shop' });
    const approval = await pendingApproval(engine, id);
    expect(approval.reason).toContain('change freeze until');
    expect(approval.reason).toContain('Black Friday');
    await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
      token: 'approver',
      body: {},
    });
    expect((await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated'])).status).toBe(
      'succeeded',
    );
    expect(await revision(namespace, 'shop')).toBe('2');
  });

  it('escalates an undecided approval at its deadline and rejects it at the final one, never approving it', async () => {
    const namespace = await deploy(S.slow, 'search');
    const id = await declare(engine, svc.slow, 'medium'); // SEV3: 2 s to escalate, 8 s to expire here
    await start(id, 'rollback-deployment', { service: svc.slow, namespace, deployment: 'search' });
    await pendingApproval(engine, id);
    const escalated = await eventually(
      async () => (await detail(engine, id)).timeline.find((e: any) => e.message.includes('not decided by')),
      { timeoutMs: 10_000 },
    );
    expect(escalated.message).toContain('escalating to platform-oncall');
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated'], 20_000);
    expect(run).toMatchObject({ status: 'escalated' });
    expect(run.approvals[0]).toMatchObject({
      status: 'rejected',
      decided_by: 'tourniquet',
      comment: 'expired without a decision',
    });
    expect(await revision(namespace, 'search')).toBe('1');
  });

  it('an approval that reaches the workflow together with its expiry wins over the expiry', async () => {
    const namespace = await deploy(S.race, 'race');
    await k.apps.patchNamespacedDeployment(
      {
        name: 'race',
        namespace,
        body: {
          spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example/race:v2' }] } } },
        },
      },
      mergePatch,
    );
    await eventually(async () => (await revision(namespace, 'race')) === '2');
    const id = await declare(engine, svc.race, 'medium'); // SEV3: expires 8 s after it is asked
    await start(id, 'rollback-deployment', { service: svc.race, namespace, deployment: 'race' });
    const approval = await pendingApproval(engine, id);
    // No worker while the expiry timer fires: the approval then arrives in the same workflow task.
    await engine.stopWorker();
    await new Promise((r) => setTimeout(r, Date.parse(approval.expires_at) - Date.now() + 1_000));
    const decision = engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
      token: 'approver',
      body: {},
    });
    await new Promise((r) => setTimeout(r, 500));
    await engine.startWorker();
    const answer = await decision;
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('approved');
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated'], 30_000);
    expect(run.approvals[0]).toMatchObject({ status: 'approved', decided_by: 'alice' });
    expect(run.status).toBe('succeeded');
    await eventually(async () => (await revision(namespace, 'race')) === '3', { timeoutMs: 30_000 });
  });
});

describe('signed approval links', () => {
  it('decide as their identity, once, and refuse tampered, expired or unauthorised links', async () => {
    const { createLinkToken } = await import('../common/links');
    const { LINK_SECRET } = await import('./support/engine');
    const namespace = await deploy(S.links, 'links');
    const id = await declare(engine, S.links.name);
    await start(id, 'rollback-deployment', { namespace, deployment: 'links' });
    const approval = await pendingApproval(engine, id);
    const mint = (token: 'approver' | 'admin' | 'viewer', body: object = {}) =>
      engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/links`, { token, body });
    expect((await mint('viewer')).status).toBe(403);
    // Nobody mints a link for someone else (one admin could decide a two-person step as two people).
    const forOther = await mint('admin', { identity: 'alice' });
    expect(forOther.status).toBe(403);
    expect(forOther.body.error.message).toContain('only for yourself');

    const { url } = (await mint('approver')).body; // alice, for herself
    const preview = await engine.call('GET', url, { token: null });
    expect(preview.body).toMatchObject({
      incident: id,
      approval: approval.id,
      identity: 'alice',
      decision: 'approve',
    });
    expect((await pendingApproval(engine, id)).status).toBe('pending'); // a GET never decides

    const tampered = url.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A'));
    expect((await engine.call('POST', tampered, { token: null })).status).toBe(401);
    const expired = createLinkToken(LINK_SECRET, {
      incident: id,
      approval: approval.id,
      identity: 'alice',
      decision: 'approve',
      exp: Math.floor(Date.now() / 1000) - 1,
    });
    expect((await engine.call('POST', `/api/v1/approval-links/${expired}`, { token: null })).status).toBe(
      401,
    );
    const viewersLink = createLinkToken(LINK_SECRET, {
      incident: id,
      approval: approval.id,
      identity: 'vic',
      decision: 'approve',
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    expect((await engine.call('POST', `/api/v1/approval-links/${viewersLink}`, { token: null })).status).toBe(
      403,
    ); // a viewer's link

    const used = await engine.call('POST', url, { token: null });
    expect(used.body).toMatchObject({ status: 'approved', decided_by: 'alice' });
    expect((await engine.call('POST', url, { token: null })).status).toBe(409); // single use
    expect((await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated'])).status).toBe(
      'failed',
    ); // no earlier revision: the real API server says so
  });
});
