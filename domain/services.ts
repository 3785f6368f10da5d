/**
 * The service catalogue: what automation may touch, per service. Alerts select a service
 * (by label matchers); a runbook's targets — Kubernetes namespace and objects, databases,
 * health-check URLs — and its caps come from that service's entry, never from labels or
 * request bodies. Pure: used by the API (intake, /services), the worker's activities (the
 * last check before acting) and runbook runs (resolving parameters).
 */
import { own } from './own';

export const TARGET_KINDS = [
  'namespace',
  'deployment',
  'k8s-service',
  'switch',
  'url',
  'database',
  'replica',
  'prometheus',
  'consumer-group',
] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface ServiceCaps {
  /** scale-out never goes past this. */
  max_replicas: number;
  /** Sessions one run may terminate. */
  max_sessions_terminated: number;
}

export const DEFAULT_CAPS: ServiceCaps = { max_replicas: 20, max_sessions_terminated: 5 };

export interface ServiceRunbook {
  /** Parameter defaults for this service (target parameters must still be catalogued targets). */
  params: Record<string, string>;
  /** May its mutating steps act without a human when an alert starts it? */
  automatic: boolean;
}

/**
 * A switch a runbook may flip: one key of a ConfigMap in the service's namespace (a provider,
 * a feature flag) and the values it may take. The app reads it when its pods start.
 */
export interface ServiceSwitch {
  config_map: string;
  key: string;
  values: string[];
}

/** One catalogued service as workflows see it: no secrets (a database is named, its URL stays in config). */
export interface ServiceEntry {
  name: string;
  owner: string;
  tier: number;
  /** Escalation policy name; absent = the default policy. */
  policy?: string;
  /** Alerts whose labels include every pair of one matcher belong to this service. */
  match: Record<string, string>[];
  kubernetes?: {
    namespace: string;
    deployments: string[];
    services: string[];
    switches?: Record<string, ServiceSwitch>;
  };
  /** A PostgreSQL connection is configured for this service. */
  database: boolean;
  /** So is one to its streaming replica (target `replicaTarget(name)`). */
  replica?: boolean;
  health_checks: string[];
  /** The Prometheus that scrapes it (investigations query it). */
  prometheus?: string;
  /** Its Kafka cluster and the consumer groups runbooks may act for. */
  kafka?: { brokers: string[]; consumer_groups: string[] };
  caps: ServiceCaps;
  /** For the first five seconds: dashboards, logs, repository… */
  links: Record<string, string>;
  /** The runbooks that may run for this service. */
  runbooks: Record<string, ServiceRunbook>;
}

/** The catalogue as the worker holds it: entries, and the database URLs kept out of them. */
export interface ServiceCatalogue {
  entries: ServiceEntry[];
  /** Connection URL per service (from services.*.postgres, or the older targets.postgres). */
  postgres: Record<string, string>;
}

/** A service's replica as a database target (":" is in no service name). */
export const replicaTarget = (service: string) => `${service}:replica`;

/** The service an alert's labels select: the first entry with a matcher fully contained in them. */
export function serviceForLabels(
  catalogue: readonly ServiceEntry[],
  labels: Record<string, string>,
): string | undefined {
  const matches = (m: Record<string, string>) =>
    Object.entries(m).every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v);
  return catalogue.find((s) => s.match.some(matches))?.name;
}

/** What a parameter of the given kind may name for this service. */
export function allowedTargets(entry: ServiceEntry, kind: TargetKind): string[] {
  const k8s = entry.kubernetes;
  switch (kind) {
    case 'namespace':
      return k8s ? [k8s.namespace] : [];
    case 'deployment':
      return k8s?.deployments ?? [];
    case 'k8s-service':
      return k8s?.services ?? [];
    case 'switch':
      return Object.keys(k8s?.switches ?? {});
    case 'url':
      return entry.health_checks;
    case 'database':
      return [...(entry.database ? [entry.name] : []), ...allowedTargets(entry, 'replica')];
    case 'replica':
      return entry.replica ? [replicaTarget(entry.name)] : [];
    case 'prometheus':
      return entry.prometheus ? [entry.prometheus] : [];
    case 'consumer-group':
      return entry.kafka?.consumer_groups ?? [];
  }
}

/**
 * A run's parameters: only the runbook's declared ones, from what a person gave or the
 * service's defaults; every target parameter must name one of the service's catalogued
 * targets (absent = its first). Returns the parameters or why the run may not start.
 */
export function resolveRunParams(
  entry: ServiceEntry,
  runbook: { name: string; params: Record<string, string>; targets?: Record<string, TargetKind> },
  given: Record<string, string>,
): { params: Record<string, string> } | { refused: string } {
  const defaults = own(entry.runbooks, runbook.name)?.params ?? {};
  const params: Record<string, string> = {};
  for (const key of Object.keys(runbook.params)) {
    let value = own(given, key) ?? own(defaults, key);
    const kind = runbook.targets ? own(runbook.targets, key) : undefined;
    if (kind) {
      const allowed = allowedTargets(entry, kind);
      if (value === undefined) value = allowed[0];
      else if (!allowed.includes(value))
        return {
          refused: `${key} "${value}" is not one of ${entry.name}'s catalogued ${kind} targets (${allowed.join(', ') || 'none'})`,
        };
    }
    if (value !== undefined) params[key] = value;
  }
  return { params };
}

/** Why `service` may not run `runbook` (or undefined when it may). */
export function runbookRefusal(
  entry: ServiceEntry | undefined,
  service: string,
  runbook: string,
): string | undefined {
  if (!entry)
    return `service "${service}" is not in the service catalogue: no automation runs for it (add it to services in the config)`;
  if (!own(entry.runbooks, runbook))
    return `runbook ${runbook} is not allowed for ${service} (allowed: ${Object.keys(entry.runbooks).join(', ') || 'none'})`;
  return undefined;
}
