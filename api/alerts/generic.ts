/**
 * The generic alert format for scripts: one alert or a list, signed with HMAC-SHA256 over
 * "<unix seconds>.<body>", so a captured request cannot be replayed later (Stripe's scheme):
 *   T=$(date +%s); SIG=$(printf %s "$T.$BODY" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)
 *   curl -H "X-Tourniquet-Signature: t=$T,v1=$SIG" -d "$BODY" …
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

/** A signature older or newer than this is refused (clock skew plus delivery time). */
export const SIGNATURE_TOLERANCE_S = 300;

/** Why the signature header does not prove this body was signed within the tolerance; undefined = valid. */
export function signatureProblem(
  secret: string,
  rawBody: Buffer,
  header: string | undefined,
  nowMs = Date.now(),
): string | undefined {
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!m)
    return `a ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> header is required`;
  const signedAt = Number(m[1]);
  if (Math.abs(nowMs / 1000 - signedAt) > SIGNATURE_TOLERANCE_S)
    return `the signature's timestamp is more than ${SIGNATURE_TOLERANCE_S} s from the server's clock (replayed, or a clock is wrong)`;
  const expected = createHmac('sha256', secret).update(`${m[1]}.`).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(m[2], 'hex'))
    ? undefined
    : 'the signature does not match the body';
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
