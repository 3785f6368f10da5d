import { eventually, startEngine, TestEngine } from './support/engine';
import { guardStart } from '../common/guard-workflow';
import { guardAcquireUpdate, guardReportUpdate } from '../workflows/definitions';
import { declare, detail, runReaches } from './support/incidents';
import { deployment, kube } from './support/kube';
import { catalogueOf, ensureNamespace, testService, type TestService } from './support/services';

const k = kube();
const restartable = (prefix: string, deployments: string[]) =>
  testService(prefix, { deployments, runbooks: { 'rolling-restart': {} } });
const S = {
  cart: restartable('cart', ['cart']),
  inventory: restartable('inventory', ['inventory']),
  // A catalogued Deployment that does not exist: its restarts fail for real against the API server.
  ledger: restartable('ledger', ['ledger', 'no-such-deployment']),
};
let engine: TestEngine;
beforeAll(async () => {
  engine = await startEngine({ services: catalogueOf(Object.values(S)) });
});
afterAll(() => engine?.close());

async function deploy(svc: TestService, name: string) {
  const namespace = await ensureNamespace(k, svc);
  await k.apps.createNamespacedDeployment({ namespace, body: deployment(name, 1) });
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
const restart = (id: string, service: string, namespace: string, deploymentName: string) =>
  engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'rolling-restart', params: { service, namespace, deployment: deploymentName } },
  });

describe('rate limits hold across incidents', () => {
  it('lets 2 of 20 concurrent incidents restart the same service and refuses the rest on their timelines', async () => {
    const service = S.cart.name;
    const namespace = await deploy(S.cart, 'cart');
    const ids = await Promise.all(Array.from({ length: 20 }, () => declare(engine, service)));
    await Promise.all(ids.map((id) => restart(id, service, namespace, 'cart')));
    const runs = await Promise.all(
      ids.map((id) => runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated'], 120_000)),
    );
    expect(runs.filter((r) => r.status === 'succeeded')).toHaveLength(2);
    const refused = runs.filter((r) => r.status === 'escalated');
    expect(refused).toHaveLength(18);
    expect(refused[0].steps[0]).toMatchObject({ id: 'restart', status: 'skipped' });
    expect(refused[0].steps[0].result).toContain('rate limit: at most 2 restart per 15 min');
    // The real target saw exactly two restarts.
    expect(await revision(namespace, 'cart')).toBe('3');
  }, 180_000);
});

describe('the kill switch', () => {
  it('holds steps while paused (they wait, they do not fail) and lets them run when resumed', async () => {
    const service = S.inventory.name;
    const namespace = await deploy(S.inventory, 'inventory');
    expect(
      (await engine.call('POST', '/api/v1/automation/pause', { token: 'viewer', body: { service } })).status,
    ).toBe(403);
    const paused = await engine.call('POST', '/api/v1/automation/pause', { body: { service } });
    expect(paused.body).toMatchObject({ paused: true, paused_by: 'rob' });

    const id = await declare(engine, service);
    await restart(id, service, namespace, 'inventory');
    const waiting = await eventually(async () =>
      (await detail(engine, id)).runbooks[0]?.steps.find((s: any) => s.status === 'waiting'),
    );
    expect(waiting.result).toContain('automation is paused by rob');
    // Held without polling: the run's history stands still until the guard says resume.
    const held = engine.client.workflow.getHandle(`${id}-rb-1`);
    await new Promise((r) => setTimeout(r, 1000));
    const events = (await held.describe()).historyLength;
    await new Promise((r) => setTimeout(r, 7000));
    expect((await held.describe()).historyLength).toBe(events);
    expect(await revision(namespace, 'inventory')).toBe('1');

    expect((await engine.call('POST', '/api/v1/automation/resume', { body: { service } })).status).toBe(403); // responders pause, approvers resume
    expect(
      (await engine.call('POST', '/api/v1/automation/resume', { token: 'approver', body: { service } })).body
        .paused,
    ).toBe(false);
    const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(await revision(namespace, 'inventory')).toBe('2');
  });
});

describe('the circuit breaker', () => {
  it('trips after 3 failed actions, then every step needs a human until someone resets it', async () => {
    const service = S.ledger.name;
    const namespace = await ensureNamespace(k, S.ledger);
    // Three restarts of a Deployment that does not exist fail for real against the API server.
    for (let i = 0; i < 3; i++) {
      const id = await declare(engine, service);
      await restart(id, service, namespace, 'no-such-deployment');
      expect((await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated'])).status).toBe(
        'failed',
      );
    }
    expect(
      (await engine.call('GET', `/api/v1/automation?service=${service}`, { token: 'viewer' })).body.service
        .breaker_open,
    ).toBe(true);

    await deploy(S.ledger, 'ledger');
    const id = await declare(engine, service);
    await restart(id, service, namespace, 'ledger');
    const approval = await eventually(
      async () => (await engine.call('GET', `/api/v1/incidents/${id}/approvals`)).body.approvals[0],
    );
    expect(approval.what).toContain('circuit breaker open');
    expect(approval.impact).toBe('low'); // a low step that normally runs alone
    await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
      token: 'approver',
      body: {},
    });
    expect((await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated'])).status).toBe(
      'succeeded',
    );
    // The approved override still took a slot (and so counts against the rate limit).
    const guard = (await engine.call('GET', `/api/v1/automation?service=${service}`, { token: 'viewer' }))
      .body.service;
    expect(guard.actions).toEqual(
      expect.arrayContaining([expect.objectContaining({ incident: id, grant: `${id}-rb-1/restart` })]),
    );

    const reset = await engine.call('POST', '/api/v1/automation/reset-breaker', {
      token: 'approver',
      body: { service },
    });
    expect(reset.body).toMatchObject({ breaker_open: false, reset_by: 'alice' });
  });
});

describe('guard grants', () => {
  it('a retried acquire finds the slot it took; a retried failure report counts once', async () => {
    const service = S.cart.name + '-grants';
    const acquire = (grant: string) =>
      engine.client.workflow.executeUpdateWithStart(guardAcquireUpdate, {
        args: [{ action: 'rollback', incident: 'INC-7', grant }],
        startWorkflowOperation: guardStart(engine.taskQueue, service),
      });
    expect(await acquire('INC-7-rb-1/undo')).toMatchObject({ decision: 'allowed' });
    // Its reply was lost and the activity retries: the same slot, not a refusal by itself.
    expect(await acquire('INC-7-rb-1/undo')).toMatchObject({
      decision: 'allowed',
      reason: 'already granted to this step',
    });
    expect(await acquire('INC-7-rb-2/undo')).toMatchObject({ decision: 'rate_limited' }); // 1 rollback per 15 min
    const report = () =>
      engine.client.workflow.executeUpdateWithStart(guardReportUpdate, {
        args: [{ action: 'rollback', incident: 'INC-7', ok: false, grant: 'INC-7-rb-1/undo' }],
        startWorkflowOperation: guardStart(engine.taskQueue, service),
      });
    await report();
    const state = await report(); // retried after a lost reply
    expect(state.failures).toHaveLength(1);
  });
});
