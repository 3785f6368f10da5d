import * as wf from '@temporalio/workflow';
import { AlertEvent, DEFAULT_ALERT_POLICY } from '../domain/alerts';
import { pickRunbook, RunbookRunRecord } from '../domain/runbook';
import { RUNBOOKS } from './runbook-registry';
import { Escalation } from './escalation';
import { registerRecordHandlers } from './record';
import { isOpenItem } from '../domain/record';
import type { Activities } from '../activities';
import type { PageRecord } from '../domain/escalation';
import { runbookRun } from './runbook';
import type { Incident, TimelineEntry } from '../domain/incident';
import { isActive, Status, transitionRefusal } from '../domain/lifecycle';
import {
  acknowledgeUpdate,
  alertsSignal,
  editUpdate,
  FailureType,
  incidentEndedSignal,
  incidentQuery,
  IncidentInput,
  IncidentMemo,
  noteUpdate,
  runbookProgressSignal,
  SA,
  startRunbookUpdate,
  transitionUpdate,
} from './definitions';

const DEFAULT_HISTORY_LIMIT = 8_000; // Temporal warns at 10k events; leave room for in-flight work.

// The worker's escalation config, read once per run and recorded in history.
const config = wf.proxyActivities<Pick<Activities, 'escalationConfig'>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '10 seconds' },
});

/** Pages per person for the on-call load report, compact enough for the memo. */
const pageLog = (pages: PageRecord[]) =>
  pages
    .filter((p) => p.kind === 'page')
    .map((p) => [p.to, Date.parse(p.sent_at), p.off_hours ? 1 : 0] as const);

/**
 * One workflow per incident; the workflow id is the incident id. It is the incident's
 * store: every change goes through an Update (validated first, so an illegal change is
 * refused before it reaches history) and is appended to the timeline.
 */
export async function incident(input: IncidentInput): Promise<Incident> {
  const state: Incident = input.carried ?? newIncident(input);
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const alertPolicy = input.alertPolicy ?? DEFAULT_ALERT_POLICY;
  /** Set on resolution when an alert group waits to hear that this incident ended. */
  let tellAlertGroup = false;
  /** Milestones and escalation; set below once the config is read (absent on old incidents). */
  let esc: Escalation | undefined;
  // Memo fields for metrics; runs from before them keep the memo (and its upserts) they had.
  const richMemo = wf.patched('record-memo');

  const record = (
    actor: string,
    kind: TimelineEntry['kind'],
    message: string,
    data?: TimelineEntry['data'],
  ) => {
    state.timeline.push({ at: nowIso(), actor, kind, message, ...(data ? { data } : {}) });
  };
  /**
   * Keeps visibility in step with the record, so lists and filters come from Temporal alone.
   * Only when a listed field changed: repeats of an alert in a storm add no upserts to history.
   */
  let published = '';
  function publish(): void {
    const memo: IncidentMemo = {
      title: state.title,
      created_at: state.created_at,
      resolved_at: state.resolved_at,
      ...(state.pages ? { pages: pageLog(state.pages) } : {}),
    };
    if (richMemo) {
      const items = state.action_items ?? [];
      Object.assign(memo, {
        mitigated_at: state.mitigated_at,
        dedup_key: state.dedup_key,
        actions: [items.filter(isOpenItem).length, items.length],
        postmortem: state.postmortem?.status,
        approvals_pending: state.runbooks.reduce(
          (n, r) => n + r.approvals.filter((a) => a.status === 'pending').length,
          0,
        ),
      });
    }
    const listed = JSON.stringify([
      state.severity,
      state.status,
      state.assignee,
      state.affected_services,
      state.acknowledged_at,
      memo,
    ]);
    if (wf.patched('publish-on-change') && listed === published) return;
    published = listed;
    wf.upsertSearchAttributes([
      { key: SA.severity, value: state.severity },
      { key: SA.status, value: state.status },
      { key: SA.assignee, value: state.assignee ?? null },
      { key: SA.services, value: state.affected_services },
      { key: SA.acknowledgedAt, value: state.acknowledged_at ? new Date(state.acknowledged_at) : null },
      { key: SA.resolvedAt, value: state.resolved_at ? new Date(state.resolved_at) : null },
    ]);
    wf.upsertMemo({ ...memo });
  }
  const conflict = (message: string) =>
    wf.ApplicationFailure.create({ type: FailureType.conflict, message, nonRetryable: true });

  function acknowledge(actor: string, assignee?: string) {
    state.status = 'acknowledged';
    state.acknowledged_at = nowIso();
    state.assignee = assignee ?? actor;
    record(actor, 'acknowledged', `Acknowledged; assigned to ${state.assignee}`);
  }

  function transition(actor: string, to: Status, note?: string, root_cause?: string) {
    const from = state.status;
    const now = nowIso();
    state.status = to;
    if (from === 'triggered') state.acknowledged_at ??= now; // working on it counts as acknowledging
    if (to === 'resolved') {
      state.resolved_at = now;
      state.root_cause = root_cause;
      state.mitigated_at ??= now;
      tellAlertGroup = !!input.alertGroupId;
    }
    if (to === 'mitigating') state.mitigated_at = undefined;
    if (to === 'investigating' && from === 'resolved') {
      state.resolved_at = undefined;
      state.mitigated_at = undefined;
    }
    if (to === 'closed') state.closed_at = now;
    if (to === 'resolved') recordHandlers.onResolved();
    record(
      actor,
      'status',
      `Status ${from} → ${to}` + (note ? `: ${note}` : ''),
      root_cause ? { root_cause } : undefined,
    );
  }

  function receiveAlerts(events: AlertEvent[]) {
    const wasFiring = state.alerts.some((a) => a.status === 'firing');
    for (const e of events) {
      const actor = `alert:${e.source}`;
      const known = state.alerts.find((a) => a.fingerprint === e.fingerprint);
      if (e.action === 'trigger') {
        if (!known) {
          state.alerts.push({
            fingerprint: e.fingerprint,
            source: e.source,
            summary: e.summary,
            status: 'firing',
            count: 1,
            first_seen: e.received_at,
            last_seen: e.received_at,
            labels: e.labels,
            url: e.url,
          });
          if (!state.related_alerts.includes(e.fingerprint)) state.related_alerts.push(e.fingerprint);
          record(actor, 'alert', `Alert firing: ${e.summary}`, { fingerprint: e.fingerprint });
        } else {
          known.count++;
          known.last_seen = e.received_at;
          if (known.status === 'resolved') {
            known.status = 'firing';
            record(actor, 'alert', `Alert firing again: ${e.summary}`, {
              fingerprint: e.fingerprint,
              count: known.count,
            });
          }
        }
      } else if (e.action === 'resolve' && known?.status === 'firing') {
        known.status = 'resolved';
        known.last_seen = e.received_at;
        record(actor, 'alert', `Alert resolved: ${known.summary}`, { fingerprint: e.fingerprint });
      } else if (e.action === 'acknowledge' && state.status === 'triggered') {
        acknowledge(actor);
      }
    }
    const allCleared = state.alerts.length > 0 && state.alerts.every((a) => a.status === 'resolved');
    if (wasFiring && allCleared && isActive(state.status)) {
      if (alertPolicy.autoResolve.includes(state.severity)) {
        transition(
          'tourniquet',
          'resolved',
          'all alerts cleared',
          'All alerts cleared; resolved automatically by policy',
        );
      } else {
        record('tourniquet', 'system', `All alerts cleared; a human resolves ${state.severity} incidents`);
      }
    }
    esc?.sync();
    publish();
  }

  /** Starts a runbook as a child workflow; its progress comes back as signals. */
  async function startRunbook(
    actor: string,
    name: string,
    params: Record<string, string>,
    dryRun?: boolean,
    approvalRequired?: string,
  ): Promise<string> {
    const n = state.runbooks.length + 1;
    const runId = `${state.id}-rb-${n}`;
    state.runbooks.push({
      run_id: runId,
      name,
      started_by: actor,
      status: 'running',
      params,
      steps: [],
      approvals: [],
      started_at: nowIso(),
    });
    record(
      actor,
      'runbook',
      `Runbook ${name} started${dryRun ? ' (dry-run)' : ''}${approvalRequired ? ` for approval: ${approvalRequired}` : ''}`,
      { run_id: runId, params },
    );
    await wf.startChild(runbookRun, {
      workflowId: runId,
      parentClosePolicy: 'ABANDON', // survives the incident's continue-as-new
      args: [
        {
          incidentId: state.id,
          runId,
          name,
          params,
          startedBy: actor,
          severity: state.severity,
          dryRun,
          alertsFiring: state.alerts.filter((a) => a.status === 'firing').length,
          service: state.affected_services[0] || params.service,
          ...(approvalRequired ? { approvalRequired } : {}),
        },
      ],
    });
    return runId;
  }

  function runbookProgress(run: RunbookRunRecord) {
    const i = state.runbooks.findIndex((r) => r.run_id === run.run_id);
    const before = i >= 0 ? state.runbooks[i] : undefined;
    // Timeline: each step that started or finished, each new approval request, the outcome.
    for (const step of run.steps) {
      const old = before?.steps.find((s) => s.id === step.id);
      if (old?.status === step.status) continue;
      const verb = {
        running: 'started',
        waiting: 'waiting',
        succeeded: 'succeeded',
        failed: 'failed',
        skipped: 'skipped',
      }[step.status];
      const detail = step.error ?? (step.status === 'running' ? undefined : step.result);
      record(
        `runbook:${run.name}`,
        'runbook',
        `Step "${step.title}" ${verb}${step.dry_run ? ' (dry-run)' : ''}${detail ? `: ${detail}` : ''}`,
        { run_id: run.run_id, step: step.id, impact: step.impact, duration_ms: step.duration_ms },
      );
    }
    for (const a of run.approvals) {
      const old = before?.approvals.find((x) => x.id === a.id);
      if (!old)
        record(
          `runbook:${run.name}`,
          'approval',
          `Approval requested for "${a.title}" (${a.impact}; ${a.reason}): ${a.what}`,
          { approval_id: a.id },
        );
      if (a.escalated_at && !old?.escalated_at) {
        const meta = RUNBOOKS[run.name]?.meta;
        record(
          'tourniquet',
          'approval',
          `Approval for "${a.title}" not decided by ${a.escalates_at}: escalating to ${meta?.escalation ?? 'the incident commander'}; rejected at ${a.expires_at} if still undecided`,
          { approval_id: a.id },
        );
      }
      if (old && old.status !== a.status)
        record(
          a.decided_by ?? 'unknown',
          'approval',
          `Approval ${a.status} for "${a.title}"${a.comment ? `: ${a.comment}` : ''}`,
          { approval_id: a.id },
        );
    }
    if (run.finished_at && !before?.finished_at)
      record(`runbook:${run.name}`, 'runbook', `Runbook ${run.name} ${run.status}: ${run.outcome}`, {
        run_id: run.run_id,
      });
    if (i >= 0) state.runbooks[i] = run;
    else state.runbooks.push(run);
    recordHandlers.fromRunbook(run, before);
    esc?.runbookProgress(run, before);
    if (richMemo) publish(); // approvals pending are in the memo
  }

  // Milestones and escalation: incidents opened before they existed (and their continuations) go without.
  const escalating = wf.patched('escalation') && (!input.carried || !!input.carried.escalation);

  wf.setHandler(incidentQuery, () => state);
  const recordHandlers = registerRecordHandlers(state, {
    record,
    publish,
    transition: (actor, to, note) => {
      transition(actor, to, note);
      esc?.sync();
    },
    escalation: () => esc,
  });
  wf.setHandler(alertsSignal, receiveAlerts);
  wf.setHandler(runbookProgressSignal, runbookProgress);
  wf.setHandler(
    startRunbookUpdate,
    async ({ actor, name, params, dry_run }) => ({
      run_id: await startRunbook(actor, name, params, dry_run),
    }),
    {
      validator: ({ name }) => {
        closedGuard(undefined);
        if (!RUNBOOKS[name])
          throw wf.ApplicationFailure.create({
            type: FailureType.notFound,
            message: `no runbook named ${name}`,
            nonRetryable: true,
          });
      },
    },
  );

  if (!input.carried) {
    record(input.actor, 'created', `Incident declared: ${state.title}`, { severity: state.severity });
    if (state.assignee) record(input.actor, 'edit', `Assigned to ${state.assignee}`);
    if (input.alerts) receiveAlerts(input.alerts);
    // The runbook whose triggers match best runs by itself; with none, the incident waits for humans.
    const labels = input.alerts?.find((a) => a.action === 'trigger')?.labels ?? {};
    const meta = pickRunbook(
      Object.values(RUNBOOKS).map((r) => r.meta),
      { labels, services: state.affected_services, severity: state.severity },
    );
    if (meta)
      await startRunbook('tourniquet', meta.name, { ...labels, service: state.affected_services[0] ?? '' });
  }
  publish();

  wf.setHandler(
    acknowledgeUpdate,
    ({ actor, assignee }) => {
      if (state.status === 'triggered') acknowledge(actor, assignee);
      else {
        // A handoff: the new assignee takes over an incident already being worked on.
        record(actor, 'acknowledged', `Handoff acknowledged by ${actor}`);
        esc?.handoffAcknowledged(actor);
      }
      esc?.sync();
      publish();
      return state;
    },
    {
      validator: (_update) => {
        if (state.status !== 'triggered' && !state.escalation?.awaiting_ack)
          throw conflict(
            `incident is already ${state.status}; only a triggered incident can be acknowledged`,
          );
      },
    },
  );

  wf.setHandler(
    transitionUpdate,
    ({ actor, to, note, root_cause }) => {
      transition(actor, to, note, root_cause);
      esc?.sync();
      publish();
      return state;
    },
    {
      validator: ({ to, root_cause }) => {
        const refusal =
          transitionRefusal(state.status, to, root_cause) ??
          (to === 'closed' ? recordHandlers.refuseClose() : undefined);
        if (refusal) throw conflict(refusal);
      },
    },
  );

  wf.setHandler(
    noteUpdate,
    ({ actor, text }) => {
      record(actor, 'note', text);
      return state;
    },
    { validator: closedGuard },
  );

  wf.setHandler(
    editUpdate,
    ({ actor, severity, assignee, affected_services }) => {
      const changes: string[] = [];
      if (severity && severity !== state.severity) {
        changes.push(`severity ${state.severity} → ${severity}`);
        state.severity = severity;
      }
      if (assignee !== undefined && assignee !== state.assignee) {
        changes.push(`assignee ${state.assignee ?? '(none)'} → ${assignee}`);
        state.assignee = assignee;
      }
      if (affected_services && affected_services.join() !== state.affected_services.join()) {
        changes.push(`affected services → ${affected_services.join(', ')}`);
        state.affected_services = [...affected_services];
      }
      if (changes.length) {
        record(actor, 'edit', `Changed ${changes.join('; ')}`);
        esc?.sync();
        publish();
      }
      return state;
    },
    { validator: closedGuard },
  );

  function closedGuard(_update: unknown) {
    if (state.status === 'closed') throw conflict('incident is closed');
  }

  // Read after every handler is registered: updates arriving meanwhile are handled, then synced.
  if (escalating) {
    esc = new Escalation(state, await config.escalationConfig(), {
      record,
      publish,
      startGated: async (name, params, reason) => {
        await startRunbook('tourniquet', name, params, false, reason);
      },
    });
    if (state.escalation) esc.sync();
    else esc.open();
    publish();
  }

  const mustContinueAsNew = () =>
    wf.workflowInfo().historyLength >= historyLimit || wf.workflowInfo().continueAsNewSuggested;
  const woken = () => tellAlertGroup || state.status === 'closed' || mustContinueAsNew();
  for (;;) {
    if (esc) {
      // Sleep until the next milestone (a durable timer) or until something changes the plan.
      esc.replanned = false;
      const deadline = esc.nextDeadline();
      const wake = () => woken() || esc!.replanned;
      if (deadline === undefined) await wf.condition(wake);
      else await wf.condition(wake, Math.max(1, deadline - Date.now()));
      esc.tick();
      if (!woken()) continue;
    } else await wf.condition(woken);
    if (tellAlertGroup && input.alertGroupId) {
      tellAlertGroup = false;
      // The group may be gone (terminated by hand); then nobody is waiting, which is fine.
      await wf
        .getExternalWorkflowHandle(input.alertGroupId)
        .signal(incidentEndedSignal, { incidentId: state.id })
        .catch(() => undefined);
      continue;
    }
    await wf.condition(wf.allHandlersFinished);
    await esc?.drain();
    if (state.status === 'closed') return state;
    if (!tellAlertGroup)
      return await wf.continueAsNew<typeof incident>({ ...input, alerts: undefined, carried: state });
  }
}

function newIncident({ id, request, actor, alertGroupId }: IncidentInput): Incident {
  return {
    id,
    title: request.title,
    description: request.description,
    severity: request.severity,
    status: 'triggered',
    assignee: request.assignee,
    affected_services: [...request.affected_services],
    related_alerts: [...(request.related_alerts ?? [])],
    created_by: actor,
    // The execution's start, as visibility records it: lists can then stop reading early (api/newest-first.ts).
    created_at: wf.workflowInfo().startTime.toISOString(),
    alerts: [],
    runbooks: [],
    timeline: [],
    ...(alertGroupId ? { dedup_key: alertGroupId } : {}),
  };
}

/** Workflow time: deterministic, replay-safe. */
const nowIso = () => new Date().toISOString();
