/**
 * Size limits on what arrives from outside, so nothing a sender writes can push an incident
 * past Temporal's payload (2 MB) and search-attribute (2 KB per value) limits. Long values
 * are cut and marked, never a reason to refuse or lose an alert.
 */
import type { AlertEvent } from './alerts';
import { setOwn } from './own';

const UTF8 = new TextEncoder();

export const LIMITS = {
  /** Labels or annotations kept per alert; the rest are counted in one marker label. */
  labels: 64,
  labelKey: 128,
  labelValue: 1024,
  summary: 1024,
  /** A service name from a label (declared names are ≤ 128 by the API schema). */
  service: 200,
  servicesPerAlert: 10,
  fingerprint: 256,
  dedupKey: 512,
  url: 2048,
  /** Bytes of one KeywordList search attribute (Temporal refuses a value over 2 KB). */
  searchAttributeList: 1500,
} as const;

/**
 * What people add to one incident's record. Past a cap the change is refused (409, naming
 * the limit) — never dropped in silence. The timeline has no cap: older entries move to
 * earlier runs' history as the incident continues as new.
 */
/** Page records an incident keeps (a week-long SEV1 sends a status-update reminder every 15 minutes). */
export const PAGE_RECORDS = 300;

export const RECORD_LIMITS = {
  evidence: { items: 200, bytes: 128_000 },
  statusUpdates: { items: 300, bytes: 128_000 },
  actionItems: { items: 200, bytes: 64_000 },
} as const;

/** Why adding `adding` more bytes to `list` would pass its limit, or undefined when it fits. */
export function overLimit(
  what: string,
  list: readonly unknown[] | undefined,
  limit: { items: number; bytes: number },
  adding: unknown,
): string | undefined {
  const items = list ?? [];
  if (items.length >= limit.items) {
    return `${what}: this incident holds ${items.length}, the limit; link more from one item or a document`;
  }
  const bytes = JSON.stringify(items).length + JSON.stringify(adding).length;
  if (bytes > limit.bytes) {
    return `${what}: this incident holds ${Math.round(bytes / 1000)} kB with this one, over the ${limit.bytes / 1000} kB limit; link large text by url instead`;
  }
  return undefined;
}

/** `text` if it fits in `max` characters, else its start and a marker saying how much was cut (≤ `max` in all). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = (cut: number) => `…[truncated ${cut} chars]`;
  const keep = max - marker(text.length).length;
  return text.slice(0, keep) + marker(text.length - keep);
}

/** Labels within their limits: keys and values cut and marked, at most LIMITS.labels of them. */
export function boundLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(labels);
  const kept = entries.slice(0, LIMITS.labels - (entries.length > LIMITS.labels ? 1 : 0));
  const out: Record<string, string> = {};
  for (const [k, v] of kept)
    setOwn(out, truncate(k, LIMITS.labelKey), truncate(String(v), LIMITS.labelValue));
  if (entries.length > kept.length) out['tourniquet.truncated_labels'] = String(entries.length - kept.length);
  return out;
}

/** An alert event within every limit above. */
export function boundAlert(e: AlertEvent): AlertEvent {
  return {
    ...e,
    dedup_key: truncate(e.dedup_key, LIMITS.dedupKey),
    fingerprint: truncate(e.fingerprint, LIMITS.fingerprint),
    summary: truncate(e.summary, LIMITS.summary),
    services: e.services.slice(0, LIMITS.servicesPerAlert).map((s) => truncate(s, LIMITS.service)),
    labels: boundLabels(e.labels),
    ...(e.url ? { url: truncate(e.url, LIMITS.url) } : {}),
  };
}

/** The longest prefix of `values` whose JSON fits in `bytes` (for a KeywordList search attribute). */
export function fitList(values: readonly string[], bytes: number = LIMITS.searchAttributeList): string[] {
  const out: string[] = [];
  let size = 2;
  for (const v of values) {
    size += UTF8.encode(JSON.stringify(v)).length + 1;
    if (size > bytes) break;
    out.push(v);
  }
  return out;
}
