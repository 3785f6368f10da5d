/**
 * One workflow per incident; the workflow id is the incident id. It is the incident's
 * store: every change comes as a message (handlers.ts, record.ts), is validated first, and
 * lands on the timeline. Shaped like Temporal's safe-message-handlers sample: the state
 * object owns the logic, this function registers every handler before its first await,
 * then only waits, sends what is due, and continues as new.
 */
import { incidentInputProblem } from '../../domain/workflow-inputs';
import { checkInput } from '../failures';
import * as wf from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { Incident } from '../../domain/incident';
import { type IncidentInput, incidentEndedSignal } from '../definitions';
import { Escalation } from './escalation';
import { registerHandlers } from './handlers';
import { startOpeningRunbook } from './runbooks';
import { IncidentState } from './state';
import { IncidentChannel } from './slack-channel';
import { PATCH } from '../patches';

// The worker's escalation config, read once per run and recorded in history. A run on #18's
// code reads it by a local activity: it calls no patched() after it (patches.ts says why that matters).
const reading = { startToCloseTimeout: '10 seconds', retry: { maximumInterval: '10 seconds' } } as const;
const config = wf.proxyActivities<Pick<Activities, 'escalationConfig'>>(reading);
const local = wf.proxyLocalActivities<Pick<Activities, 'escalationConfig'>>(reading);

export async function incident(input: IncidentInput): Promise<Incident> {
  checkInput('incident', incidentInputProblem(input));
  const s = new IncidentState(input);
  registerHandlers(s);
  // Published once the config is read, in the same task: one visibility write (a second
  // generation run; from the third, opening's own changes are held for it too).
  s.holdPublishing = s.gen3 && s.escalating;
  if (!input.carried) await open(s);
  if (!(s.gen2 && s.escalating)) s.publish();
  // Read after every handler is registered: updates arriving meanwhile are handled, then synced.
  if (s.escalating) {
    const cfg = await (s.current ? local : config).escalationConfig();
    s.esc = new Escalation(s, cfg);
    s.chat = IncidentChannel.for(s, cfg);
    if (s.incident.escalation) {
      s.esc.sync();
      s.esc.resendUndelivered();
    } else s.esc.open();
    // Reassigned before the config was read: the new assignee is paged now.
    if (s.early.handoff && s.patched(PATCH.earlyHandoff)) s.esc.handoffBeforeConfig(s.early.handoff);
    s.chat?.sync();
    s.holdPublishing = false;
    s.publish();
  }
  for (;;) {
    await sleepUntilDue(s);
    if (s.tellAlertGroup && input.alertGroupId) {
      s.tellAlertGroup = false;
      // The group may be gone (terminated by hand); then nobody is waiting, which is fine.
      await wf
        .getExternalWorkflowHandle(input.alertGroupId)
        .signal(incidentEndedSignal, { incidentId: s.incident.id })
        .catch(() => undefined);
      continue;
    }
    await wf.condition(wf.allHandlersFinished);
    await s.esc?.drain();
    await s.chat?.drain();
    if (s.incident.status === 'closed') return s.carryOver(); // the result too stays far under 2 MB
    if (!s.tellAlertGroup)
      return await wf.continueAsNew<typeof incident>({
        ...input,
        alerts: undefined,
        carried: s.carryOver(),
        keys: s.keys.book,
        ...(s.forwarded ? { forwarded: s.forwarded } : {}),
      });
  }
}

/** A new incident: its first timeline entries and alerts, then the runbook they call for. */
async function open(s: IncidentState): Promise<void> {
  const { actor, alerts } = s.input;
  s.record(actor, 'created', `Incident declared: ${s.incident.title}`, { severity: s.incident.severity });
  if (s.incident.assignee) s.record(actor, 'edit', `Assigned to ${s.incident.assignee}`);
  if (s.input.replaces)
    s.record(
      'tourniquet',
      'system',
      `Opened in place of ${s.input.replaces}, which ended while it was open (see GET /api/v1/engine/health); later alerts for its group come here`,
      { replaces: s.input.replaces },
    );
  if (alerts) {
    s.receiveAlerts(alerts);
    s.changed();
  }
  await startOpeningRunbook(s);
}

/**
 * Sleeps until something needs the loop: the alert group must hear of a resolution, the
 * incident closed, history is long. With escalation, milestones wake it too: sleep until the
 * next deadline (a durable timer) or until something changes the plan, then send what is due.
 */
async function sleepUntilDue(s: IncidentState): Promise<void> {
  const woken = () => s.tellAlertGroup || s.incident.status === 'closed' || s.mustContinueAsNew();
  const esc = s.esc;
  for (;;) {
    s.replanned = false;
    // A run due to continue as new but too young for it sleeps until it is old enough.
    const young = s.continueWait();
    const until = [esc?.nextDeadline(), young === undefined ? undefined : Date.now() + young];
    const due = until.filter((t): t is number => t !== undefined);
    const wake = () =>
      woken() || (!!esc && s.replanned) || (young === undefined && s.continueWait() !== undefined);
    if (s.gen3) await s.alarm.until(due.length ? Math.min(...due) : undefined, wake);
    else if (due.length === 0) await wf.condition(wake);
    else await wf.condition(wake, Math.max(1, Math.min(...due) - Date.now()));
    esc?.tick();
    if (woken()) return;
  }
}
