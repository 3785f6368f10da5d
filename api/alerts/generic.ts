/**
 * The generic alert format for scripts: one alert or a list, signed with HMAC-SHA256.
 *   curl -H "X-Tourniquet-Signature: sha256=$(printf %s "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)" …
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AlertEvent } from '../../domain/alerts';
import type { AlertRoute } from '../../config';
import { applyRoutes, servicesOf, severityOf } from './mapping';

export const GenericAlert = z.strictObject({
  dedup_key: z.string().min(1).max(255),
  status: z.enum(['firing', 'resolved']).default('firing'),
  summary: z.string().min(1).max(1024),
  severity: z.string().min(1).default('warning'),
  service: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).default({}),
  url: z.string().url().optional(),
});
export const GenericAlerts = z.union([GenericAlert, z.array(GenericAlert).min(1).max(1000)]);

export const SIGNATURE_HEADER = 'x-tourniquet-signature';

export function signatureValid(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(m[1], 'hex'));
}

export function genericEvents(
  input: z.infer<typeof GenericAlerts>,
  routes: readonly AlertRoute[],
  now: string,
): AlertEvent[] {
  return (Array.isArray(input) ? input : [input]).map((a) => {
    const labels = { ...a.labels, ...(a.service ? { service: a.service } : {}) };
    const routed = applyRoutes(routes, labels, {
      severity: severityOf(a.severity),
      services: servicesOf(labels),
    });
    return {
      source: 'generic',
      dedup_key: a.dedup_key,
      action: a.status === 'firing' ? 'trigger' : 'resolve',
      fingerprint: a.dedup_key,
      summary: a.summary,
      severity: routed.severity,
      services: routed.services,
      labels,
      url: a.url,
      received_at: now,
    };
  });
}
