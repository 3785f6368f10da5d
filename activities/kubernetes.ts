/**
 * Kubernetes actions for runbooks, through @kubernetes/client-node. Every mutating action
 * is idempotent: it carries a key (run id + step id) that is checked against the object's
 * own bounded history of applied keys (KEY_ANNOTATION) and appended in the same write as the
 * change (PUT with resourceVersion: a concurrent change conflicts, is re-read and re-checked,
 * never overwritten). A retry finds its key — even after other runs wrote since — and answers
 * what the first attempt did.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type Scoped, TargetScope } from './scope';
import {
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  type V1ConfigMap,
  type V1Deployment,
  type V1ObjectMeta,
  type V1Service,
} from '@kubernetes/client-node';

/** On each object Tourniquet changed: the newest KEY_HISTORY keys applied to it, with what each did. */
export const KEY_ANNOTATION = 'tourniquet.dev/actions';
const KEY_HISTORY = 20;
/** Written by earlier versions (one key per object); still read, so their retries are recognised. */
const LEGACY_KEY = 'tourniquet.dev/last-action';
const LEGACY_SELECTOR = 'tourniquet.dev/last-selector-change';

interface Applied {
  key: string;
  at: string;
  /** What the action answered the first time (a retry answers the same). */
  result?: Record<string, unknown>;
}

const parseJson = <T>(v: string | undefined): T | undefined => {
  try {
    return v ? (JSON.parse(v) as T) : undefined;
  } catch {
    return undefined; // someone edited it by hand: treat as absent
  }
};

/** The keys applied to an object, its legacy annotations included. */
function appliedKeys(meta: V1ObjectMeta | undefined): Applied[] {
  const a = meta?.annotations ?? {};
  const history = parseJson<Applied[]>(a[KEY_ANNOTATION]);
  const legacy = parseJson<{ key: string; previous: Record<string, string> }>(a[LEGACY_SELECTOR]);
  return [
    ...(a[LEGACY_KEY] ? [{ key: a[LEGACY_KEY], at: '' }] : []),
    ...(legacy ? [{ key: legacy.key, at: '', result: { previous: legacy.previous } }] : []),
    ...(Array.isArray(history) ? history.filter((e) => typeof e?.key === 'string') : []),
  ];
}

/** Writes the history (the newest KEY_HISTORY entries) and drops the legacy annotations it now holds. */
function remember(meta: V1ObjectMeta, history: Applied[]): void {
  const { [LEGACY_KEY]: _key, [LEGACY_SELECTOR]: _selector, ...rest } = meta.annotations ?? {};
  meta.annotations = { ...rest, [KEY_ANNOTATION]: JSON.stringify(history.slice(-KEY_HISTORY)) };
}

const isConflict = (err: unknown) => (err as { code?: number } | undefined)?.code === 409;

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

/** A catalogued switch of the run's service (ServiceSwitch): its ConfigMap comes from the catalogue. */
export interface SwitchRef extends Scoped {
  switch: string;
}

export interface SwitchState {
  namespace: string;
  config_map: string;
  key: string;
  /** The key's value now (absent: not set). */
  value?: string;
  /** What the catalogue allows it to be. */
  values: string[];
}

export interface Revision {
  revision: number;
  created_at: string;
  image?: string;
  replicas: number;
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
  /**
   * Changes an object once per key: reads it, answers the remembered result if the key was
   * applied, else lets `change` edit it (undefined: nothing to change) and writes the edit
   * with the key appended to its history. A write that conflicts is re-read and re-checked.
   * Without a key (older callers): the same, remembering nothing.
   */
  async function applyOnce<O extends { metadata?: V1ObjectMeta }, R extends Record<string, unknown>>(
    key: string | undefined,
    io: { read(): Promise<O>; write(o: O): Promise<unknown> },
    change: (o: O) => Promise<R | undefined> | R | undefined,
  ): Promise<{ applied: boolean; result?: R }> {
    for (let attempt = 1; ; attempt++) {
      const o = await io.read();
      const history = appliedKeys(o.metadata);
      const done = key !== undefined && history.find((e) => e.key === key);
      if (done) return { applied: false, result: done.result as R | undefined };
      const result = await change(o);
      if (result === undefined) return { applied: false };
      if (key !== undefined)
        remember(o.metadata!, [...history, { key, at: new Date().toISOString(), result }]);
      try {
        await io.write(o);
        return { applied: true, result };
      } catch (err) {
        if (!isConflict(err) || attempt >= 5) throw err;
      }
    }
  }
  /** The switch as catalogued for the run's service: never a ConfigMap a parameter names. */
  const switchOf = (o: SwitchRef) => {
    scope.check(o.scope, 'switch', o.switch);
    const k8s = scope.entry(o.scope!)!.kubernetes!;
    return { namespace: k8s.namespace, ...k8s.switches![o.switch] };
  };
  const configMapIO = ({ namespace, config_map: name }: { namespace: string; config_map: string }) => ({
    read: () =>
      clients()
        .core.readNamespacedConfigMap({ namespace, name })
        .catch((err: { code?: number }) => {
          if (err?.code === 404)
            throw ApplicationFailure.nonRetryable(`ConfigMap ${namespace}/${name} not found`, 'NotFound');
          throw err;
        }),
    write: (body: V1ConfigMap) => clients().core.replaceNamespacedConfigMap({ namespace, name, body }),
  });

  const deploymentIO = (ref: DeploymentRef) => ({
    read: () => read(ref),
    write: (body: V1Deployment) =>
      clients().apps.replaceNamespacedDeployment({ namespace: ref.namespace, name: ref.name, body }),
  });

  /** The newest ReplicaSet revision of `d` older than `current` (what `rollout undo` restores). */
  /** `d`'s ReplicaSets with their revision numbers, newest first (a list cannot be limited by owner). */
  async function revisionsOf(ref: DeploymentRef, d: V1Deployment) {
    const sets = await clients().apps.listNamespacedReplicaSet({ namespace: ref.namespace });
    return sets.items
      .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === d.metadata?.uid))
      .map((rs) => ({
        rs,
        revision: Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0),
      }))
      .sort((a, b) => b.revision - a.revision);
  }

  async function previousRevision(ref: DeploymentRef, d: V1Deployment, current: string) {
    const previous = (await revisionsOf(ref, d)).find((x) => x.revision < Number(current));
    if (!previous)
      throw ApplicationFailure.nonRetryable(
        `Deployment ${ref.namespace}/${ref.name} has no earlier revision to roll back to`,
        'NoPreviousRevision',
      );
    return previous;
  }

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

    /** Like `kubectl rollout history`: the newest `limit` revisions, newest first (recent deploys). */
    async k8sRolloutHistory(ref: DeploymentRef & { limit: number }): Promise<Revision[]> {
      const revisions = await revisionsOf(ref, await read(ref));
      return revisions.slice(0, Math.min(ref.limit, 20)).map(({ rs, revision }) => ({
        revision,
        created_at: rs.metadata?.creationTimestamp?.toISOString() ?? '',
        image: rs.spec?.template?.spec?.containers?.[0]?.image,
        replicas: rs.status?.replicas ?? 0,
      }));
    },

    /**
     * Restarts one pod of a catalogued Deployment by deleting it (its ReplicaSet starts a new
     * one): only a pod the Deployment selects. A pod already gone is not an error — a retry.
     */
    async k8sDeletePod(ref: DeploymentRef & { pod: string }): Promise<{ deleted: boolean }> {
      const d = await read(ref);
      const selector = d.spec?.selector?.matchLabels ?? {};
      const core = clients().core;
      const pod = await core
        .readNamespacedPod({ namespace: ref.namespace, name: ref.pod })
        .catch((err: { code?: number }) => {
          if (err?.code === 404) return undefined;
          throw err;
        });
      if (!pod) return { deleted: false };
      const labels = pod.metadata?.labels ?? {};
      if (!Object.entries(selector).every(([k, v]) => labels[k] === v))
        throw ApplicationFailure.nonRetryable(
          `refused: pod ${ref.pod} is not one of Deployment ${ref.namespace}/${ref.name}'s pods`,
          'TargetRefused',
        );
      await core.deleteNamespacedPod({ namespace: ref.namespace, name: ref.pod });
      return { deleted: true };
    },

    /** Like `kubectl rollout restart`: a new pod template annotation rolls every pod. */
    async k8sRolloutRestart(ref: DeploymentRef & { key: string }): Promise<{ restarted: boolean }> {
      const { applied } = await applyOnce(ref.key, deploymentIO(ref), (d) => {
        const t = d.spec!.template;
        const restartedAt = new Date().toISOString();
        t.metadata = {
          ...t.metadata,
          annotations: { ...t.metadata?.annotations, 'kubectl.kubernetes.io/restartedAt': restartedAt },
        };
        return { restartedAt };
      });
      return { restarted: applied };
    },

    /** Like `kubectl rollout undo`: restore the pod template of the previous ReplicaSet revision. */
    async k8sRolloutUndo(
      ref: DeploymentRef & { key: string },
    ): Promise<{ rolledBack: boolean; from?: string; to?: string; image?: string }> {
      const { applied, result } = await applyOnce(ref.key, deploymentIO(ref), async (d) => {
        const from = d.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '0';
        const previous = await previousRevision(ref, d, from);
        const template = structuredClone(previous.rs.spec!.template!);
        delete template.metadata?.labels?.['pod-template-hash'];
        d.spec!.template = template;
        return { from, to: String(previous.revision), image: template.spec?.containers?.[0]?.image };
      });
      return { rolledBack: applied, ...result };
    },

    /** Sets the replica count (absolute, so a retry is harmless); with a key, remembered like every change. */
    async k8sScale(
      ref: DeploymentRef & { replicas: number; key?: string },
    ): Promise<{ from: number; to: number }> {
      const scale = (d: V1Deployment) => {
        const from = d.spec?.replicas ?? 1;
        if (from === ref.replicas) return undefined;
        d.spec!.replicas = ref.replicas;
        return { from, to: ref.replicas };
      };
      const { result } = await applyOnce(ref.key, deploymentIO(ref), scale);
      return result ?? { from: ref.replicas, to: ref.replicas };
    },

    /**
     * Points a Service at other pods. With a key, the selector it replaced is remembered with
     * the key in the same PUT: a retry after a lost reply answers that selector — not the one
     * it set itself — so a switch-back restores what was really there.
     */
    async k8sSetServiceSelector(
      o: ServiceRef & { selector: Record<string, string>; key?: string },
    ): Promise<{ previous: Record<string, string>; changed: boolean }> {
      const io = {
        read: () => readService(o),
        write: (body: V1Service) =>
          clients().core.replaceNamespacedService({ namespace: o.namespace, name: o.service, body }),
      };
      let current: Record<string, string> = {};
      const { applied, result } = await applyOnce(o.key, io, (svc) => {
        current = svc.spec?.selector ?? {};
        if (JSON.stringify(current) === JSON.stringify(o.selector)) return undefined;
        svc.spec!.selector = o.selector;
        return { previous: current };
      });
      return { previous: (result?.previous as Record<string, string>) ?? current, changed: applied };
    },

    async k8sReadSwitch(o: SwitchRef): Promise<SwitchState> {
      const w = switchOf(o);
      const cm = await configMapIO(w).read();
      return { ...w, value: cm.data?.[w.key] };
    },

    /**
     * Sets a switch to one of its catalogued values, once per key; the value it replaced is
     * remembered with the key, so a retry answers it (a switch-back restores that).
     */
    async k8sSetSwitch(
      o: SwitchRef & { value: string; key: string },
    ): Promise<{ previous?: string; value: string; changed: boolean }> {
      const w = switchOf(o);
      if (!w.values.includes(o.value))
        throw ApplicationFailure.nonRetryable(
          `refused: switch ${o.switch} may be ${w.values.join(' or ')}, not "${o.value}"`,
          'TargetRefused',
        );
      let current: string | undefined;
      const { applied, result } = await applyOnce(o.key, configMapIO(w), (cm) => {
        current = cm.data?.[w.key];
        if (current === o.value) return undefined;
        cm.data = { ...cm.data, [w.key]: o.value };
        return { previous: current ?? null };
      });
      const previous = result ? result.previous : current;
      return { previous: previous ?? undefined, value: o.value, changed: applied };
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
