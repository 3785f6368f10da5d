/**
 * Alerts as the engine sees them, whatever sent them (Alertmanager, Grafana, PagerDuty
 * Events v2, the generic format). Pure: shared by the API and the workflows.
 */
import type { Severity } from './severity';

export const ALERT_SOURCES = ['alertmanager', 'grafana', 'pagerduty', 'generic'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export interface AlertEvent {
  source: AlertSource;
  /** One open incident per (source, dedup key). */
  dedup_key: string;
  action: 'trigger' | 'resolve' | 'acknowledge';
  /** Identifies one alert within the dedup group (Alertmanager fingerprint; PagerDuty dedup_key). */
  fingerprint: string;
  summary: string;
  severity: Severity;
  services: string[];
  labels: Record<string, string>;
  url?: string;
  received_at: string;
}

/** What the incident keeps per alert fingerprint. */
export interface AlertState {
  fingerprint: string;
  source: AlertSource;
  summary: string;
  status: 'firing' | 'resolved';
  count: number;
  first_seen: string;
  last_seen: string;
  labels: Record<string, string>;
  url?: string;
}

/** What to do when every alert of an incident has cleared (configurable). */
export interface AlertPolicy {
  /** Severities resolved automatically; the rest record "all alerts cleared" for a human. */
  autoResolve: Severity[];
}
export const DEFAULT_ALERT_POLICY: AlertPolicy = { autoResolve: ['SEV3', 'SEV4'] };
