/**
 * Turning a sender's fields into severity, services and a dedup key, plus the routing
 * config that overrides them (service/label matchers → severity, service).
 */
import type { ServiceEntry } from '../../domain/services';
import { own } from '../../domain/own';
import type { Severity } from '../../domain/severity';
import { parseSeverity } from '../../domain/severity';
import type { AlertRoute } from '../../config';

/** PagerDuty and Prometheus words, then the engine's own scales. Unknown → SEV3 (warning). */
const WORDS = new Map<string, Severity>([
  ['critical', 'SEV1'],
  ['error', 'SEV2'],
  ['warning', 'SEV3'],
  ['info', 'SEV4'],
  ['page', 'SEV2'],
  ['ticket', 'SEV4'],
]);

export function severityOf(value: string | undefined): Severity {
  if (!value) return 'SEV3';
  return WORDS.get(value.trim().toLowerCase()) ?? parseSeverity(value) ?? 'SEV3';
}

/** The service an alert is about: its `service` label, else `app`, else `job`. */
export function servicesOf(labels: Record<string, string>): string[] {
  const s = own(labels, 'service') ?? own(labels, 'app') ?? own(labels, 'job');
  return s ? [s] : [];
}

/**
 * Per field, the first route whose matchers all equal the alert's labels and that sets it
 * wins (as in Alertmanager routing). The service catalogue's matchers come first (routesWithCatalogue).
 */
export function applyRoutes(
  routes: readonly AlertRoute[],
  labels: Record<string, string>,
  event: { severity: Severity; services: string[] },
): { severity: Severity; services: string[] } {
  const matching = routes.filter((r) => Object.entries(r.match).every(([k, v]) => own(labels, k) === v));
  const severity = matching.find((r) => r.severity)?.severity;
  const service = matching.find((r) => r.service)?.service;
  return { severity: severity ?? event.severity, services: service ? [service] : event.services };
}

/** The catalogue's matchers as service-only routes ahead of the configured ones: a catalogued service wins. */
export const routesWithCatalogue = (
  routes: readonly AlertRoute[],
  catalogue: readonly ServiceEntry[],
): AlertRoute[] => [
  ...catalogue.flatMap((s) => s.match.map((match) => ({ match, service: s.name }))),
  ...routes,
];

/** A dedup key from a label set, e.g. `alertname=HighLatency,service=checkout`. */
export function labelKey(labels: Record<string, string>, names: readonly string[]): string {
  return names.map((n) => `${n}=${own(labels, n) ?? ''}`).join(',');
}
