/**
 * Least privilege on Kubernetes, generated from the service catalogue: a ServiceAccount for
 * the worker, and in each catalogued namespace a Role with only the verbs the built-in
 * runbooks use — on the catalogued Deployments and Services by name where Kubernetes allows
 * it — bound to that account. `npm run rbac > deploy/rbac.yaml`.
 */
import type { ServiceEntry } from '../domain/services';

export interface RbacOptions {
  /** The worker's ServiceAccount and its namespace. */
  serviceAccount: string;
  namespace: string;
}

export const DEFAULT_RBAC: RbacOptions = { serviceAccount: 'tourniquet-worker', namespace: 'tourniquet' };

type Manifest = Record<string, unknown>;

export function rbacManifests(catalogue: readonly ServiceEntry[], o: RbacOptions = DEFAULT_RBAC): Manifest[] {
  // Services sharing a namespace share one Role with the union of their objects.
  const byNamespace = new Map<
    string,
    { deployments: Set<string>; services: Set<string>; configMaps: Set<string> }
  >();
  for (const s of catalogue) {
    if (!s.kubernetes) continue;
    const ns = byNamespace.get(s.kubernetes.namespace) ?? {
      deployments: new Set(),
      services: new Set(),
      configMaps: new Set(),
    };
    s.kubernetes.deployments.forEach((d) => ns.deployments.add(d));
    s.kubernetes.services.forEach((d) => ns.services.add(d));
    Object.values(s.kubernetes.switches ?? {}).forEach((w) => ns.configMaps.add(w.config_map));
    byNamespace.set(s.kubernetes.namespace, ns);
  }
  const name = o.serviceAccount;
  const out: Manifest[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: o.namespace } },
  ];
  for (const [namespace, objects] of [...byNamespace].sort(([a], [b]) => a.localeCompare(b))) {
    const rules: Manifest[] = [];
    if (objects.deployments.size)
      rules.push(
        // Read, restart, scale, roll back (a PUT of the whole object): only these Deployments.
        {
          apiGroups: ['apps'],
          resources: ['deployments'],
          resourceNames: [...objects.deployments].sort(),
          verbs: ['get', 'update'],
        },
        // Rolling back reads the ReplicaSet history (a list cannot be limited by name).
        { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
        // A stuck consumer's pod is restarted by deleting it (pod names are generated: no resourceNames).
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] },
      );
    if (objects.services.size)
      rules.push(
        // Failover points a Service's selector at the standby: only these Services.
        {
          apiGroups: [''],
          resources: ['services'],
          resourceNames: [...objects.services].sort(),
          verbs: ['get', 'update'],
        },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] },
      );
    if (objects.configMaps.size)
      // Flipping a catalogued switch (a provider, a flag): only the ConfigMaps that hold one.
      rules.push({
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: [...objects.configMaps].sort(),
        verbs: ['get', 'update'],
      });
    out.push(
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name, namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: o.namespace }],
      },
    );
  }
  return out;
}
