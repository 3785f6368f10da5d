/**
 * Catalogued services for tests: each a unique service name with its own Kubernetes
 * namespace (created by `ensureNamespace`), declared before the engine starts because the
 * catalogue is configuration, as in production.
 */
import { unique } from './engine';
import type { Kube } from './kube';

export interface TestService {
  name: string;
  namespace: string;
  /** The config file's entry for it (parsed by the real schema at engine start). */
  config: Record<string, unknown>;
}

/** A service whose runbooks may act on `deployments` (and `services`) in its own namespace. */
export function testService(
  prefix: string,
  o: {
    deployments?: string[];
    services?: string[];
    switches?: Record<string, { config_map: string; key: string; values: string[] }>;
    runbooks?: Record<string, { params?: Record<string, string>; automatic?: boolean }>;
    caps?: Record<string, number>;
    health_checks?: string[];
    kubernetes?: false;
    postgres?: string;
  } = {},
): TestService {
  const name = unique(prefix).toLowerCase();
  return {
    name,
    namespace: name,
    config: {
      owner: 'test-team',
      ...(o.kubernetes === false
        ? {}
        : {
            kubernetes: {
              namespace: name,
              deployments: o.deployments ?? [],
              services: o.services ?? [],
              ...(o.switches ? { switches: o.switches } : {}),
            },
          }),
      runbooks: o.runbooks ?? {},
      ...(o.caps ? { caps: o.caps } : {}),
      ...(o.health_checks ? { health_checks: o.health_checks } : {}),
      ...(o.postgres ? { postgres: o.postgres } : {}),
    },
  };
}

/** The services section for startEngine. */
export const catalogueOf = (services: TestService[]) =>
  Object.fromEntries(services.map((s) => [s.name, s.config]));

/** Creates the service's namespace on the Kubernetes plane (once). */
export async function ensureNamespace(k: Kube, s: TestService): Promise<string> {
  await k.core
    .createNamespace({ body: { metadata: { name: s.namespace } } })
    .catch((err: { code?: number }) => {
      if (err.code !== 409) throw err;
    });
  return s.namespace;
}
