import { eventually, startEngine, TestEngine } from './support/engine';
import { catalogueOf, ensureNamespace, testService } from './support/services';
import { declare, pendingApproval, runReaches } from './support/incidents';
import { deployment, kube, mergePatch } from './support/kube';
import { spawnWorker } from './support/worker-process';

const k = kube();
let engine: TestEngine;
const orders = testService('orders', { deployments: ['orders'], runbooks: { 'rollback-deployment': {} } });
beforeAll(async () => {
  engine = await startEngine({ services: catalogueOf([orders]) });
  await engine.stopWorker(); // this file's worker runs in a child process we can kill
});
afterAll(() => engine?.close());

it('a worker killed with SIGKILL while a rollback waits for approval loses nothing: approved later, the rollback runs once', async () => {
  const namespace = await ensureNamespace(k, orders);
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('orders', 1) });
  await k.apps.patchNamespacedDeployment(
    {
      name: 'orders',
      namespace,
      body: {
        spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example/orders:v2' }] } } },
      },
    },
    mergePatch,
  );
  await eventually(
    async () =>
      (await k.apps.readNamespacedDeployment({ name: 'orders', namespace })).metadata?.annotations?.[
        'deployment.kubernetes.io/revision'
      ] === '2',
  );

  const worker = await spawnWorker(engine, { services: catalogueOf([orders]) });

  const id = await declare(engine, orders.name);
  await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'rollback-deployment', params: { namespace, deployment: 'orders' } },
  });
  const approval = await pendingApproval(engine, id);

  worker.child.kill('SIGKILL');
  await worker.exited;

  await engine.startWorker();
  expect(
    (
      await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
        token: 'approver',
        body: {},
      })
    ).status,
  ).toBe(200);
  const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated'], 90_000);
  expect(run).toMatchObject({ status: 'succeeded' });
  const d = await k.apps.readNamespacedDeployment({ name: 'orders', namespace });
  expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3'); // exactly one rollback
  expect(d.spec?.template?.spec?.containers?.[0]?.image).toBe('registry.example/orders:v1');
}, 120_000);
