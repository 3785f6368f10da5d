/**
 * The contract between the API and the workflows: workflow names, updates, queries and
 * search attributes. Pure: safe to import from workflow code and from Node code.
 */
import type { IncidentRole } from '../domain/roles';
import { defineQuery, defineSignal, defineUpdate, type Sinks } from '@temporalio/workflow';
import type { AlertEvent, AlertPolicy } from '../domain/alerts';
import type { KeyBook } from '../domain/request-keys';
import type { ApprovalRecord, RunbookRunRecord, RunDecisionAction, StepRecord } from '../domain/runbook';
import type { UpdateDefinition } from '@temporalio/common';
import type { Incident, NewIncident } from '../domain/incident';
import type { IncidentView, TimelinePage } from '../domain/incident-view';
import type { PublicIncident } from '../domain/status-page';

export type { NewIncident };
import type {
  ActionItem,
  ActionStatus,
  Evidence,
  Health,
  Postmortem,
  PostmortemEdit,
  ServiceHealth,
  StatusUpdate,
} from '../domain/record';
import type { Severity } from '../domain/severity';
import type { PageLogEntry } from '../domain/escalation';
import type { Status } from '../domain/lifecycle';
import type { EngineHealthView, TaskFailureHint } from '../domain/engine-health';

export const SEQUENCE_WORKFLOW_ID = 'tourniquet-incident-sequence';
/**
 * The sequence workflow has a task queue of its own: on the shared queue an alert storm's
 * backlog of new alert groups would queue ahead of the id allocations they all wait for.
 */
export const idTaskQueue = (taskQueue: string) => `${taskQueue}-ids`;

export { SA } from './search-attributes';

export interface IncidentInput {
  id: string;
  request: NewIncident;
  actor: string;
  /** Set only by continue-as-new: the record carried over from the previous run. */
  carried?: Incident;
  /** Continue-as-new once history reaches this many events (default 8,000; tests lower it). */
  historyLimit?: number;
  /** Set when an alert opened the incident: the alert group to tell when it is resolved. */
  alertGroupId?: string;
  alerts?: AlertEvent[];
  alertPolicy?: AlertPolicy;
  /** Set by an alert group whose open incident ended unexpectedly (failed or terminated): its id. */
  replaces?: string;
  /** Carried by continue-as-new: recent Idempotency-Keys (workflows/request-keys.ts). */
  keys?: KeyBook;
  /** The opening runbook, already started by the alert group next to this incident: recorded, not started again. */
  openingRun?: { run_id: string; name: string };
  /** Carried by continue-as-new: the number of the last forward applied (AlertForward). */
  forwarded?: number;
  /** The generation of the code that started it (patches.ts GENERATION): which changes it runs with. */
  generation?: number;
}

/** Memo shown in list rows without querying each workflow. */
export interface IncidentMemo {
  title: string;
  created_at: string;
  resolved_at?: string;
  /** Pages sent, for the on-call load report and the page budget. */
  pages?: PageLogEntry[];
  /** For metrics (incidents opened by current code): */
  mitigated_at?: string;
  dedup_key?: string;
  /** [open, total] action items. */
  actions?: [number, number];
  postmortem?: 'draft' | 'published';
  approvals_pending?: number;
  /** Who holds each incident role (internal status board). */
  roles?: Partial<Record<IncidentRole, string>>;
  /** The newest status update, internal or external, shortened (internal status board). */
  last_update?: { visibility: string; status: string; message: string; at: string };
  /** Its part of the public status page (incidents with an external status update). */
  public?: PublicIncident;
}

/** The argument of an Update, for handlers and validators declared apart from `setHandler`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches any result type
export type UpdateInput<D> = D extends UpdateDefinition<any, [infer A]> ? A : never;

export const incidentQuery = defineQuery<IncidentView>('incident');
/** A page of the timeline before seq `before` (default: the newest), from this run's part of it. */
export const timelineQuery = defineQuery<TimelinePage, [{ before?: number; limit?: number }]>('timeline');
export const acknowledgeUpdate = defineUpdate<IncidentView, [{ actor: string; assignee?: string }]>(
  'acknowledge',
);
export const transitionUpdate = defineUpdate<
  IncidentView,
  [{ actor: string; to: Status; note?: string; root_cause?: string }]
>('transition');
export const noteUpdate = defineUpdate<IncidentView, [{ actor: string; text: string }]>('addNote');
/** Assign (or hand over) an incident role; answers with the record. */
export const assignRoleUpdate = defineUpdate<
  IncidentView,
  [{ actor: string; role: IncidentRole; person: string }]
>('assignRole');
export const editUpdate = defineUpdate<
  IncidentView,
  [{ actor: string; severity?: Severity; assignee?: string; affected_services?: string[] }]
>('edit');

export const evidenceUpdate = defineUpdate<
  Evidence,
  [{ actor: string; kind: Evidence['kind']; title: string; url?: string; text?: string }]
>('addEvidence');
export const serviceHealthUpdate = defineUpdate<
  ServiceHealth,
  [{ actor: string; service: string; health: Health; note?: string }]
>('setServiceHealth');
export const statusUpdateUpdate = defineUpdate<
  StatusUpdate,
  [{ actor: string; message: string; status?: string; visibility: StatusUpdate['visibility'] }]
>('postStatusUpdate');
export const postmortemEditUpdate = defineUpdate<Postmortem, [{ actor: string; sections: PostmortemEdit }]>(
  'editPostmortem',
);
export const postmortemPublishUpdate = defineUpdate<IncidentView, [{ actor: string }]>('publishPostmortem');
export const actionItemCreateUpdate = defineUpdate<
  ActionItem,
  [{ actor: string; title: string; owner: string; due: string }]
>('createActionItem');
export const actionItemChangeUpdate = defineUpdate<
  ActionItem,
  [{ actor: string; id: string; title?: string; owner?: string; due?: string; status?: ActionStatus }]
>('changeActionItem');
export const actionItemDeleteUpdate = defineUpdate<ActionItem, [{ actor: string; id: string }]>(
  'deleteActionItem',
);

export * from './alert-messages';

/** Reserves `count` consecutive incident numbers; returns the first. */
export const allocateIdUpdate = defineUpdate<number, [count: number]>('allocate');

/** Start a runbook on the incident; returns the run id. */
export const startRunbookUpdate = defineUpdate<
  { run_id: string },
  [{ actor: string; name: string; params: Record<string, string>; dry_run?: boolean }]
>('startRunbook');
/** Each runbook run sends its whole record to the incident after every change. */
/** The comment on an approval withdrawn because its incident was resolved or closed starts with this. */
export const APPROVAL_WITHDRAWN = 'withdrawn';
/** The incident was resolved or closed: a run's pending approvals are withdrawn (they can no longer be granted). */
/** A page delivery (workflows/page-delivery.ts) tells the incident how it went. */
export interface PageDelivered {
  key: string;
  notifier: string;
  delivered_at?: string;
  error?: string;
}
export const pageDeliveredSignal = defineSignal<[PageDelivered]>('pageDelivered');
export const withdrawApprovalsSignal = defineSignal<[{ reason: string }]>('withdrawApprovals');
export const runbookProgressSignal = defineSignal<[RunbookRunRecord]>('runbookProgress');
export const runbookQuery = defineQuery<RunbookRunRecord>('runbook');
export const approvalUpdate = defineUpdate<
  ApprovalRecord,
  [{ approvalId: string; approve: boolean; actor: string; comment?: string }]
>('decideApproval');
/** Retry or skip a run's failed step, or cancel the run; answers with the run's record. */
export const runDecisionUpdate = defineUpdate<
  RunbookRunRecord,
  [{ action: RunDecisionAction; stepId?: string; actor: string; reason?: string }]
>('decideRun');
export const manualStepUpdate = defineUpdate<StepRecord, [{ stepId: string; actor: string; note?: string }]>(
  'completeManualStep',
);

/** Guardrail state of one service (or of the whole engine, service "*"). */
export interface GuardState {
  paused: boolean;
  paused_by?: string;
  breaker_open: boolean;
  reset_by?: string;
  /** Slots taken within their window; `grant` (run/step) makes a retried acquire find its own slot. */
  actions: { action: string; incident: string; at: number; grant?: string }[];
  failures: number[];
  /** Grants whose failure was already counted: a retried report counts once (the newest GUARD_REPORTED). */
  reported?: string[];
  /** Runbook runs held by the pause, told by `guardResumedSignal` when it lifts (at most GUARD_WAITERS). */
  waiting?: string[];
}
export const GUARD_WAITERS = 500;
export const GUARD_REPORTED = 200;
/** Sent by a guard to each run it held when automation resumes: no run polls while paused. */
export const guardResumedSignal = defineSignal('guardResumed');
export type GuardDecision = {
  decision: 'allowed' | 'paused' | 'rate_limited' | 'breaker_open';
  reason: string;
};
export const guardWorkflowId = (service: string) => `guard-${service}`;
export const guardQuery = defineQuery<GuardState>('guard');
/** `record: false` only checks (pause, breaker) without counting an action. */
export const guardAcquireUpdate = defineUpdate<
  GuardDecision,
  [
    {
      action: string;
      incident: string;
      record?: boolean;
      /** The engine-wide guard counts every mutating action against this budget. */
      budget?: { count: number; windowMs: number };
      /** Run and step: a retried acquire with the same grant returns the slot it already took. */
      grant?: string;
      /** A human approved acting past the open breaker: the slot and rate limit still apply. */
      override?: boolean;
      /** The run to tell on resume if paused. */ waiter?: string;
    },
  ]
>('acquire');
export const guardReportUpdate = defineUpdate<
  GuardState,
  [{ action: string; incident: string; ok: boolean; grant?: string }]
>('report');
export const guardPauseUpdate = defineUpdate<GuardState, [{ paused: boolean; actor: string }]>('pause');
export const guardResetUpdate = defineUpdate<GuardState, [{ actor: string }]>('resetBreaker');

/** The one engine-health workflow: follows workflows whose tasks keep failing (domain/engine-health.ts). */
export const ENGINE_HEALTH_WORKFLOW_ID = 'tourniquet-engine-health';
export const taskFailureSignal = defineSignal<[TaskFailureHint]>('taskFailure');
export const engineHealthQuery = defineQuery<EngineHealthView>('engineHealth');
/** The engine tells an incident what happened to it (its workflow could not run for a while). */
export const engineNoteSignal = defineSignal<[{ text: string }]>('engineNote');

/** Counters the worker exports to Prometheus (a sink: outside the sandbox, not on replay). */
export interface MetricsSinks extends Sinks {
  metrics: {
    stepFinished(runbook: string, result: string): void;
    approval(outcome: 'requested' | 'approved' | 'rejected' | 'expired'): void;
  };
}

/** ApplicationFailure types the API maps to HTTP statuses. */
export const FailureType = {
  conflict: 'Conflict',
  invalid: 'InvalidInput',
  notFound: 'NotFound',
  forbidden: 'Forbidden',
  /** An Idempotency-Key reused with a different request (HTTP 422). */
  unprocessable: 'KeyReused',
} as const;
