/**
 * The built-in rolling-restart and rollback-deployment through the runbook test kit, as an
 * author's test would drive them (runbooks-kubernetes.test.ts goes deeper: alerts, crashes,
 * guardrails). With scale-out's test, the kit is proven on the built-ins on every run.
 */
import { eventually } from './support/engine';
import { mergePatch } from './support/kube';
import { startKit, type RunbookKit } from './support/runbook-kit';

let kit: RunbookKit;
beforeAll(async () => {
  kit = await startKit({
    deployments: ['api', 'checkout'],
    runbooks: { 'rolling-restart': {}, 'rollback-deployment': {} },
  });
  await Promise.all([kit.deployment('api', 2), kit.deployment('checkout', 2)]);
}, 120_000);
afterAll(() => kit?.close());

const read = (name: string) => kit.k.apps.readNamespacedDeployment({ name, namespace: kit.namespace });
const image = async (name: string) => (await read(name)).spec?.template.spec?.containers[0].image;

it('rolling-restart restarts the Deployment once and watches the rollout', async () => {
  const run = await kit.run('rolling-restart', { namespace: kit.namespace, deployment: 'api' });
  expect(run.status).toBe('succeeded');
  expect(kit.steps(run)).toEqual(['restart:succeeded', 'wait:succeeded']);
  expect(run.outcome).toMatch(/^restarted api: revision 2, 2\/2 available/);
  const api = await read('api');
  expect(api.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
  expect(api.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
});

it('rollback-deployment waits for an approver, then restores the revision before the bad one', async () => {
  await kit.k.apps.patchNamespacedDeployment(
    {
      name: 'checkout',
      namespace: kit.namespace,
      body: {
        spec: {
          template: { spec: { containers: [{ name: 'app', image: 'registry.example/checkout:v2-bad' }] } },
        },
      },
    },
    mergePatch,
  );
  await eventually(
    async () => (await read('checkout')).metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2',
  );

  const waiting = await kit.run('rollback-deployment', { namespace: kit.namespace, deployment: 'checkout' });
  expect(kit.steps(waiting)).toEqual(['inspect:succeeded', 'undo:waiting']);
  expect(await image('checkout')).toBe('registry.example/checkout:v2-bad'); // nothing changed before the approval

  const done = await kit.approve(waiting);
  expect(done.status).toBe('succeeded');
  expect(kit.steps(done)).toEqual(['inspect:succeeded', 'undo:succeeded', 'wait:succeeded']);
  expect(await image('checkout')).toBe('registry.example/checkout:v1');
});
