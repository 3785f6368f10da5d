import * as wf from '@temporalio/workflow';
import type { AlertEvent } from '../domain/alerts';
import { incidentId } from '../domain/incident';
import { SEVERITIES, Severity } from '../domain/severity';
import type { Activities } from '../activities';
import {
  AlertGroupInput,
  alertGroupQuery,
  alertsSignal,
  incidentEndedSignal,
  NewIncident,
} from './definitions';
import { incident } from './incident';
import { PATCH } from './patches';

// Allocation only hands out a number: retrying it forever is harmless, and an alert must
// never be dropped because Temporal was briefly busy.
const allocation = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
} as const;
const { allocateIncidentNumber } = wf.proxyActivities<Activities>(allocation);
// A local activity runs inside the alert group's own workflow task: two fewer round trips
// through the task queue for every new incident, which matters most in a storm of new keys.
const local = wf.proxyLocalActivities<Activities>(allocation);

/**
 * One workflow per (alert source, dedup key), started by signal-with-start, so two
 * concurrent first alerts can never open two incidents. It opens the incident (which keeps
 * its own INC- id), forwards later alerts to it, and ends once that incident is resolved;
 * the next alert for the key then starts a new run and a new incident.
 */
export async function alertGroup(input: AlertGroupInput): Promise<void> {
  const queue: AlertEvent[] = [...(input.pending ?? [])];
  let open = input.openIncident;
  const opened: string[] = open ? [open] : [];
  let signals = 0;
  // Runs from before bounded forwards replay the unbounded batches they sent.
  const bounded = wf.patched(PATCH.boundedForwards);

  wf.setHandler(alertsSignal, (events) => {
    signals++;
    for (const e of events) queue.push(e);
  });
  wf.setHandler(incidentEndedSignal, ({ incidentId }) => {
    if (incidentId === open) open = undefined;
  });
  wf.setHandler(alertGroupQuery, () => ({ openIncident: open, incidents: opened }));

  const mustContinueAsNew = () => {
    const info = wf.workflowInfo();
    const long = info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? 8_000);
    return long || (bounded && signals >= GROUP_LIMITS.signalsPerRun);
  };
  for (;;) {
    await wf.condition(() => queue.length > 0 || !open || (bounded && mustContinueAsNew()));
    if (bounded && mustContinueAsNew()) {
      await wf.condition(wf.allHandlersFinished);
      const pending = chunk(queue, GROUP_LIMITS.carryBytes, Infinity);
      if (pending.length === queue.length) {
        return await wf.continueAsNew<typeof alertGroup>({ ...input, openIncident: open, pending });
      }
    }
    if (queue.length === 0) return; // the incident is resolved and nothing is pending
    const batch = bounded ? queue.splice(0, chunk(queue).length) : queue.splice(0);
    if (open) {
      try {
        await wf.getExternalWorkflowHandle(open).signal(alertsSignal, batch);
      } catch {
        // The incident is gone (e.g. terminated by an operator): open a new one for these alerts.
        open = undefined;
        queue.unshift(...batch);
      }
    } else if (batch.some((e) => e.action === 'trigger')) {
      const id = incidentId(
        wf.patched(PATCH.localIdAllocation)
          ? await local.allocateIncidentNumber()
          : await allocateIncidentNumber(),
      );
      await wf.startChild(incident, {
        workflowId: id,
        taskQueue: input.taskQueue,
        parentClosePolicy: 'ABANDON', // the incident outlives this group
        args: [
          {
            id,
            request: incidentFromAlerts(batch),
            actor: `alert:${input.source}`,
            alertGroupId: wf.workflowInfo().workflowId,
            alerts: batch,
            alertPolicy: input.alertPolicy,
            historyLimit: input.historyLimit,
          },
        ],
      });
      open = id;
      opened.push(id);
    } // resolve/acknowledge for a key with no open incident: nothing to do

    if (!bounded && mustContinueAsNew()) {
      await wf.condition(wf.allHandlersFinished);
      if (queue.length === 0)
        return await wf.continueAsNew<typeof alertGroup>({ ...input, openIncident: open });
    }
  }
}

/**
 * Bounds on one alert group run: a forward (a signal, or the new incident's input) carries
 * at most `chunkBytes`; a run continues as new after `signalsPerRun` signals, far below
 * Temporal's per-run signal limit, carrying up to `carryBytes` of alerts not yet forwarded.
 */
export const GROUP_LIMITS = {
  chunkBytes: 256_000,
  chunkEvents: 1_000,
  signalsPerRun: 2_000,
  carryBytes: 512_000,
};

/** The first events of `queue` that fit in `bytes` (at least one). */
function chunk(
  queue: readonly AlertEvent[],
  bytes = GROUP_LIMITS.chunkBytes,
  events = GROUP_LIMITS.chunkEvents,
) {
  let size = 0;
  let n = 0;
  for (; n < queue.length && n < events; n++) {
    size += JSON.stringify(queue[n]).length + 1;
    if (size > bytes && n > 0) break;
  }
  return queue.slice(0, n);
}

function incidentFromAlerts(batch: AlertEvent[]): NewIncident {
  const firing = batch.filter((e) => e.action === 'trigger');
  const first = firing[0];
  const severity = SEVERITIES.find((s: Severity) => firing.some((e) => e.severity === s)) ?? first.severity;
  const labels = Object.entries(first.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return {
    title: first.summary,
    description: `Opened by ${first.source} alert (dedup key ${first.dedup_key}).${labels ? ` Labels: ${labels}.` : ''}`,
    severity,
    affected_services: [...new Set(firing.flatMap((e) => e.services))].slice(0, 20),
    related_alerts: [],
  };
}
