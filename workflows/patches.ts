/**
 * Every `patched()` id, named once. A patch keeps workflows started on older code replaying
 * the commands they issued then (test/replay.test.ts replays recorded histories).
 *
 * When may one go? Once no execution that started before the patch's commit is still
 * running, e.g. `temporal workflow list --query 'ExecutionStatus="Running" AND
 * StartTime < "2026-11-27T00:00:00Z"'` is empty (an incident that continued-as-new counts as
 * started anew). Then replace `patched(X)` with `deprecatePatch(X)` and keep only the new
 * branch; one release later, delete the call.
 *
 * Local activities and patches: in replay a local activity's result is known at once, so the
 * code after it may replay in an earlier workflow task than the one it first ran in, where a
 * patched() called for the first time finds no marker. So a workflow evaluates the patches
 * it may call after a local activity before that activity: the alert group's are implied by
 * its generation patch, evaluated first; a runbook run's by its generation patch, plus the
 * patches its runbook calls itself (RUNBOOK_PATCHES) evaluated at its start.
 *
 * Generations: each patch marker costs a history event and a visibility write
 * (TemporalChangeVersion), so a new workflow records one generation patch that implies every
 * patch before it; histories from before each generation still evaluate what they did.
 * From GENERATION 4 the code that starts a workflow names its generation in the input, and
 * the workflow records no marker at all (generationPatch).
 */
import * as wf from '@temporalio/workflow';

/**
 * The generation of this code, written into the input of the workflows it starts (#18): a
 * workflow whose input names 4 or later has its type's generation patch in force without a
 * marker, and an incident's deliveries go first by local activity (paging.ts). Its input
 * never changes, so every replay takes the path it first took. Workflows start their children
 * on their own version; the API names it only for alert groups, which differ from generation
 * 3 by the marker alone (generationPatch), so an older worker in a rollout does no harm.
 */
export const GENERATION = 4;

/** Whether a workflow's input names generation `n` or later. */
export const fromGeneration = (generation: number | undefined, n: number): boolean => (generation ?? 0) >= n;

/**
 * `patched(id)` for a workflow's generation patch, answered from its input when the code that
 * started it named GENERATION 4 or later. On replay a marker for `id` is accepted
 * (deprecatePatch): in a rollout a worker of the previous generation, which ignores the
 * field, may have run the workflow first and recorded one.
 */
export function generationPatch(generation: number | undefined, id: string): boolean {
  if (!fromGeneration(generation, 4)) return wf.patched(id);
  if (wf.workflowInfo().unsafe.isReplaying) wf.deprecatePatch(id);
  return true;
}

export const PATCH = {
  /** 2026-11-30, alert group (#18): one local activity numbers the incident and reads its opening run's config (the run reads none itself). */
  groupGen3: 'group-gen-3',
  /** 2026-11-30, incident (#18): opening publishes visibility once; the deadline timer is re-armed only when the deadline moves. */
  incidentGen3: 'incident-gen-3',
  /** 2026-11-30, incident (#18): every earlier incident patch in force — one marker for a new incident, not six. */
  incidentGen2: 'incident-gen-2',
  /** 2026-11-30, alert group (#18): every earlier alert-group patch in force — one marker, not two. */
  groupGen2: 'group-gen-2',
  /** 2026-11-30, runbook run (#18): every earlier run patch in force, and only its own runbook's patches evaluated — one marker, not five. */
  runGen2: 'run-gen-2',
  /** 2026-11-29, incident (#18): every earlier incident patch in force — one marker for a new incident, not eight. */
  incidentCurrent: 'incident-current',
  /** 2026-11-29, alert group (#18): every earlier alert-group patch in force, and it starts the opening runbook itself. */
  groupCurrent: 'group-current',
  /**
   * 2026-11-29, runbook run (#18): config read by local activities, progress reported in the
   * background, the guard slot taken by a local activity — and every earlier run patch in
   * force, so a new run records this one marker instead of one per patch.
   */
  hotPathRun: 'hot-path-run',
  /** 2026-11-29, runbook run (#19): a failed step waits for a human to retry it, skip it or cancel the run (runs before fail at once). */
  resumableRuns: 'resumable-runs',
  /** 2026-11-29, incident: each visibility upsert stamps IncidentListedAt (the API's list index reads changes since). */
  listedAt: 'listed-at',
  /** 2026-11-26, incident: milestones, escalation and paging. Older incidents run without them. */
  escalation: 'escalation',
  /** 2026-11-26, incident: upsert visibility only when a listed field changed (storms used to add two commands per alert). */
  publishOnChange: 'publish-on-change',
  /** 2026-11-26, incident: metrics fields in the memo (mitigated, dedup key, actions, postmortem, approvals pending). */
  recordMemo: 'record-memo',
  /** 2026-11-26, alert group: incident numbers from a local activity instead of a task-queue round trip. */
  localIdAllocation: 'local-id-allocation',
  /** 2026-11-30, incident: its Slack channel's topic follows the incident's severity, status and title. */
  channelTopic: 'channel-topic',
  /** 2026-11-30, incident: the memo lists who holds each role and the newest update, for the internal status board. */
  internalStatus: 'internal-status',
  /** 2026-11-30, incident: external status updates go to status page notifiers (kind `status`, public fields only). */
  statusPageWebhooks: 'status-page-webhooks',
  /** 2026-11-30, incident: the communications lead is reminded of the next status update before it is due. */
  updateReminders: 'update-reminders',
  /** 2026-11-30, incident: status updates are sent to the severity's and the stakeholder channels; external ones go in the memo for the status page. */
  publishedUpdates: 'published-updates',
  /** 2026-11-30, alert group: forwards are numbered, so an incident applies a second delivery of one only once. */
  numberedForwards: 'numbered-forwards',
  /** 2026-11-29, alert group: forward in bounded chunks; continue as new early, carrying pending alerts. */
  boundedForwards: 'bounded-forwards',
  /** 2026-11-29, incident: Slack deliveries are workflows keyed by the page (never started twice across continue-as-new). */
  deliveryWorkflows: 'delivery-workflows',
  /** 2026-11-29, incident: a handoff made before the run read its escalation config pages once it has. */
  earlyHandoff: 'early-handoff',
  /** 2026-11-29, incident: a handoff starts a new escalation episode; page keys carry it, so a second walk pages again. */
  pageEpisodes: 'page-episodes',
  /** 2026-11-29, incident: continue-as-new does not wait for page deliveries; the next run re-sends undelivered ones. */
  pagesCarried: 'pages-carried',
  /** 2026-11-29, incident: a run lives MIN_RUN_MS before it continues as new (Temporal delays quicker hand-overs). */
  minRunAge: 'min-run-age',
  /** 2026-11-29, runbook run: a paused step waits for the guard's resume signal instead of polling every 3 s. */
  pauseSignal: 'pause-signal',
  /** 2026-11-26, runbook run: undecided approvals escalate at their deadline and expire at 4×. */
  approvalExpiry: 'approval-expiry',
  /** 2026-11-29, incident: resolving or closing withdraws its runs' pending approvals (a signal to each). */
  withdrawOnResolve: 'withdraw-on-resolve',
  /** 2026-11-29, incident: resolving also stops runs waiting on a manual step or the guard's pause. */
  cancelWaitingRuns: 'cancel-waiting-runs',
  /** 2026-11-29, failover runbook: reads the Service's selector in a step before switching; switch-back restores it. */
  failoverReadsSelector: 'failover-reads-selector',
  /** 2026-11-29, postgres-connection-exhaustion: chooses the sessions (recorded) before terminating exactly those. */
  sessionsChosenFirst: 'sessions-chosen-first',
  /** 2026-11-30, db-connection-failure: rechecks a failed database (spike or sustained), watches the app after the restart, tells the DBA what was tried. */
  dbFailureChecks: 'db-failure-checks',
  /** 2026-11-29, runbook run: a step approved past the open breaker still takes a guard slot (one more activity). */
  guardGrants: 'guard-grants',
  /** 2026-11-29, runbook run: the service's catalogue entry is read at start; it scopes params, targets and caps. */
  serviceCatalogue: 'service-catalogue',
  /** 2026-11-26, runbook run: the guardrail policy is read from the worker's config (an activity). */
  guardrailConfig: 'guardrail-config',
  /** 2026-11-26, runbook run: rate limits, breaker and pause shared across incidents (guard workflows). */
  serviceGuardrails: 'service-guardrails',
} as const;

/** Patches the runbooks call themselves, by runbook: evaluated at a run's start, before its local activities (see above). */
export const RUNBOOK_PATCHES: ReadonlyMap<string, readonly string[]> = new Map([
  ['failover', [PATCH.failoverReadsSelector]],
  ['postgres-connection-exhaustion', [PATCH.sessionsChosenFirst]],
  ['db-connection-failure', [PATCH.dbFailureChecks]],
]);

/** Runs on #18's first generation evaluated every runbook's patches, in this order, whatever they ran. */
export const ALL_RUNBOOK_PATCHES = [...RUNBOOK_PATCHES.values()].flat();
