/**
 * The incident's messages: its query, alerts and runbook progress (signals), and the
 * lifecycle Updates (acknowledge, transition, note, edit, start a runbook). Every Update has
 * a validator, so an illegal change is refused before it reaches history.
 */
import * as wf from '@temporalio/workflow';
import { incidentView, timelinePageOf, updateResult } from '../../domain/incident-view';
import { transitionRefusal } from '../../domain/lifecycle';
import {
  acknowledgeUpdate,
  forwardedAlertsSignal,
  editUpdate,
  engineNoteSignal,
  incidentQuery,
  noteUpdate,
  pageDeliveredSignal,
  runbookProgressSignal,
  startRunbookUpdate,
  timelineQuery,
  transitionUpdate,
  type UpdateInput,
} from '../definitions';
import { conflict, notFound } from '../failures';
import { RUNBOOKS } from '../runbook-registry';
import { registerActionItemHandlers } from './action-items';
import { notClosed, refuseClose } from './guards';
import { registerRecordHandlers } from './record';
import { registerRoleHandlers } from './roles';
import { runbookProgress, startRunbook } from './runbooks';
import { pageDelivered } from './paging';
import type { IncidentState } from './state';
import { setKeyedUpdate } from '../request-keys';

/** Registers every handler; called before the workflow's first await, so no message finds none. */
export function registerHandlers(s: IncidentState): void {
  const i = s.incident;
  wf.setHandler(incidentQuery, () => incidentView(i));
  wf.setHandler(timelineQuery, ({ before, limit }) => timelinePageOf(i, before, limit));
  registerRecordHandlers(s);
  registerActionItemHandlers(s);
  registerRoleHandlers(s);

  wf.setHandler(forwardedAlertsSignal, (batch) => {
    const events = s.firstDelivery(batch);
    if (!events) return;
    s.receiveAlerts(events);
    s.changed();
  });
  wf.setHandler(runbookProgressSignal, (run) => runbookProgress(s, run));
  wf.setHandler(pageDeliveredSignal, (outcome) => pageDelivered(s, outcome));
  wf.setHandler(engineNoteSignal, ({ text }) => {
    s.record('tourniquet', 'system', text);
    s.changed();
  });

  setKeyedUpdate(
    s.keys,
    startRunbookUpdate,
    async ({ actor, name, params, dry_run }) => ({
      run_id: await startRunbook(s, { actor, name, params, dryRun: dry_run }),
    }),
    {
      validator: ({ name }: UpdateInput<typeof startRunbookUpdate>) => {
        notClosed(s);
        if (!Object.hasOwn(RUNBOOKS, name)) throw notFound(`no runbook named ${name}`);
      },
    },
  );

  setKeyedUpdate(
    s.keys,
    acknowledgeUpdate,
    ({ actor, assignee }) => {
      if (i.status === 'triggered') s.acknowledge(actor, assignee);
      else {
        // A handoff: the new assignee takes over an incident already being worked on.
        s.record(actor, 'acknowledged', `Handoff acknowledged by ${actor}`);
        s.esc?.handoffAcknowledged(actor);
      }
      s.changed();
      return updateResult(i);
    },
    {
      validator: ({ actor }) => {
        const handoffTo = i.escalation?.awaiting_ack;
        if (i.status !== 'triggered' && !handoffTo) {
          throw conflict(`incident is already ${i.status}; only a triggered incident can be acknowledged`);
        }
        // Only the new assignee takes a handoff (not an old link, not a colleague on their behalf).
        if (i.status !== 'triggered' && handoffTo !== actor)
          throw conflict(`the incident is handed off to ${handoffTo}; only ${handoffTo} can take it`);
      },
      again: () => updateResult(i),
    },
  );

  setKeyedUpdate(
    s.keys,
    transitionUpdate,
    (t) => {
      s.transition(t);
      s.changed();
      return updateResult(i);
    },
    {
      validator: ({ to, root_cause }: UpdateInput<typeof transitionUpdate>) => {
        const refusal =
          transitionRefusal(i.status, to, root_cause) ?? (to === 'closed' ? refuseClose(s) : undefined);
        if (refusal) throw conflict(refusal);
      },
      again: () => updateResult(i),
    },
  );

  // A note only adds to the timeline: nothing listed or planned changes.
  setKeyedUpdate(
    s.keys,
    noteUpdate,
    ({ actor, text }) => {
      s.record(actor, 'note', text);
      return updateResult(i);
    },
    { validator: (_update: unknown) => notClosed(s), again: () => updateResult(i) },
  );

  setKeyedUpdate(
    s.keys,
    editUpdate,
    ({ actor, severity, assignee, affected_services }) => {
      const changes: string[] = [];
      if (severity && severity !== i.severity) {
        changes.push(`severity ${i.severity} → ${severity}`);
        i.severity = severity;
      }
      if (assignee !== undefined && assignee !== i.assignee) {
        changes.push(`assignee ${i.assignee ?? '(none)'} → ${assignee}`);
        i.assignee = assignee;
      }
      if (affected_services && affected_services.join() !== i.affected_services.join()) {
        changes.push(`affected services → ${affected_services.join(', ')}`);
        i.affected_services = [...affected_services];
      }
      if (changes.length) {
        s.record(actor, 'edit', `Changed ${changes.join('; ')}`);
        s.changed();
      }
      return updateResult(i);
    },
    { validator: (_update: unknown) => notClosed(s), again: () => updateResult(i) },
  );
}
