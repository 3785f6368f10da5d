import * as wf from '@temporalio/workflow';
import type { Incident, TimelineEntry } from '../domain/incident';
import { transitionRefusal } from '../domain/lifecycle';
import {
  acknowledgeUpdate,
  editUpdate,
  FailureType,
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

  const record = (actor: string, kind: TimelineEntry['kind'], message: string, data?: TimelineEntry['data']) => {
    state.timeline.push({ at: nowIso(), actor, kind, message, ...(data ? { data } : {}) });
  };
  const conflict = (message: string) => wf.ApplicationFailure.create({ type: FailureType.conflict, message, nonRetryable: true });

  if (!input.carried) {
    record(input.actor, 'created', `Incident declared: ${state.title}`, { severity: state.severity });
    if (state.assignee) record(input.actor, 'edit', `Assigned to ${state.assignee}`);
  }
  publish(state);

  wf.setHandler(incidentQuery, () => state);

  wf.setHandler(
    acknowledgeUpdate,
    ({ actor, assignee }) => {
      state.status = 'acknowledged';
      state.acknowledged_at = nowIso();
      state.assignee = assignee ?? actor;
      record(actor, 'acknowledged', `Acknowledged; assigned to ${state.assignee}`);
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
      const from = state.status;
      state.status = to;
      const now = nowIso();
      if (from === 'triggered') state.acknowledged_at ??= now; // working on it counts as acknowledging
      if (to === 'resolved') {
        state.resolved_at = now;
        state.root_cause = root_cause;
        state.mitigated_at ??= now;
      }
      if (to === 'mitigating') state.mitigated_at = undefined;
      if (to === 'investigating' && from === 'resolved') {
        state.resolved_at = undefined;
        state.mitigated_at = undefined;
      }
      if (to === 'closed') state.closed_at = now;
      record(actor, 'status', `Status ${from} → ${to}` + (note ? `: ${note}` : ''), root_cause ? { root_cause } : undefined);
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

  await wf.condition(
    () => state.status === 'closed' || wf.workflowInfo().historyLength >= historyLimit || wf.workflowInfo().continueAsNewSuggested,
  );
  await wf.condition(wf.allHandlersFinished);
  if (state.status === 'closed') return state;
  return await wf.continueAsNew<typeof incident>({ ...input, carried: state });
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

