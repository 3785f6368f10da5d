/**
 * The engine-wide budget: however many services an alert storm touches, the engine takes at
 * most `guardrails.engine_budget` mutating actions per window; the rest are refused on their
 * timelines and their targets stay as they are.
 */
import { DEFAULT_GUARDRAILS } from '../domain/guardrails';
import { startEngine, TestEngine } from './support/engine';
import { declare, runReaches } from './support/incidents';
import { deployment, deploymentReady, kube } from './support/kube';
import { catalogueOf, ensureNamespace, testService } from './support/services';

const k = kube();
const services = [1, 2, 3].map((n) =>
  testService(`budget${n}`, { deployments: ['web'], runbooks: { 'rolling-restart': {} } }),
);
let engine: TestEngine;
beforeAll(async () => {
  // Its own namespace: the engine-wide guard counts every action in it.
  engine = await startEngine({
    namespace: 'test-6',
    services: catalogueOf(services),
    guardrails: { ...DEFAULT_GUARDRAILS, engineBudget: { count: 2, windowMs: 15 * 60_000 } },
  });
});
afterAll(() => engine?.close());

it('three services, a budget of two: the third restart is refused, naming the budget', async () => {
  const runs = [];
  for (const s of services) {
    const namespace = await ensureNamespace(k, s);
    await k.apps.createNamespacedDeployment({ namespace, body: deployment('web', 1) });
    await deploymentReady(k, namespace, 'web');
    const id = await declare(engine, s.name);
    await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, { body: { name: 'rolling-restart' } });
    runs.push(await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']));
  }
  expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'escalated']);
  expect(runs[2].steps[0].result).toContain('engine-wide budget: at most 2 mutating actions per 15 min');
  const third = await k.apps.readNamespacedDeployment({ namespace: services[2].namespace, name: 'web' });
  expect(third.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
});
