/**
 * Every incident's list row, for the orders Temporal's SQL visibility cannot sort by (it has
 * no ORDER BY on custom search attributes). A cache of what visibility says, never a source:
 * it is read in full once, then only the rows whose IncidentListedAt moved since the last read
 * (with an overlap for visibility's own lag), and in full again every few minutes, beside the
 * lists, so rows Temporal dropped (retention) leave it too. Each list asks for what changed
 * (concurrent lists share one read): it is as fresh as visibility, and replicas answer the same.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { durationMs, INCIDENT_ID_PATTERN, INCIDENT_RUNS, type IncidentRow } from '../domain/incident';
import type { Severity } from '../domain/severity';
import type { Status } from '../domain/lifecycle';
import { type IncidentMemo, SA } from '../workflows/definitions';

export const INDEX_TIMING = {
  /** Re-read rows stamped this long before the last read: visibility writes lag the workflow. */
  overlapMs: 10_000,
  /** A full read this often drops rows Temporal no longer has. */
  fullEveryMs: 300_000,
};

export class IncidentIndex {
  private rows = new Map<string, IncidentRow>();
  private readAt?: number;
  private fullAt = 0;
  private reading?: Promise<void>;
  private rereading?: Promise<void>;
  /** Rows the last read of changes returned (tests and diagnostics: it stays small). */
  lastRead = 0;

  constructor(
    private readonly client: Client,
    private readonly timing = INDEX_TIMING,
  ) {}

  /** Every row, as fresh as visibility; concurrent callers share one read. */
  async all(now: Date): Promise<IncidentRow[]> {
    if (this.readAt === undefined) {
      this.reading ??= this.readAll().finally(() => (this.reading = undefined));
      await this.reading;
    } else {
      // The periodic full read runs beside the lists, which go on reading changes meanwhile.
      if (Date.now() - this.fullAt >= this.timing.fullEveryMs)
        this.rereading ??= this.readAll()
          .catch(() => undefined) // the next list tries again
          .finally(() => (this.rereading = undefined));
      // Each list asks what changed; lists arriving meanwhile share that read.
      this.reading ??= this.readChanges().finally(() => (this.reading = undefined));
      await this.reading;
    }
    return [...this.rows.values()].map((r) => withDuration(r, now));
  }

  private async readAll(): Promise<void> {
    const started = Date.now();
    const rows = new Map<string, IncidentRow>();
    await this.list(INCIDENT_RUNS, rows, started);
    this.rows = rows;
    this.fullAt = started;
    // Changes read meanwhile went into the map just replaced: read them again from here on.
    this.readAt = Math.min(this.readAt ?? started, started);
  }

  private async readChanges(): Promise<void> {
    const started = Date.now();
    const since = new Date(this.readAt! - this.timing.overlapMs).toISOString();
    this.lastRead = await this.list(
      `${INCIDENT_RUNS} AND ${SA.listedAt.name} >= '${since}'`,
      this.rows,
      started,
    );
    this.readAt = started;
  }

  private async list(query: string, into: Map<string, IncidentRow>, at: number): Promise<number> {
    let read = 0;
    for await (const wf of this.client.workflow.list({ query, pageSize: 1000 })) {
      if (!INCIDENT_ID_PATTERN.test(wf.workflowId)) continue;
      into.set(wf.workflowId, toRow(wf, new Date(at)));
      read++;
    }
    return read;
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
