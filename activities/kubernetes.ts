/**
 * Kubernetes actions for runbooks, through @kubernetes/client-node. Every mutating action
 * is idempotent: it carries a key (incident id + step id), writes it in an annotation in
 * the same write as the change (PUT with resourceVersion, so a concurrent change conflicts
 * instead of being overwritten), and does nothing when the key is already there.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type Scoped, TargetScope } from './scope';
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, KubeConfig, V1Deployment } from '@kubernetes/client-node';

export const KEY_ANNOTATION = 'tourniquet.dev/last-action';
/** On a Service: the key of the last selector change and the selector it replaced. */
export const SELECTOR_ANNOTATION = 'tourniquet.dev/last-selector-change';

const parseMark = (v: string | undefined): { key: string; previous: Record<string, string> } | undefined => {
  try {
    return v ? (JSON.parse(v) as { key: string; previous: Record<string, string> }) : undefined;
  } catch {
    return undefined; // someone edited it by hand: treat as no mark
  }
};

export interface KubernetesDeps {
  /** Absent when no cluster is configured: every action then fails with a clear message. */
  kubeconfig?: KubeConfig;
  scope: TargetScope;
}

export interface DeploymentRef extends Scoped {
  namespace: string;
  name: string;
}

/** A Kubernetes Service (failover points its selector at a Deployment's pods). */
export interface ServiceRef extends Scoped {
  namespace: string;
  service: string;
}

export interface RolloutState {
  revision: string;
  desired: number;
  ready: number;
  updated: number;
  available: number;
  complete: boolean;
  image?: string;
  /** The pod labels the Deployment selects (what a Service must select to reach its pods). */
  selector: Record<string, string>;
}

export function createKubernetesActivities({ kubeconfig, scope }: KubernetesDeps) {
  const clients = () => {
    if (!kubeconfig) {
      throw ApplicationFailure.nonRetryable(
        'No Kubernetes cluster is configured: set KUBECONFIG (or run in-cluster) and restart the worker',
        'TargetNotConfigured',
      );
    }
    return {
      apps: kubeconfig.makeApiClient(AppsV1Api),
      core: kubeconfig.makeApiClient(CoreV1Api),
      discovery: kubeconfig.makeApiClient(DiscoveryV1Api),
    };
  };
  const read = async ({ namespace, name, scope: service }: DeploymentRef) => {
    scope.check(service, 'namespace', namespace);
    scope.check(service, 'deployment', name);
    try {
      return await clients().apps.readNamespacedDeployment({ namespace, name });
    } catch (err) {
      if ((err as { code?: number } | undefined)?.code === 404)
        throw ApplicationFailure.nonRetryable(`Deployment ${namespace}/${name} not found`, 'NotFound');
      throw err;
    }
  };
  const checkService = (o: ServiceRef) => {
    scope.check(o.scope, 'namespace', o.namespace);
    scope.check(o.scope, 'k8s-service', o.service);
  };
  const readService = (o: ServiceRef) => {
    checkService(o);
    return clients().core.readNamespacedService({ namespace: o.namespace, name: o.service });
  };
  /** Writes `change` unless `key` was already applied; returns whether it wrote. */
  const applyOnce = async (
    ref: DeploymentRef,
    key: string,
    change: (d: V1Deployment) => void,
  ): Promise<boolean> => {
    const d = await read(ref);
    if (d.metadata?.annotations?.[KEY_ANNOTATION] === key) return false;
    change(d);
    d.metadata!.annotations = { ...d.metadata!.annotations, [KEY_ANNOTATION]: key };
    await clients().apps.replaceNamespacedDeployment({ namespace: ref.namespace, name: ref.name, body: d });
    return true;
  };

  function rolloutState(d: V1Deployment): RolloutState {
    const desired = d.spec?.replicas ?? 1;
    const s = d.status ?? {};
    const complete =
      (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
      (s.updatedReplicas ?? 0) === desired &&
      (s.availableReplicas ?? 0) === desired &&
      (s.replicas ?? 0) === desired;
    return {
      revision: d.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '0',
      desired,
      ready: s.readyReplicas ?? 0,
      updated: s.updatedReplicas ?? 0,
      available: s.availableReplicas ?? 0,
      complete,
      image: d.spec?.template?.spec?.containers?.[0]?.image,
      selector: d.spec?.selector?.matchLabels ?? {},
    };
  }

  return {
    async k8sRolloutState(ref: DeploymentRef): Promise<RolloutState> {
      return rolloutState(await read(ref));
    },

    /** Waits (heartbeating) until the rollout is complete, or fails after `timeoutSeconds`. */
    async k8sWaitForRollout(ref: DeploymentRef & { timeoutSeconds: number }): Promise<RolloutState> {
      const deadline = Date.now() + ref.timeoutSeconds * 1000;
      for (;;) {
        const state = rolloutState(await read(ref));
        Context.current().heartbeat(state);
        if (state.complete) return state;
        if (Date.now() > deadline) {
          throw ApplicationFailure.nonRetryable(
            `rollout of ${ref.namespace}/${ref.name} not complete after ${ref.timeoutSeconds}s (${state.available}/${state.desired} available)`,
            'RolloutTimeout',
          );
        }
        await Context.current().sleep(500); // throws when cancelled (e.g. the worker is shutting down)
      }
    },

    /** Like `kubectl rollout restart`: a new pod template annotation rolls every pod. */
    async k8sRolloutRestart(ref: DeploymentRef & { key: string }): Promise<{ restarted: boolean }> {
      const restarted = await applyOnce(ref, ref.key, (d) => {
        const t = d.spec!.template;
        t.metadata = {
          ...t.metadata,
          annotations: {
            ...t.metadata?.annotations,
            'kubectl.kubernetes.io/restartedAt': new Date().toISOString(),
          },
        };
      });
      return { restarted };
    },

    /** Like `kubectl rollout undo`: restore the pod template of the previous ReplicaSet revision. */
    async k8sRolloutUndo(
      ref: DeploymentRef & { key: string },
    ): Promise<{ rolledBack: boolean; from: string; to?: string; image?: string }> {
      const d = await read(ref);
      const current = d.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '0';
      if (d.metadata?.annotations?.[KEY_ANNOTATION] === ref.key) return { rolledBack: false, from: current };
      const sets = await clients().apps.listNamespacedReplicaSet({ namespace: ref.namespace });
      const owned = sets.items
        .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === d.metadata?.uid))
        .map((rs) => ({
          rs,
          revision: Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0),
        }))
        .filter((x) => x.revision < Number(current))
        .sort((a, b) => b.revision - a.revision);
      const previous = owned[0];
      if (!previous)
        throw ApplicationFailure.nonRetryable(
          `Deployment ${ref.namespace}/${ref.name} has no earlier revision to roll back to`,
          'NoPreviousRevision',
        );
      const template = structuredClone(previous.rs.spec!.template!);
      delete template.metadata?.labels?.['pod-template-hash'];
      d.spec!.template = template;
      d.metadata!.annotations = { ...d.metadata!.annotations, [KEY_ANNOTATION]: ref.key };
      await clients().apps.replaceNamespacedDeployment({ namespace: ref.namespace, name: ref.name, body: d });
      return {
        rolledBack: true,
        from: current,
        to: String(previous.revision),
        image: template.spec?.containers?.[0]?.image,
      };
    },

    /** Sets the replica count (absolute, so a retry is harmless). */
    async k8sScale(ref: DeploymentRef & { replicas: number }): Promise<{ from: number; to: number }> {
      const d = await read(ref);
      const from = d.spec?.replicas ?? 1;
      if (from !== ref.replicas) {
        d.spec!.replicas = ref.replicas;
        await clients().apps.replaceNamespacedDeployment({
          namespace: ref.namespace,
          name: ref.name,
          body: d,
        });
      }
      return { from, to: ref.replicas };
    },

    /** Points a Service at other pods; returns the selector it had. Idempotent: same selector, no write. */
    /**
     * Points a Service at other pods. With a key, the selector it replaced is written in the
     * same PUT (SELECTOR_ANNOTATION): a retry after a lost reply answers that selector — not
     * the one it set itself — so a switch-back restores what was really there.
     */
    async k8sSetServiceSelector(
      o: ServiceRef & { selector: Record<string, string>; key?: string },
    ): Promise<{ previous: Record<string, string>; changed: boolean }> {
      const svc = await readService(o);
      const mark = parseMark(svc.metadata?.annotations?.[SELECTOR_ANNOTATION]);
      if (o.key && mark?.key === o.key) return { previous: mark.previous, changed: false };
      const previous = svc.spec?.selector ?? {};
      if (JSON.stringify(previous) === JSON.stringify(o.selector)) return { previous, changed: false };
      svc.spec!.selector = o.selector;
      if (o.key)
        svc.metadata!.annotations = {
          ...svc.metadata!.annotations,
          [SELECTOR_ANNOTATION]: JSON.stringify({ key: o.key, previous }),
        };
      await clients().core.replaceNamespacedService({ namespace: o.namespace, name: o.service, body: svc });
      return { previous, changed: true };
    },

    async k8sServiceSelector(o: ServiceRef): Promise<Record<string, string>> {
      const svc = await readService(o);
      return svc.spec?.selector ?? {};
    },

    /** Ready endpoints behind a Service, with the pods they point at. */
    async k8sReadyEndpoints(o: ServiceRef): Promise<{ ready: number; pods: string[] }> {
      checkService(o);
      const slices = await clients().discovery.listNamespacedEndpointSlice({
        namespace: o.namespace,
        labelSelector: `kubernetes.io/service-name=${o.service}`,
      });
      const ready = slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready);
      return { ready: ready.length, pods: ready.map((e) => e.targetRef?.name ?? '').filter(Boolean) };
    },
  };
}
export type KubernetesActivities = ReturnType<typeof createKubernetesActivities>;
