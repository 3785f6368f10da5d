/**
 * Least privilege: the RBAC generated from the catalogue (`npm run rbac`), applied to the
 * real API server, and a worker acting with that ServiceAccount's token. The built-in
 * runbooks work on the catalogued objects; anything else the API server itself refuses (403).
 */
import { KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { createKubernetesActivities } from '../activities/kubernetes';
import { TargetScope } from '../activities/scope';
import { rbacManifests } from '../common/rbac';
import { ServicesConfigSchema } from '../config/schema';
import { toServiceCatalogue } from '../config/services';
import { eventually, startEngine, TestEngine, unique } from './support/engine';
import { declare, pendingApproval, runReaches } from './support/incidents';
import { deployment, failoverTarget, kube, mergePatch } from './support/kube';
import { catalogueOf, ensureNamespace, testService } from './support/services';

const k = kube();
const rbac = k.kc.makeApiClient(RbacAuthorizationV1Api);
const allowed = testService('rbac', {
  deployments: ['web', 'web-standby'],
  services: ['web'],
  runbooks: { 'rolling-restart': {}, 'rollback-deployment': {}, 'scale-out': {}, failover: {} },
});
const catalogue = (services: (typeof allowed)[]) =>
  toServiceCatalogue(ServicesConfigSchema.parse(catalogueOf(services))).entries;
let engine: TestEngine;
let tokenKc: KubeConfig;

/** Applies the generated manifests with the admin credentials; returns a kubeconfig with the account's token. */
async function applyRbac(): Promise<KubeConfig> {
  const system = unique('tq-system');
  await k.core.createNamespace({ body: { metadata: { name: system } } });
  const manifests = rbacManifests(catalogue([allowed]), {
    namespace: system,
    serviceAccount: 'tourniquet-worker',
  });
  for (const m of manifests as any[]) {
    const namespace = m.metadata.namespace;
    if (m.kind === 'ServiceAccount') await k.core.createNamespacedServiceAccount({ namespace, body: m });
    if (m.kind === 'Role') await rbac.createNamespacedRole({ namespace, body: m });
    if (m.kind === 'RoleBinding') await rbac.createNamespacedRoleBinding({ namespace, body: m });
  }
  const { status } = await k.core.createNamespacedServiceAccountToken({
    name: 'tourniquet-worker',
    namespace: system,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = k.kc.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'worker', token: status!.token }],
    contexts: [{ name: 'worker', cluster: cluster.name, user: 'worker' }],
    currentContext: 'worker',
  });
  return kc;
}

beforeAll(async () => {
  const namespace = await ensureNamespace(k, allowed);
  await failoverTarget(k, namespace, 'web', 'web', 80);
  tokenKc = await applyRbac();
  engine = await startEngine({ services: catalogueOf([allowed]), kubeconfig: tokenKc });
});
afterAll(() => engine?.close());

const finished = (id: string, n: number) =>
  runReaches(engine, id, `${id}-rb-${n}`, ['succeeded', 'failed', 'escalated'], 120_000);
const approve = async (id: string) => {
  const approval = await pendingApproval(engine, id);
  await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
    token: 'approver',
    body: {},
  });
};

it('with the generated account, the built-in Kubernetes runbooks work in their catalogued namespace', async () => {
  const ns = allowed.namespace;
  await eventually(
    async () =>
      (await k.apps.readNamespacedDeployment({ namespace: ns, name: 'web' })).status?.readyReplicas === 1,
    {
      timeoutMs: 60_000,
    },
  );
  const id = await declare(engine, allowed.name);
  const start = (name: string, params: Record<string, string> = {}) =>
    engine.call('POST', `/api/v1/incidents/${id}/runbooks`, { body: { name, params } });

  await start('rolling-restart');
  expect((await finished(id, 1)).status).toBe('succeeded');
  await start('scale-out');
  expect((await finished(id, 2)).status).toBe('succeeded');
  await k.apps.patchNamespacedDeployment(
    {
      namespace: ns,
      name: 'web',
      body: {
        spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example/web:v9' }] } } },
      },
    },
    mergePatch,
  );
  await start('rollback-deployment');
  await approve(id);
  expect((await finished(id, 3)).status).toBe('succeeded');
  await start('failover', { primary: 'web', standby: 'web-standby' });
  await approve(id); // scale-standby is low, but switching the Service is high
  const failover = await finished(id, 4);
  expect(failover.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toContain(
    'switch:succeeded',
  );
}, 240_000);

it('the API server refuses the account anything else (403), whatever the engine would allow', async () => {
  const other = testService('rbac-other', { deployments: ['web'] });
  const namespace = await ensureNamespace(k, other);
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('web', 1) });
  // A catalogue that lists the other namespace (say, edited after the RBAC was generated):
  const acts = createKubernetesActivities({
    kubeconfig: tokenKc,
    scope: new TargetScope(catalogue([allowed, other])),
  });
  await expect(acts.k8sRolloutState({ namespace, name: 'web', scope: other.name })).rejects.toMatchObject({
    code: 403,
  });
  // And in its own namespace, an object outside the catalogue:
  await k.apps.createNamespacedDeployment({ namespace: allowed.namespace, body: deployment('db', 1) });
  const wide = testService('rbac-wide', { deployments: ['db'] });
  wide.config.kubernetes = { namespace: allowed.namespace, deployments: ['db'], services: [] };
  const acts2 = createKubernetesActivities({
    kubeconfig: tokenKc,
    scope: new TargetScope(catalogue([wide])),
  });
  await expect(
    acts2.k8sRolloutState({ namespace: allowed.namespace, name: 'db', scope: wide.name }),
  ).rejects.toMatchObject({
    code: 403,
  });
});
