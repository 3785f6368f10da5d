import { alertGroupInputProblem } from '../domain/workflow-inputs';
import { checkInput } from './failures';
import * as wf from '@temporalio/workflow';
import type { AlertEvent } from '../domain/alerts';
import { incidentId } from '../domain/incident';
import type { Activities, IncidentOpening } from '../activities';
import {
  AlertGroupInput,
  alertGroupQuery,
  alertsSignal,
  forwardedAlertsSignal,
  incidentEndedSignal,
} from './definitions';
import { openIncident, planOpening } from './alert-group-opening';
import { oldEnoughToContinue } from './continue-as-new';
import { generationPatch, PATCH } from './patches';

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
  checkInput('alertGroup', alertGroupInputProblem(input));
  const queue = new Backlog(input.pending ?? []);
  let open = input.openIncident;
  let ended: string | undefined; // an open incident that went away without being resolved
  const opened: string[] = open ? [open] : [];
  let signals = 0;
  // First, before any local activity (patches.ts): a run on #18's code has every earlier patch in force.
  const gen3 = generationPatch(input.generation, PATCH.groupGen3);
  const gen2 = gen3 || wf.patched(PATCH.groupGen2);
  const current = gen2 || wf.patched(PATCH.groupCurrent);
  // Runs from before bounded forwards replay the unbounded batches they sent.
  const bounded = current || wf.patched(PATCH.boundedForwards);
  // Also before any local activity: runs from before numbered forwards replay bare lists.
  const numbered = gen2 || wf.patched(PATCH.numberedForwards);
  let forwarded = input.forwarded ?? 0;

  wf.setHandler(alertsSignal, (events) => {
    signals++;
    queue.push(events);
  });
  wf.setHandler(incidentEndedSignal, ({ incidentId }) => {
    if (incidentId === open) open = undefined;
  });
  wf.setHandler(alertGroupQuery, () => ({ openIncident: open, incidents: opened }));

  const mustContinueAsNew = () => {
    const info = wf.workflowInfo();
    const long = info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? 8_000);
    const full = signals >= GROUP_LIMITS.signalsPerRun || info.historySize >= GROUP_LIMITS.historyBytes;
    return (long || (bounded && full)) && (!bounded || oldEnoughToContinue());
  };
  for (;;) {
    await wf.condition(() => queue.length > 0 || !open || (bounded && mustContinueAsNew()));
    if (bounded && mustContinueAsNew()) {
      await wf.condition(wf.allHandlersFinished);
      if (queue.bytes <= GROUP_LIMITS.carryBytes) {
        return await wf.continueAsNew<typeof alertGroup>({
          ...input,
          openIncident: open,
          pending: queue.take(Infinity, Infinity),
          ...(numbered ? { forwarded } : {}),
        });
      }
    }
    if (queue.length === 0) return; // the incident is resolved and nothing is pending
    // Catching up before continue-as-new (a storm keeps the queue long): bigger forwards.
    const size = bounded && mustContinueAsNew() ? GROUP_LIMITS.catchUp : GROUP_LIMITS.chunk;
    const batch = bounded ? queue.take(size.bytes, size.events) : queue.take(Infinity, Infinity);
    if (open) {
      try {
        const forward = numbered ? { forward: ++forwarded, events: batch } : batch;
        await wf.getExternalWorkflowHandle(open).signal(forwardedAlertsSignal, forward);
      } catch {
        // The incident is gone (failed, or terminated by an operator): open a new one for these alerts.
        ended = open;
        open = undefined;
        queue.putBack(batch);
      }
    } else if (batch.some((e) => e.action === 'trigger')) {
      const plan = planOpening(batch, current);
      const { number, run: config } = await numberIncident({ gen3, current }, plan.run?.service);
      const id = incidentId(number);
      await openIncident(input, id, batch, plan, { replaces: ended, config });
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
 * The new incident's number and — a third generation group, when it starts a run for
 * `runService` — that run's config, by the local activity (or, for groups from before, the
 * activity) that group's generation used.
 */
async function numberIncident(
  gen: { gen3: boolean; current: boolean },
  runService?: string,
): Promise<IncidentOpening> {
  if (gen.gen3) return local.incidentOpening(runService);
  const byLocal = gen.current || wf.patched(PATCH.localIdAllocation);
  return { number: byLocal ? await local.allocateIncidentNumber() : await allocateIncidentNumber() };
}

/**
 * Bounds on one alert group run: a forward (a signal, or the new incident's input) carries
 * at most `chunk` (bigger while catching up to continue as new); a run continues as new after `signalsPerRun` signals or `historyBytes`
 * of history, far below Temporal's per-run limits, carrying up to `carryBytes` of alerts not yet forwarded.
 */
export const GROUP_LIMITS = {
  chunk: { bytes: 256_000, events: 1_000 },
  /** While a run waits to continue as new: under Temporal's 2 MB per payload. */
  catchUp: { bytes: 1_500_000, events: 5_000 },
  signalsPerRun: 2_000,
  /** History bytes a run may reach (Temporal terminates a run at 50 MB; a webhook of 100 alerts is ~30 kB). */
  historyBytes: 8_000_000,
  carryBytes: 900_000,
};

/** Alerts received and not yet forwarded, with their sizes measured once, on arrival. */
class Backlog {
  private events: AlertEvent[] = [];
  private sizes: number[] = [];
  bytes = 0;

  constructor(initial: AlertEvent[]) {
    this.push(initial);
  }

  get length(): number {
    return this.events.length;
  }

  push(events: readonly AlertEvent[]): void {
    for (const e of events) {
      const size = JSON.stringify(e).length + 1;
      this.events.push(e);
      this.sizes.push(size);
      this.bytes += size;
    }
  }

  /** The oldest events that fit in `bytes` and `count` (at least one), removed from the backlog. */
  take(bytes: number, count: number): AlertEvent[] {
    let size = 0;
    let n = 0;
    while (n < this.events.length && n < count && (n === 0 || size + this.sizes[n] <= bytes))
      size += this.sizes[n++];
    this.sizes.splice(0, n);
    this.bytes -= size;
    return this.events.splice(0, n);
  }

  /** A forward that failed goes back to the front, in order. */
  putBack(events: AlertEvent[]): void {
    const sizes = events.map((e) => JSON.stringify(e).length + 1);
    this.events.unshift(...events);
    this.sizes.unshift(...sizes);
    this.bytes += sizes.reduce((a, b) => a + b, 0);
  }
}
