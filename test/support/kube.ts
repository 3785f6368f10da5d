/** client-node clients for the run's Kubernetes test plane, and a namespace per test. */
import {
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { eventually, unique } from './engine';

export interface Kube {
  kc: KubeConfig;
  apps: AppsV1Api;
  core: CoreV1Api;
  discovery: DiscoveryV1Api;
}

export function kube(): Kube {
  const file = process.env.TOURNIQUET_TEST_KUBECONFIG;
  if (!file)
    throw new Error(
      'TOURNIQUET_TEST_KUBECONFIG is unset: run tests through jest (test/support/global-setup.ts)',
    );
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return {
    kc,
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
  };
}

export async function createNamespace(k: Kube, prefix: string): Promise<string> {
  const name = unique(prefix).toLowerCase();
  await k.core.createNamespace({ body: { metadata: { name } } });
  return name;
}

export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** A Deployment of `replicas` pods labelled app=<name>; kwok runs them without containers. */
export function deployment(name: string, replicas: number, labels: Record<string, string> = {}) {
  const match = { app: name, ...labels };
  return {
    metadata: { name, labels: match },
    spec: {
      replicas,
      selector: { matchLabels: match },
      template: {
        metadata: { labels: match },
        spec: {
          containers: [
            { name: 'app', image: `registry.example/${name}:v1`, ports: [{ containerPort: 8080 }] },
          ],
          tolerations: [{ key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' }],
        },
      },
    },
  };
}

/** A failover target: Deployment `name` (one pod), `name`-standby (none) and a Service `service` selecting `name`. */
export async function failoverTarget(
  k: Kube,
  namespace: string,
  name: string,
  service: string,
  port: number,
) {
  await k.apps.createNamespacedDeployment({ namespace, body: deployment(name, 1) });
  await k.apps.createNamespacedDeployment({ namespace, body: deployment(`${name}-standby`, 0) });
  await k.core.createNamespacedService({
    namespace,
    body: { metadata: { name: service }, spec: { selector: { app: name }, ports: [{ port }] } },
  });
}

/** Waits until the Deployment has `replicas` ready pods (kwok makes them ready within seconds). */
export function deploymentReady(k: Kube, namespace: string, name: string, replicas = 1) {
  return eventually(
    async () =>
      (await k.apps.readNamespacedDeployment({ namespace, name })).status?.readyReplicas === replicas,
    { timeoutMs: 60_000 },
  );
}
