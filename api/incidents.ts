/**
 * Incident operations against Temporal: the workflow is the store, visibility is the index.
 * Every call has a deadline so a Temporal outage is a quick 503, never a hung request.
 */
import { updateIdFor } from './idempotency';
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowExecutionInfo } from '@temporalio/client';
import { IncidentNumbers } from '../common/incident-numbers';
import {
  Incident,
  INCIDENT_ID_PATTERN,
  INCIDENT_RUNS,
  incidentId,
  incidentNumber,
  type IncidentRow,
  newIncident,
} from '../domain/incident';
import { incidentMemo, startSearchAttributes } from '../workflows/incident/visibility';
import type { IncidentView, TimelinePage } from '../domain/incident-view';

export type { IncidentRow };
import { STATUSES, Status } from '../domain/lifecycle';
import { Severity, severityRank } from '../domain/severity';
import {
  acknowledgeUpdate,
  editUpdate,
  incidentQuery,
  timelineQuery,
  IncidentInput,
  IncidentMemo,
  NewIncident,
  noteUpdate,
  SA,
  transitionUpdate,
} from '../workflows/definitions';
import type { incident } from '../workflows';
import type { ImportIncidentRequest, ListIncidentsQuery } from './schemas';
import type { UpdateDefinition } from '@temporalio/common';
import type { TimelineEntry } from '../domain/incident';
import type { IncidentFacts } from './metrics';
import { temporalCall } from './temporal-errors';
import { newestFirst } from './newest-first';
import { IncidentIndex, toRow } from './incident-index';
import { ConflictError, NotFoundError } from './errors';

export interface IncidentsOptions {
  client: Client;
  taskQueue: string;
  /** Per-call deadline for Temporal (default 10 s). */
  timeoutMs?: number;
  /** Passed to new incident workflows; tests lower it to exercise continue-as-new. */
  historyLimit?: number;
  /** Visibility page size (default 1,000; tests lower it to cross page boundaries). */
  pageSize?: number;
  /** The engine's task queue, whose worker keeps the incident-number sequence (a drill runs incidents on its own). */
  engineTaskQueue?: string;
}

export class Incidents {
  private readonly numbers: IncidentNumbers;

  private readonly index: IncidentIndex;

  constructor(private readonly o: IncidentsOptions) {
    this.numbers = new IncidentNumbers(o.client, o.engineTaskQueue ?? o.taskQueue);
    this.index = new IncidentIndex(o.client);
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return temporalCall(this.o.client, what, fn, this.o.timeoutMs);
  }

  /** Declares an incident; it exists once this returns (the workflow has started). */
  async create(request: NewIncident, actor: string): Promise<Incident> {
    let declared: Incident | undefined;
    const handle = await this.call('incident', async () => {
      const id = await this.nextId(actor);
      declared = newIncident(id, request, actor, new Date().toISOString());
      return this.startOnce({ id, request, actor, historyLimit: this.o.historyLimit }, declared);
    });
    // Started means declared: a slow read-back (a busy worker) must not turn into an error
    // that invites a retry and a second incident. Answer with the record as declared.
    return this.call('incident', () => handle.query(incidentQuery)).catch(() => declared!);
  }

  /** A new incident id; with an Idempotency-Key, the same one for every retry of the request. */
  private async nextId(actor: string): Promise<string> {
    const updateId = updateIdFor(actor);
    return incidentId(await (updateId ? this.numbers.forKey(updateId) : this.numbers.next()));
  }

  /** Starts it; a retried keyed request finds it started by its first attempt and goes on with that. */
  private startOnce(input: IncidentInput, record: Incident) {
    return this.start(input, record).catch((err) => {
      if (err instanceof WorkflowExecutionAlreadyStartedError && updateIdFor(input.actor))
        return this.o.client.workflow.getHandle(input.id);
      throw err;
    });
  }

  /** Starts an incident workflow with its visibility set from the record it starts with. */
  private start(input: IncidentInput, record: Incident) {
    return this.o.client.workflow.start<typeof incident>('incident', {
      workflowId: input.id,
      taskQueue: this.o.taskQueue,
      args: [input],
      memo: { ...incidentMemo(record, true) },
      typedSearchAttributes: startSearchAttributes(record),
    });
  }

  /** Runs one of the incident's Updates (validated in the workflow) and returns its result. */
  update<R, A>(id: string, def: UpdateDefinition<R, [A]>, arg: A): Promise<R> {
    return this.call(`incident ${id}`, () =>
      this.o.client.workflow
        .getHandle(id)
        .executeUpdate(def, { args: [arg], updateId: updateIdFor((arg as { actor?: string }).actor ?? '') }),
    ).catch(async (err) => {
      // An update racing the incident's close can come back "not found": say what happened.
      if (!(err instanceof NotFoundError)) throw err;
      const closed = await this.o.client.workflow
        .getHandle(id)
        .describe()
        .then(
          (d) => d.status.name !== 'RUNNING',
          () => false,
        );
      throw closed ? new ConflictError(`incident ${id} is closed`) : err;
    });
  }

  /**
   * Brings over a past incident from a previous tool with its real timings: a closed record
   * (timeline rebuilt from the timestamps) that counts in metrics and recurrence.
   */
  async import(r: ImportIncidentRequest, actor: string): Promise<Incident> {
    return this.call('incident', async () => {
      const id = await this.nextId(actor);
      const closed_at = r.closed_at ?? r.resolved_at;
      const entry = (at: string, kind: TimelineEntry['kind'], message: string): TimelineEntry => ({
        at,
        actor,
        kind,
        message,
      });
      const record: Incident = {
        ...newIncident(id, r, actor, r.created_at, r.dedup_key),
        status: 'closed',
        root_cause: r.root_cause,
        acknowledged_at: r.acknowledged_at,
        mitigated_at: r.mitigated_at,
        resolved_at: r.resolved_at,
        closed_at,
        timeline: [
          entry(r.created_at, 'created', `Incident declared: ${r.title} (imported by ${actor})`),
          ...(r.acknowledged_at ? [entry(r.acknowledged_at, 'acknowledged', 'Acknowledged')] : []),
          entry(r.resolved_at, 'status', 'Status → resolved'),
          entry(closed_at, 'status', 'Status resolved → closed'),
        ],
      };
      const request: NewIncident = {
        title: r.title,
        description: r.description,
        severity: r.severity,
        affected_services: r.affected_services,
      };
      const handle = await this.startOnce({ id, request, actor, carried: record }, record);
      await handle.result();
      return record;
    });
  }

  /** Every incident (latest run) matching `clauses` with its memo and search attributes, across all visibility pages. */
  async scan(clauses: string[]): Promise<IncidentFacts[]> {
    const query = [INCIDENT_RUNS, ...clauses].join(' AND ');
    return this.call('incident scan', async () => {
      const out: IncidentFacts[] = [];
      for await (const wf of this.o.client.workflow.list({ query, pageSize: this.o.pageSize ?? 1000 })) {
        if (!INCIDENT_ID_PATTERN.test(wf.workflowId)) continue;
        const memo = (wf.memo ?? {}) as Partial<IncidentMemo>;
        const sa = wf.typedSearchAttributes;
        out.push({
          id: wf.workflowId,
          severity: (sa.get(SA.severity) ?? 'SEV4') as Severity,
          status: (sa.get(SA.status) ?? 'triggered') as Status,
          services: sa.get(SA.services) ?? [],
          created_at: memo.created_at ?? wf.startTime.toISOString(),
          acknowledged_at: sa.get(SA.acknowledgedAt)?.toISOString(),
          mitigated_at: memo.mitigated_at,
          resolved_at: sa.get(SA.resolvedAt)?.toISOString() ?? memo.resolved_at,
          dedup_key: memo.dedup_key,
          actions: memo.actions,
          postmortem: memo.postmortem,
          approvals_pending: memo.approvals_pending ?? 0,
          pages: memo.pages ?? [],
          ...(memo.public ? { public: memo.public } : {}),
          title: memo.title,
          assignee: sa.get(SA.assignee),
          ...(memo.roles ? { roles: memo.roles } : {}),
          ...(memo.last_update ? { last_update: memo.last_update } : {}),
        });
      }
      return out;
    });
  }

  get(id: string): Promise<IncidentView> {
    return this.call(`incident ${id}`, () => this.o.client.workflow.getHandle(id).query(incidentQuery));
  }

  /**
   * A page of the timeline before seq `before` (default: the newest). Entries older than
   * this run's part live in the history of earlier runs (continue-as-new carries only the
   * newest): those are read back by querying that run, which the worker replays.
   */
  async timeline(
    id: string,
    before?: number,
    limit?: number,
  ): Promise<TimelinePage & { next_before: number | null }> {
    const handle = this.o.client.workflow.getHandle(id);
    let page = await this.call(`incident ${id}`, () => handle.query(timelineQuery, { before, limit }));
    if (before !== undefined && before <= page.offset) {
      const run = [...page.archive].reverse().find((a) => a.from < before);
      if (run) {
        const older = this.o.client.workflow.getHandle(id, run.run_id);
        page = {
          ...(await this.call(`incident ${id}`, () => older.query(timelineQuery, { before, limit }))),
          total: page.total,
        };
      }
    }
    const first = page.entries[0]?.seq;
    return { ...page, next_before: first ? first : null };
  }

  acknowledge(id: string, actor: string, assignee?: string): Promise<Incident> {
    return this.update(id, acknowledgeUpdate, { actor, assignee });
  }

  transition(
    id: string,
    actor: string,
    change: { to: Status; note?: string; root_cause?: string },
  ): Promise<Incident> {
    return this.update(id, transitionUpdate, { actor, ...change });
  }

  addNote(id: string, actor: string, text: string): Promise<Incident> {
    return this.update(id, noteUpdate, { actor, text });
  }

  edit(
    id: string,
    actor: string,
    change: { severity?: Severity; assignee?: string; affected_services?: string[] },
  ): Promise<Incident> {
    return this.update(id, editUpdate, { actor, ...change });
  }

  /**
   * Lists from Temporal visibility. SQL visibility cannot ORDER BY custom attributes, so
   * other orders sort the index's rows here (incident-index.ts); the cursor is an offset into that order.
   */
  async list(
    q: ListIncidentsQuery,
  ): Promise<{ incidents: IncidentRow[]; next_cursor: string | null; total: number }> {
    const clauses = [INCIDENT_RUNS];
    if (q.status) clauses.push(`${SA.status.name} = '${q.status}'`);
    if (q.severity) clauses.push(`${SA.severity.name} = '${q.severity}'`);
    if (q.service) clauses.push(`${SA.services.name} = '${q.service}'`);
    if (q.assignee) clauses.push(`${SA.assignee.name} = '${q.assignee}'`);
    const now = new Date();
    const offset = q.cursor ? Number(q.cursor) : 0;
    // The default view (newest first) reads visibility directly, only as far as it must.
    if (q.sort === 'created' && q.order === 'desc' && offset + q.limit <= 1000) {
      const fast = await this.call('incident list', () => this.newest(clauses, offset + q.limit, now));
      if (fast) {
        const next = offset + q.limit < fast.total ? String(offset + q.limit) : null;
        return { incidents: fast.rows.slice(offset, offset + q.limit), next_cursor: next, total: fast.total };
      }
    }
    // Any other order: from the index of every row (refreshed with what changed), filtered here.
    const all = await this.call('incident list', () => this.index.all(now));
    const rows = all.filter(
      (r) =>
        (!q.status || r.status === q.status) &&
        (!q.severity || r.severity === q.severity) &&
        (!q.service || r.affected_services.includes(q.service)) &&
        (!q.assignee || r.assignee === q.assignee),
    );
    const dir = q.order === 'asc' ? 1 : -1;
    const key = SORT[q.sort];
    rows.sort((a, b) => dir * compare(key(a), key(b)) || dir * (incidentNumber(a.id) - incidentNumber(b.id)));
    const page = rows.slice(offset, offset + q.limit);
    const next = offset + q.limit < rows.length ? String(offset + q.limit) : null;
    return { incidents: page, next_cursor: next, total: rows.length };
  }

  /** The k newest incidents (see newest-first.ts), or undefined when visibility's order does not allow stopping early. */
  private async newest(
    clauses: string[],
    k: number,
    now: Date,
  ): Promise<{ rows: IncidentRow[]; total: number; read: number } | undefined> {
    const client = this.o.client;
    const query = clauses.join(' AND ');
    async function* stream(status: string, bound: (wf: WorkflowExecutionInfo) => Date | undefined) {
      for await (const wf of client.workflow.list({
        query: `${query} AND ${status}`,
        pageSize: Math.min(1000, k + 10),
      })) {
        const b = bound(wf);
        if (INCIDENT_ID_PATTERN.test(wf.workflowId) && b) yield { row: toRow(wf, now), bound: b.getTime() };
      }
    }
    const top = await newestFirst(
      [
        stream(`ExecutionStatus = 'Running'`, (wf) => wf.startTime),
        stream(`ExecutionStatus != 'Running'`, (wf) => wf.closeTime),
      ],
      k,
      (r) => Date.parse(r.created_at),
    );
    if (!top) return undefined;
    top.rows.sort(
      (a, b) => compare(b.created_at, a.created_at) || incidentNumber(b.id) - incidentNumber(a.id),
    );
    this.lastListRead = top.read;
    return { rows: top.rows, total: (await client.workflow.count(query)).count, read: top.read };
  }

  /** Rows the last newest-first list read from visibility (for tests and diagnostics). */
  lastListRead?: number;
}

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** Sort keys. Severity sorts by urgency (desc = SEV1 first); status by lifecycle order. */
const SORT: Record<ListIncidentsQuery['sort'], (r: IncidentRow) => string | number> = {
  created: (r) => r.created_at,
  severity: (r) => -severityRank(r.severity),
  status: (r) => STATUSES.indexOf(r.status),
  duration: (r) => r.duration_ms,
  id: (r) => incidentNumber(r.id),
  title: (r) => r.title.toLowerCase(),
  assignee: (r) => r.assignee ?? '',
};
