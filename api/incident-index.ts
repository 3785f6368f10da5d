/**
 * Every incident's list row, for the orders Temporal's SQL visibility cannot sort by (it has
 * no ORDER BY on custom search attributes). A cache of what visibility says, never a source:
 * it is read in full once, then only the rows whose IncidentListedAt moved since the last read
 * (with an overlap for visibility's own lag), and in full again every few minutes so rows
 * Temporal dropped (retention) leave it too. Each list asks for what changed (concurrent
 * lists share one read), so it is as fresh as visibility, and two API replicas answer the same.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { durationMs, INCIDENT_ID_PATTERN, type IncidentRow } from '../domain/incident';
import type { Severity } from '../domain/severity';
import type { Status } from '../domain/lifecycle';
import { type IncidentMemo, SA } from '../workflows/definitions';

export const INDEX_TIMING = {
  /** A read this recent is reused; 0: every list asks visibility what changed (concurrent lists share one read). */
  freshMs: 0,
  /** Re-read rows stamped this long before the last read: visibility writes lag the workflow. */
  overlapMs: 30_000,
  /** A full read this often drops rows Temporal no longer has. */
  fullEveryMs: 300_000,
};

/** Rows as visibility lists them; `where` narrows (the same clauses the list filters by). */
const LISTED = `WorkflowType = 'incident' AND ExecutionStatus != 'ContinuedAsNew'`;

export class IncidentIndex {
  private rows = new Map<string, IncidentRow>();
  private readAt?: number;
  private fullAt = 0;
  private reading?: Promise<void>;
  /** Rows the last read returned (tests and diagnostics: an incremental read stays small). */
  lastRead = 0;

  constructor(
    private readonly client: Client,
    private readonly timing = INDEX_TIMING,
  ) {}

  /** Every row, no older than `freshMs`; concurrent callers share one read. */
  async all(now: Date): Promise<IncidentRow[]> {
    if (this.reading || this.readAt === undefined || Date.now() - this.readAt >= this.timing.freshMs) {
      this.reading ??= this.read().finally(() => (this.reading = undefined));
      await this.reading;
    }
    return [...this.rows.values()].map((r) => withDuration(r, now));
  }

  private async read(): Promise<void> {
    const started = Date.now();
    const full = this.readAt === undefined || started - this.fullAt >= this.timing.fullEveryMs;
    const since = new Date((this.readAt ?? 0) - this.timing.overlapMs).toISOString();
    const query = full ? LISTED : `${LISTED} AND ${SA.listedAt.name} >= '${since}'`;
    const rows = full ? new Map<string, IncidentRow>() : this.rows;
    let read = 0;
    for await (const wf of this.client.workflow.list({ query, pageSize: 1000 })) {
      if (!INCIDENT_ID_PATTERN.test(wf.workflowId)) continue;
      rows.set(wf.workflowId, toRow(wf, new Date(started)));
      read++;
    }
    this.rows = rows;
    this.lastRead = read;
    this.readAt = started;
    if (full) this.fullAt = started;
  }
}

const withDuration = (r: IncidentRow, now: Date): IncidentRow => ({
  ...r,
  duration_ms: durationMs({ created_at: r.created_at, resolved_at: r.resolved_at ?? undefined }, now),
});

/** A list row from what visibility keeps: search attributes and the memo. */
export function toRow(wf: WorkflowExecutionInfo, now: Date): IncidentRow {
  const memo = (wf.memo ?? {}) as Partial<IncidentMemo>;
  const sa = wf.typedSearchAttributes;
  const created_at = memo.created_at ?? wf.startTime.toISOString();
  const resolved_at = memo.resolved_at ?? null;
  return withDuration(
    {
      id: wf.workflowId,
      title: memo.title ?? '',
      severity: (sa.get(SA.severity) ?? 'SEV4') as Severity,
      status: (sa.get(SA.status) ?? 'triggered') as Status,
      assignee: sa.get(SA.assignee) ?? null,
      duration_ms: 0,
      affected_services: sa.get(SA.services) ?? [],
      created_at,
      resolved_at,
    },
    now,
  );
}
