import { eventually } from './support/engine';
import { createNamespace, deployment, kube, mergePatch } from './support/kube';

const k = kube();

describe('the Kubernetes test plane is a real control plane', () => {
  it('runs a Deployment and Service end to end: ready pods, endpoints, a rollout, scaling, deletion', async () => {
    const namespace = await createNamespace(k, 'plane');
    await k.apps.createNamespacedDeployment({ namespace, body: deployment('web', 3) });
    await k.core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });

    // The ReplicaSet controller makes pods, the scheduler binds them, kwok makes them Ready.
    await eventually(
      async () =>
        (await k.apps.readNamespacedDeployment({ name: 'web', namespace })).status?.readyReplicas === 3,
      { timeoutMs: 60_000 },
    );
    const pods = await k.core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
    expect(pods.items).toHaveLength(3);
    expect(pods.items.every((p) => p.spec?.nodeName?.startsWith('kwok-node-'))).toBe(true);

    const endpoints = await eventually(
      async () => {
        const slices = await k.discovery.listNamespacedEndpointSlice({
          namespace,
          labelSelector: 'kubernetes.io/service-name=web',
        });
        const ready = slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready);
        return ready.length === 3 && ready;
      },
      { timeoutMs: 30_000 },
    );
    expect(endpoints).toHaveLength(3);

    // A pod template change rolls out a second ReplicaSet revision.
    await k.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace,
        body: {
          spec: {
            template: {
              metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } },
            },
          },
        },
      },
      mergePatch,
    );
    await eventually(
      async () => {
        const d = await k.apps.readNamespacedDeployment({ name: 'web', namespace });
        return (
          d.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2' &&
          d.status?.updatedReplicas === 3 &&
          d.status?.readyReplicas === 3 &&
          (d.status?.replicas ?? 0) === 3
        );
      },
      { timeoutMs: 60_000 },
    );
    const sets = await k.apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=web' });
    expect(
      sets.items.map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision']).sort(),
    ).toEqual(['1', '2']);

    await k.apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace, body: { spec: { replicas: 5 } } },
      mergePatch,
    );
    await eventually(
      async () =>
        (await k.apps.readNamespacedDeployment({ name: 'web', namespace })).status?.readyReplicas === 5,
      { timeoutMs: 60_000 },
    );

    await k.apps.deleteNamespacedDeployment({ name: 'web', namespace });
    await eventually(
      async () =>
        (await k.core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items.length === 0,
      { timeoutMs: 60_000 },
    );
  });
});
