/**
 * PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/):
 * a monitor configured for PagerDuty works here by changing only the host.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AlertEvent } from '../../domain/alerts';
import type { AlertRoute } from '../../config';
import { applyRoutes, severityOf } from './mapping';

const Payload = z.looseObject({
  summary: z.string().min(1).max(1024),
  source: z.string().min(1).max(255),
  severity: z.enum(['critical', 'error', 'warning', 'info']),
  timestamp: z.string().optional(),
  component: z.string().optional(),
  group: z.string().optional(),
  class: z.string().optional(),
  custom_details: z.unknown().optional(),
});

export const PagerDutyEvent = z
  .looseObject({
    routing_key: z.string().min(1),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
    dedup_key: z.string().min(1).max(255).optional(),
    payload: Payload.optional(),
    client: z.string().optional(),
    client_url: z.string().optional(),
    links: z.array(z.looseObject({ href: z.string(), text: z.string().optional() })).optional(),
    images: z.array(z.looseObject({ src: z.string() })).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.event_action === 'trigger' && !e.payload)
      ctx.addIssue({ code: 'custom', path: ['payload'], message: 'payload is required for trigger events' });
    if (e.event_action !== 'trigger' && !e.dedup_key)
      ctx.addIssue({
        code: 'custom',
        path: ['dedup_key'],
        message: `dedup_key is required for ${e.event_action} events`,
      });
  });
export type PagerDutyEvent = z.infer<typeof PagerDutyEvent>;

/** The event, with the dedup key PagerDuty would generate when a trigger has none. */
export function pagerDutyEvent(e: PagerDutyEvent, routes: readonly AlertRoute[], now: string): AlertEvent {
  const dedup_key = e.dedup_key ?? randomUUID();
  const p = e.payload;
  const labels: Record<string, string> = Object.fromEntries(
    Object.entries({
      source: p?.source,
      component: p?.component,
      group: p?.group,
      class: p?.class,
      severity: p?.severity,
    }).filter((kv): kv is [string, string] => typeof kv[1] === 'string'),
  );
  const service = p?.component ?? p?.source;
  const routed = applyRoutes(routes, labels, {
    severity: severityOf(p?.severity),
    services: service ? [service] : [],
  });
  return {
    source: 'pagerduty',
    dedup_key,
    action: e.event_action,
    fingerprint: dedup_key,
    summary: p?.summary ?? `${e.event_action} ${dedup_key}`,
    severity: routed.severity,
    services: routed.services,
    labels,
    url: e.links?.[0]?.href ?? e.client_url,
    received_at: now,
  };
}
