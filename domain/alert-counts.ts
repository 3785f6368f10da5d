/**
 * Alerts at storm scale: exact counts over every alert an incident received, details
 * (labels, summary, per-fingerprint count) for a bounded set, and a compact index of the
 * rest so a repeat or a resolution of an alert beyond the details still counts exactly.
 */
import type { AlertState } from './alerts';
import type { Incident } from './incident';
import { own, setOwn } from './own';

export const ALERT_DETAILS = { count: 500, bytes: 100_000 } as const;
/**
 * Fingerprints indexed beyond the details (~13 bytes each, ~260 kB at the cap). Past it a
 * repeat of an unindexed alert counts as a new one, and `index_full` says so.
 */
export const ALERT_INDEX_CAP = 20_000;

export interface AlertCounts {
  /** Every alert event received (triggers, repeats, resolutions). */
  received: number;
  /** Distinct fingerprints that fired. */
  distinct: number;
  firing: number;
  resolved: number;
  /** Distinct fingerprints kept only in the index (no details). */
  omitted: number;
  /** Bytes the detailed alerts take (JSON). */
  detail_bytes: number;
  /** Labels of the first alert beyond the details, for "and N more like …". */
  omitted_sample?: string;
  /** Set once the index is full: new fingerprints are then no longer told apart from repeats. */
  index_full?: true;
}

/** Counts for a record from before counts existed (a continued older incident). */
export function countsOf(alerts: readonly AlertState[]): AlertCounts {
  const firing = alerts.filter((a) => a.status === 'firing').length;
  return {
    received: alerts.reduce((n, a) => n + a.count, 0),
    distinct: alerts.length,
    firing,
    resolved: alerts.length - firing,
    omitted: 0,
    detail_bytes: alerts.reduce((n, a) => n + JSON.stringify(a).length, 0),
  };
}

/** cyrb53 cut to 40 bits (8 base-36 characters): deterministic everywhere, workflow code included. */
export function hashKey(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (255 & h2) + (h1 >>> 0)).toString(36);
}

/** Where an incident's alerts are looked up: the details by fingerprint, the index by hash. */
export class AlertBook {
  readonly counts: AlertCounts;
  private readonly details: Map<string, AlertState>;
  private readonly index: Record<string, 0 | 1>;

  constructor(private readonly i: Incident) {
    this.counts = i.alert_counts ??= countsOf(i.alerts);
    this.index = i.alert_index ??= {};
    this.details = new Map(i.alerts.map((a) => [a.fingerprint, a]));
  }

  detail(fingerprint: string): AlertState | undefined {
    return this.details.get(fingerprint);
  }

  /** 1 firing, 0 resolved, undefined when the index has never seen it. */
  indexed(fingerprint: string): 0 | 1 | undefined {
    return own(this.index, hashKey(fingerprint));
  }

  setIndexed(fingerprint: string, state: 0 | 1): void {
    setOwn(this.index, hashKey(fingerprint), state);
  }

  /** A fingerprint seen for the first time: kept in detail while there is room, else indexed. */
  add(a: AlertState): void {
    const c = this.counts;
    c.distinct++;
    c.firing++;
    const bytes = JSON.stringify(a).length;
    if (this.details.size < ALERT_DETAILS.count && c.detail_bytes + bytes <= ALERT_DETAILS.bytes) {
      this.details.set(a.fingerprint, a);
      this.i.alerts.push(a);
      if (!this.i.related_alerts.includes(a.fingerprint)) this.i.related_alerts.push(a.fingerprint);
      c.detail_bytes += bytes;
      return;
    }
    c.omitted++;
    c.omitted_sample ??= Object.entries(a.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')
      .slice(0, 300);
    if (c.omitted <= ALERT_INDEX_CAP) this.setIndexed(a.fingerprint, 1);
    else c.index_full = true;
  }
}
