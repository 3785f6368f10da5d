/**
 * Upgrades never break a running incident: a run waiting for approval keeps the code it
 * started with after its runbook file changes and the engine restarts (Worker Versioning pins
 * it; the worker keeps the older version's bundle and a worker for it until the run ends),
 * while a new run uses the new code. Without pinning, the changed file replays into a
 * non-determinism error (a step added before the gate is a new activity in the history).
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from './support/engine';
import { startKit, type RunbookKit } from './support/runbook-kit';

const runbook = (version: 'v1' | 'v2') => `import { defineRunbook, z } from 'tourniquet/runbook';

export default defineRunbook({
  meta: {
    name: 'upgrade-probe',
    owner: 'test-team',
    description: 'Reads a Deployment, then scales it to 2 after approval.',
    version: '${version === 'v1' ? '1.0.0' : '1.1.0'}',
    triggers: [],
    escalation: 'platform-oncall',
    eta: '5m',
    params: z.object({
      namespace: z.string().describe('namespace'),
      deployment: z.string().describe('Deployment to scale'),
    }),
    targets: { namespace: 'namespace', deployment: 'deployment' },
  },
  async run(ctx) {
    const ref = { namespace: ctx.params.namespace, name: ctx.params.deployment };
    await ctx.step({ id: 'inspect', title: 'Read', impact: 'read', what: 'read it' }, () =>
      ctx.k8s.k8sRolloutState(ref),
    );${
      version === 'v2'
        ? `
    await ctx.step({ id: 'precheck', title: 'Read again', impact: 'read', what: 'read it again' }, () =>
      ctx.k8s.k8sRolloutState(ref),
    );`
        : ''
    }
    await ctx.step(
      { id: 'scale', title: 'Scale to 2', impact: 'high', action: 'scale', what: 'scale to 2 replicas' },
      () => ctx.k8s.k8sScale({ ...ref, replicas: 2, key: ctx.key('scale') }),
    );
    return '${version} finished';
  },
});
`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-author-'));
const file = path.join(dir, 'upgrade-probe.ts');
const bundleDir = path.join(dir, '.bundles');
let kit: RunbookKit;

beforeAll(async () => {
  writeFileSync(file, runbook('v1'));
  kit = await startKit({
    runbookDirs: [dir],
    bundleDir,
    deployments: ['web'],
    runbooks: { 'upgrade-probe': {} },
    namespace: 'test-9',
  });
  await kit.deployment('web', 1);
}, 120_000);
afterAll(() => kit?.close());

it('a run waiting for approval finishes on its own code after the runbook changes and the engine restarts', async () => {
  const params = { namespace: kit.namespace, deployment: 'web' };
  const waiting = await kit.run('upgrade-probe', params);
  expect(kit.steps(waiting)).toEqual(['inspect:succeeded', 'scale:waiting']);

  await kit.engine.stopWorker();
  writeFileSync(file, runbook('v2')); // a step added before the gate
  await kit.engine.startWorker();
  expect(readdirSync(bundleDir)).toHaveLength(2); // the older version kept: a run is pinned to it

  const done = await kit.approve(waiting);
  expect(done).toMatchObject({ status: 'succeeded', outcome: 'v1 finished' });
  expect(kit.steps(done)).toEqual(['inspect:succeeded', 'scale:succeeded']);
  const d = await kit.k.apps.readNamespacedDeployment({ name: 'web', namespace: kit.namespace });
  expect(d.spec?.replicas).toBe(2);

  const fresh = await kit.run('upgrade-probe', params);
  expect(kit.steps(fresh)).toEqual(['inspect:succeeded', 'precheck:succeeded', 'scale:waiting']);
  expect((await kit.approve(fresh)).outcome).toBe('v2 finished');

  // Drained: the next start forgets the older version.
  await kit.engine.stopWorker();
  await kit.engine.startWorker();
  await eventually(async () => readdirSync(bundleDir).length === 1);
}, 180_000);
