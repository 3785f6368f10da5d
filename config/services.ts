/**
 * The services section of the config as the engine uses it: entries without secrets for
 * workflows and the API, and the PostgreSQL URLs kept apart for the worker's activities.
 */
import { replicaTarget, type ServiceCatalogue, type ServiceEntry } from '../domain/services';
import type { ServicesConfig } from './schema';

export type { ServiceCatalogue };

export function toServiceCatalogue(
  services: ServicesConfig,
  legacyPostgres: Record<string, string> = {},
): ServiceCatalogue {
  const postgres = new Map(Object.entries(legacyPostgres));
  const entries = Object.entries(services).map(([name, s]): ServiceEntry => {
    if (s.postgres) postgres.set(name, s.postgres);
    if (s.postgres_replica) postgres.set(replicaTarget(name), s.postgres_replica);
    return {
      name,
      owner: s.owner,
      tier: s.tier,
      ...(s.policy ? { policy: s.policy } : {}),
      match: s.match ?? [{ service: name }],
      ...(s.kubernetes ? { kubernetes: s.kubernetes } : {}),
      database: postgres.has(name),
      ...(s.postgres_replica ? { replica: true } : {}),
      health_checks: s.health_checks,
      ...(s.prometheus ? { prometheus: s.prometheus } : {}),
      ...(s.kafka ? { kafka: s.kafka } : {}),
      caps: s.caps,
      links: s.links,
      runbooks: s.runbooks,
    };
  });
  return { entries, postgres: Object.fromEntries(postgres) };
}
