/** The built-in scale-out, through the runbook test kit (the kit authors use, proven here on every run). */
import { keep } from './support/histories';
import { startKit, type RunbookKit } from './support/runbook-kit';

let kit: RunbookKit;
beforeAll(async () => {
  kit = await startKit({
    deployments: ['search', 'index'],
    caps: { max_replicas: 3 },
    runbooks: { 'scale-out': {} },
  });
  await Promise.all([kit.deployment('search', 2), kit.deployment('index', 2)]);
}, 120_000);
afterAll(() => kit?.close());

const replicas = async (name: string) =>
  (await kit.k.apps.readNamespacedDeployment({ name, namespace: kit.namespace })).spec?.replicas;

it('doubles the replicas within the catalogue cap', async () => {
  // The cap is the catalogue's (3); a max_replicas parameter is not one scale-out declares: dropped.
  const run = await kit.run('scale-out', {
    namespace: kit.namespace,
    deployment: 'search',
    max_replicas: '100000',
  });
  expect(run.status).toBe('succeeded');
  keep(kit.engine.namespace, run.run_id, 'runbook-scale-out-v6');
  expect(kit.steps(run)).toEqual(['inspect:succeeded', 'scale:succeeded', 'wait:succeeded']);
  expect(await replicas('search')).toBe(3); // ×2 would be 4: capped at 3
});

it('refuses to scale by more than ×2 and says so, changing nothing', async () => {
  const run = await kit.run('scale-out', { namespace: kit.namespace, deployment: 'index', factor: '5' });
  expect(run).toMatchObject({ status: 'escalated' });
  expect(run.outcome).toContain('exceeds the ×2 cap');
  expect(kit.steps(run)).toEqual([]);
  expect(await replicas('index')).toBe(2);
});
