/**
 * Workflows the engine cannot run: a workflow task that keeps failing (a bug, a
 * non-determinism after a bad deploy, a refused command) leaves an incident "running" with
 * dead timers. Workers report each failing task as a suspect; the engine-health workflow
 * confirms it with Temporal (a pending workflow task on its second attempt or later) and
 * follows it until it recovers or closes. Pure: the workflow feeds it observations.
 */
import type { EscalationConfig } from './escalation';
import { truncate } from './limits';
import type { Notification } from './notification';

/** What a worker saw: a workflow task failed (from the SDK's own logs). */
export interface TaskFailureHint {
  runId: string;
  workflowId?: string;
  workflowType?: string;
  reason: string;
}

/** What Temporal says about a suspect now (activities/engine-health.ts). */
export interface WorkflowObservation {
  runId: string;
  workflowId?: string;
  workflowType?: string;
  /** Temporal's execution status (RUNNING, FAILED, TERMINATED, …); absent = not found. */
  status?: string;
  /** The pending workflow task's attempt (0 = none pending). */
  attempt: number;
}

export interface StuckWorkflow {
  workflow_id: string;
  run_id: string;
  workflow_type: string;
  reason: string;
  since: string;
  /** Confirmed with Temporal: the task failed at least twice in a row. */
  confirmed: boolean;
  attempt: number;
}

/** A change the engine's owner (and the incident's timeline) should hear about. */
export interface HealthEvent {
  kind: 'stuck' | 'recovered' | 'failed';
  workflow: StuckWorkflow;
  at: string;
}

export interface EngineHealthView {
  stuck: StuckWorkflow[];
  /** Suspects beyond the cap, not followed (exact). */
  omitted: number;
  /** The latest recoveries and failures, newest last. */
  recent: HealthEvent[];
  recent_omitted: number;
}

export const HEALTH_LIMITS = { followed: 500, recent: 50, reason: 1000 } as const;

/** The set of workflows followed, by run id (a Map: ids come from outside the sandbox). */
export class HealthBook {
  private readonly byRun: Map<string, StuckWorkflow>;
  private omitted: number;
  private readonly recent: HealthEvent[];
  private recentOmitted: number;

  constructor(carried?: EngineHealthView) {
    this.byRun = new Map((carried?.stuck ?? []).map((s) => [s.run_id, s]));
    this.omitted = carried?.omitted ?? 0;
    this.recent = [...(carried?.recent ?? [])];
    this.recentOmitted = carried?.recent_omitted ?? 0;
  }

  get size(): number {
    return this.byRun.size;
  }

  suspect(h: TaskFailureHint, now: string): void {
    const known = this.byRun.get(h.runId);
    if (known) {
      known.workflow_id ||= h.workflowId ?? '';
      known.reason = truncate(h.reason, HEALTH_LIMITS.reason);
      return;
    }
    if (this.byRun.size >= HEALTH_LIMITS.followed) {
      this.omitted++;
      return;
    }
    this.byRun.set(h.runId, {
      workflow_id: h.workflowId ?? '',
      run_id: h.runId,
      workflow_type: h.workflowType ?? '',
      reason: truncate(h.reason, HEALTH_LIMITS.reason),
      since: now,
      confirmed: false,
      attempt: 1,
    });
  }

  followed(): { runId: string; workflowId?: string }[] {
    return [...this.byRun.values()].map((s) => ({ runId: s.run_id, workflowId: s.workflow_id || undefined }));
  }

  /** Applies what Temporal says now; returns what changed for people. */
  observe(seen: WorkflowObservation[], now: string): HealthEvent[] {
    const events: HealthEvent[] = [];
    for (const o of seen) {
      const s = this.byRun.get(o.runId);
      if (!s) continue;
      s.workflow_id = o.workflowId ?? s.workflow_id;
      s.workflow_type = o.workflowType ?? s.workflow_type;
      s.attempt = o.attempt;
      const failing = o.status === 'RUNNING' && o.attempt >= 2;
      if (failing && !s.confirmed) {
        s.confirmed = true;
        events.push({ kind: 'stuck', workflow: { ...s }, at: now });
        continue;
      }
      if (failing) continue;
      this.byRun.delete(o.runId);
      // One transient task failure is nobody's business; a workflow that failed is.
      if (!s.confirmed && o.status !== 'FAILED') continue;
      const kind = o.status === 'RUNNING' || o.status === 'COMPLETED' || o.status === 'CONTINUED_AS_NEW';
      events.push({ kind: kind ? 'recovered' : 'failed', workflow: { ...s }, at: now });
    }
    for (const e of events) if (e.kind !== 'stuck') this.remember(e);
    return events;
  }

  view(): EngineHealthView {
    return {
      stuck: [...this.byRun.values()].filter((s) => s.confirmed),
      omitted: this.omitted,
      recent: [...this.recent],
      recent_omitted: this.recentOmitted,
    };
  }

  /** Everything followed, for continue-as-new (unconfirmed suspects too). */
  carry(): EngineHealthView {
    return { ...this.view(), stuck: [...this.byRun.values()] };
  }

  private remember(e: HealthEvent): void {
    this.recent.push(e);
    if (this.recent.length > HEALTH_LIMITS.recent) {
      this.recent.shift();
      this.recentOmitted++;
    }
  }
}

/** One line for a page or a timeline entry. */
export function describeHealthEvent(e: HealthEvent): string {
  const w = `${e.workflow.workflow_type || 'workflow'} ${e.workflow.workflow_id || e.workflow.run_id}`;
  if (e.kind === 'stuck')
    return `The engine cannot run ${w}: its workflow task keeps failing since ${e.workflow.since} (${e.workflow.reason})`;
  if (e.kind === 'recovered')
    return `${w} runs again: its workflow task failed from ${e.workflow.since} to ${e.at} (${e.workflow.reason})`;
  return `${w} ended while its workflow task was failing (${e.workflow.reason})`;
}

/** The page to the engine's owner, in the shape every notifier already carries. */
export function engineNotification(e: HealthEvent, text: string, cfg: EscalationConfig): Notification {
  const id = e.workflow.workflow_id || e.workflow.run_id;
  const isIncident = e.workflow.workflow_type === 'incident';
  const incidentUrl = isIncident ? `${cfg.public_url}/incidents/${id}` : cfg.public_url;
  const temporal = cfg.temporal_ui_url ? `${cfg.temporal_ui_url}/workflows/${id}` : undefined;
  return {
    idempotency_key: `engine-${e.kind}-${e.workflow.run_id}`,
    kind: 'page',
    to: cfg.engine_owner,
    reason: text,
    due_at: e.at,
    sent_at: e.at,
    incident: {
      id,
      title: `Engine: ${e.workflow.workflow_type || 'workflow'} ${id} ${e.kind}`,
      severity: e.kind === 'recovered' ? 'SEV4' : 'SEV2',
      status: e.kind,
      affected_services: [],
      created_at: e.workflow.since,
    },
    what_broke: text,
    impact: isIncident
      ? `Incident ${id} cannot escalate, page or run runbooks while its workflow task fails`
      : `The ${e.workflow.workflow_type || 'workflow'} ${id} is not making progress`,
    verify: [{ title: 'Engine health', url: `${cfg.public_url}/api/v1/engine/health` }],
    try_first:
      'Read the failure in the Temporal UI (the pending workflow task); fix and deploy the worker, or reset the workflow to its last good task',
    who_to_call: cfg.engine_owner,
    links: {
      incident: incidentUrl,
      acknowledge: `${cfg.public_url}/api/v1/engine/health`,
      ...(temporal ? { temporal } : {}),
    },
    approvals: [],
    signed_links: false,
  };
}
