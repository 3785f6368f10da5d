/**
 * Incident metrics as distributions, from Temporal visibility (memo + search attributes),
 * so they survive restarts and need no second store. The seeds: averages hide the long
 * tail, so MTTA and MTTR come as p50/p90/p99/max (nearest-rank percentiles, seconds).
 */
import type { PublicIncident } from '../domain/status-page';
import type { IncidentMemo } from '../workflows/definitions';
import { dueAt, EscalationConfig, type PageLogEntry } from '../domain/escalation';
import type { Status } from '../domain/lifecycle';
import { HISTOGRAM_EDGES } from '../domain/histogram';
import { SEVERITIES, Severity } from '../domain/severity';

/** What visibility knows of one incident. */
export interface IncidentFacts {
  id: string;
  severity: Severity;
  status: Status;
  services: string[];
  created_at: string;
  acknowledged_at?: string;
  mitigated_at?: string;
  resolved_at?: string;
  dedup_key?: string;
  /** [open, total] action items. */
  actions?: [number, number];
  postmortem?: 'draft' | 'published';
  approvals_pending: number;
  /** Pages sent: [person, sent at (ms), off hours (1/0)]. */
  pages: PageLogEntry[];
  /** Its part of the public status page, once it has an external update. */
  public?: PublicIncident;
  /** For the internal status board (incidents opened since it exists). */
  title?: string;
  assignee?: string;
  roles?: IncidentMemo['roles'];
  last_update?: IncidentMemo['last_update'];
}

export interface Distribution {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  /** How many took at most `le` seconds (and more than the bucket before); `le: null` is the rest. */
  histogram: { le: number | null; count: number }[];
}

/** Nearest-rank percentile: the smallest value with at least p% of values at or below it. */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function distribution(values: number[]): Distribution {
  const s = [...values].sort((a, b) => a - b);
  return {
    count: s.length,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s.length ? s[s.length - 1] : null,
    histogram: [...HISTOGRAM_EDGES, null].map((le, n) => ({
      le,
      count: s.filter((v) => (le === null || v <= le) && (n === 0 || v > HISTOGRAM_EDGES[n - 1])).length,
    })),
  };
}

const seconds = (from: string, to?: string) => (to ? (Date.parse(to) - Date.parse(from)) / 1000 : undefined);
const WEEK = 7 * 86_400_000;
const weekStart = (iso: string) => {
  const d = new Date(iso);
  d.setUTCHours(0, 0, 0, 0);
  return new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
};
const pct = (n: number, of: number) => (of ? Math.round((n / of) * 1000) / 10 : null);

export function incidentMetrics(
  all: IncidentFacts[],
  cfg: EscalationConfig,
  range: { from: Date; to: Date },
  now = Date.now(),
) {
  const rows = all.filter(
    (r) => Date.parse(r.created_at) >= range.from.getTime() && Date.parse(r.created_at) < range.to.getTime(),
  );
  const bySeverity = Object.fromEntries(
    SEVERITIES.map((sev) => {
      const rs = rows.filter((r) => r.severity === sev);
      const sla = (field: 'acknowledged_at' | 'mitigated_at', due: 'acknowledge' | 'mitigate') => {
        let met = 0;
        let counted = 0;
        for (const r of rs) {
          const deadline = dueAt(cfg, Date.parse(r.created_at), cfg.severities[sev][due]);
          if (deadline === undefined) continue;
          const at = r[field] ? Date.parse(r[field]) : undefined;
          if (at === undefined && deadline > now) continue; // still within target: not decided yet
          counted++;
          if (at !== undefined && at <= deadline) met++;
        }
        return { within_target: met, counted, pct: pct(met, counted) };
      };
      const weeks = new Map<string, number>();
      for (const r of rs) weeks.set(weekStart(r.created_at), (weeks.get(weekStart(r.created_at)) ?? 0) + 1);
      return [
        sev,
        {
          count: rs.length,
          mtta_seconds: distribution(
            rs
              .map((r) => seconds(r.created_at, r.acknowledged_at))
              .filter((x): x is number => x !== undefined),
          ),
          mttr_seconds: distribution(
            rs.map((r) => seconds(r.created_at, r.resolved_at)).filter((x): x is number => x !== undefined),
          ),
          per_week: [...weeks.entries()].sort().map(([week_start, count]) => ({ week_start, count })),
          sla: {
            acknowledge: sla('acknowledged_at', 'acknowledge'),
            mitigate: sla('mitigated_at', 'mitigate'),
          },
        },
      ];
    }),
  );
  const tally = (keys: (string | undefined)[]) => {
    const m = new Map<string, number>();
    for (const k of keys) if (k) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m.entries()]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  };
  const postmortems = rows.filter((r) => r.postmortem);
  const closedOut = postmortems.filter((r) => r.actions && r.actions[1] > 0 && r.actions[0] === 0);
  const weeksInRange = Math.max(1, (range.to.getTime() - range.from.getTime()) / WEEK);
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    total: rows.length,
    incidents_per_week: Math.round((rows.length / weeksInRange) * 10) / 10,
    by_severity: bySeverity,
    recurrence: {
      by_dedup_key: tally(rows.map((r) => r.dedup_key)).filter((x) => x.count > 1),
      by_service: tally(rows.flatMap((r) => r.services)),
    },
    postmortems: {
      count: postmortems.length,
      all_action_items_closed: closedOut.length,
      pct_all_action_items_closed: pct(closedOut.length, postmortems.length),
    },
  };
}
