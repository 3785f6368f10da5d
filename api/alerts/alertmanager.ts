/**
 * Alertmanager webhook (payload version "4") and Grafana unified alerting, which sends the
 * same shape plus fields of its own (orgId, state, title, message, …): unknown fields are kept out
 * of the way, not refused, so a newer sender still works.
 */
import { own } from '../../domain/own';
import { z } from 'zod';
import type { AlertEvent, AlertSource } from '../../domain/alerts';
import type { AlertRoute } from '../../config';
import { applyRoutes, labelKey, servicesOf, severityOf } from './mapping';

const Labels = z.record(z.string(), z.string());

export const AlertmanagerAlert = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: Labels,
  annotations: Labels.default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1).optional(),
});

export const AlertmanagerWebhook = z.looseObject({
  version: z.string().optional(),
  receiver: z.string().optional(),
  status: z.enum(['firing', 'resolved']),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().optional(),
  groupLabels: Labels.default({}),
  commonLabels: Labels.default({}),
  commonAnnotations: Labels.default({}),
  externalURL: z.string().optional(),
  alerts: z.array(AlertmanagerAlert).min(1).max(10_000),
  title: z.string().optional(), // Grafana
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhook>;

export interface AlertmanagerOptions {
  source: Extract<AlertSource, 'alertmanager' | 'grafana'>;
  /** Dedup by these labels instead of the group key. */
  dedupLabels?: readonly string[];
  routes: readonly AlertRoute[];
  now: string;
}

export function alertmanagerEvents(payload: AlertmanagerWebhook, o: AlertmanagerOptions): AlertEvent[] {
  return payload.alerts.map((a) => {
    const routed = applyRoutes(o.routes, a.labels, {
      severity: severityOf(own(a.labels, 'severity')),
      services: servicesOf(a.labels),
    });
    return {
      source: o.source,
      dedup_key: o.dedupLabels ? labelKey(a.labels, o.dedupLabels) : payload.groupKey,
      action: a.status === 'firing' ? 'trigger' : 'resolve',
      fingerprint: a.fingerprint ?? labelKey(a.labels, Object.keys(a.labels).sort()),
      summary:
        own(a.annotations, 'summary') ??
        own(a.annotations, 'description') ??
        payload.title ??
        own(a.labels, 'alertname') ??
        'alert',
      severity: routed.severity,
      services: routed.services,
      labels: a.labels,
      url: a.generatorURL || undefined,
      received_at: o.now,
    };
  });
}
