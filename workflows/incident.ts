import * as wf from '@temporalio/workflow';
import { AlertEvent, DEFAULT_ALERT_POLICY } from '../domain/alerts';
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
  SA,
  transitionUpdate,
} from './definitions';

const DEFAULT_HISTORY_LIMIT = 8_000; // Temporal warns at 10k events; leave room for in-flight work.

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

  const record = (actor: string, kind: TimelineEntry['kind'], message: string, data?: TimelineEntry['data']) => {
    state.timeline.push({ at: nowIso(), actor, kind, message, ...(data ? { data } : {}) });
  };
  const conflict = (message: string) => wf.ApplicationFailure.create({ type: FailureType.conflict, message, nonRetryable: true });

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
    record(actor, 'status', `Status ${from} → ${to}` + (note ? `: ${note}` : ''), root_cause ? { root_cause } : undefined);
  }

  function receiveAlerts(events: AlertEvent[]) {
    const wasFiring = state.alerts.some((a) => a.status === 'firing');
    for (const e of events) {
      const actor = `alert:${e.source}`;
      const known = state.alerts.find((a) => a.fingerprint === e.fingerprint);
      if (e.action === 'trigger') {
        if (!known) {
          state.alerts.push({
            fingerprint: e.fingerprint, source: e.source, summary: e.summary, status: 'firing', count: 1,
            first_seen: e.received_at, last_seen: e.received_at, labels: e.labels, url: e.url,
          });
          if (!state.related_alerts.includes(e.fingerprint)) state.related_alerts.push(e.fingerprint);
          record(actor, 'alert', `Alert firing: ${e.summary}`, { fingerprint: e.fingerprint });
        } else {
          known.count++;
          known.last_seen = e.received_at;
          if (known.status === 'resolved') {
            known.status = 'firing';
            record(actor, 'alert', `Alert firing again: ${e.summary}`, { fingerprint: e.fingerprint, count: known.count });
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
        transition('tourniquet', 'resolved', 'all alerts cleared', 'All alerts cleared; resolved automatically by policy');
      } else {
        record('tourniquet', 'system', `All alerts cleared; a human resolves ${state.severity} incidents`);
      }
    }
    publish(state);
  }

  if (!input.carried) {
    record(input.actor, 'created', `Incident declared: ${state.title}`, { severity: state.severity });
    if (state.assignee) record(input.actor, 'edit', `Assigned to ${state.assignee}`);
    if (input.alerts) receiveAlerts(input.alerts);
  }
  publish(state);

  wf.setHandler(incidentQuery, () => state);
  wf.setHandler(alertsSignal, receiveAlerts);

  wf.setHandler(
    acknowledgeUpdate,
    ({ actor, assignee }) => {
      acknowledge(actor, assignee);
      publish(state);
      return state;
    },
    {
      validator: (_update) => {
        if (state.status !== 'triggered') throw conflict(`incident is already ${state.status}; only a triggered incident can be acknowledged`);
      },
    },
  );

  wf.setHandler(
    transitionUpdate,
    ({ actor, to, note, root_cause }) => {
      transition(actor, to, note, root_cause);
      publish(state);
      return state;
    },
    {
      validator: ({ to, root_cause }) => {
        const refusal = transitionRefusal(state.status, to, root_cause);
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
        publish(state);
      }
      return state;
    },
    { validator: closedGuard },
  );

  function closedGuard(_update: unknown) {
    if (state.status === 'closed') throw conflict('incident is closed');
  }

  const mustContinueAsNew = () => wf.workflowInfo().historyLength >= historyLimit || wf.workflowInfo().continueAsNewSuggested;
  for (;;) {
    await wf.condition(() => tellAlertGroup || state.status === 'closed' || mustContinueAsNew());
    if (tellAlertGroup && input.alertGroupId) {
      tellAlertGroup = false;
      // The group may be gone (terminated by hand); then nobody is waiting, which is fine.
      await wf.getExternalWorkflowHandle(input.alertGroupId).signal(incidentEndedSignal, { incidentId: state.id }).catch(() => undefined);
      continue;
    }
    await wf.condition(wf.allHandlersFinished);
    if (state.status === 'closed') return state;
    if (!tellAlertGroup) return await wf.continueAsNew<typeof incident>({ ...input, alerts: undefined, carried: state });
  }
}

function newIncident({ id, request, actor }: IncidentInput): Incident {
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
    created_at: nowIso(),
    alerts: [],
    timeline: [],
  };
}

/** Keep visibility in step with the record, so lists and filters come from Temporal alone. */
function publish(state: Incident): void {
  wf.upsertSearchAttributes([
    { key: SA.severity, value: state.severity },
    { key: SA.status, value: state.status },
    { key: SA.assignee, value: state.assignee ?? null },
    { key: SA.services, value: state.affected_services },
    { key: SA.acknowledgedAt, value: state.acknowledged_at ? new Date(state.acknowledged_at) : null },
    { key: SA.resolvedAt, value: state.resolved_at ? new Date(state.resolved_at) : null },
  ]);
  const memo: IncidentMemo = { title: state.title, created_at: state.created_at, resolved_at: state.resolved_at };
  wf.upsertMemo({ ...memo });
}

/** Workflow time: deterministic, replay-safe. */
const nowIso = () => new Date().toISOString();
