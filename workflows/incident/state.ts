/**
 * The incident workflow's state, one object: the record, its visibility and its escalation.
 * Handlers change the record through it and end with `changed()`, which re-plans milestones
 * and publishes visibility: "every change publishes" is one call, not a rule to remember.
 */
import * as wf from '@temporalio/workflow';
import { type AlertEvent, type AlertPolicy, DEFAULT_ALERT_POLICY } from '../../domain/alerts';
import { nowIso } from '../../domain/clock';
import { acknowledgeIncident, applyTransition, mergeAlerts } from '../../domain/incident-changes';
import { type Incident, newIncident } from '../../domain/incident';
import type { Transition } from '../../domain/lifecycle';
import { addEntry, type Entry, tailCount, TIMELINE, type TimelineArchive } from '../../domain/timeline';
import { type AlertForward, type IncidentInput, withdrawApprovalsSignal } from '../definitions';
import { MIN_RUN_MS, oldEnoughToContinue } from '../continue-as-new';
import { fromGeneration, generationPatch, PATCH } from '../patches';
import type { Escalation } from './escalation';
import type { IncidentChannel } from './slack-channel';
import { handoffOf, type SeenAssignment } from '../../domain/escalation';
import { Visibility } from './visibility';
import { Alarm } from './alarm';
import { RequestKeys } from '../request-keys';

const DEFAULT_HISTORY_LIMIT = 8_000; // Temporal warns at 10k events; leave room for in-flight work.
/**
 * Size budgets: the timeline part of the record (every other part has a cap of its own, so
 * the record stays under ~512 kB) and the run's history (Temporal terminates a run at 50 MB).
 */
const STATE_BYTES = { timeline: 192_000, history: 16_000_000 } as const;

export class IncidentState {
  readonly incident: Incident;
  readonly historyLimit: number;
  readonly alertPolicy: AlertPolicy;
  /** Runs from before the metrics memo keep the memo (and the upserts) they had. */
  readonly richMemo: boolean;
  /** A run on #18's code or later (PATCH.incidentCurrent): every earlier incident patch is in force. */
  readonly current: boolean;
  /** A run on the second generation (PATCH.incidentGen2): its first task publishes visibility once. */
  readonly gen2: boolean;
  /** The third (PATCH.incidentGen3): opening publishes once, and the deadline timer is kept while it holds. */
  readonly gen3: boolean;
  /** Started by generation 4 code (its input says so): deliveries go first by local activity. */
  readonly gen4: boolean;
  /** The deadline timer of a third generation run. */
  readonly alarm = new Alarm();
  /** While set (opening, before the escalation config is read), visibility waits: one write, not two. */
  holdPublishing = false;
  /** Status updates go to channels, external ones to the status page (PATCH.publishedUpdates). */
  readonly publishesUpdates: boolean;
  /** The communications lead is reminded of the next update (PATCH.updateReminders). */
  readonly remindsUpdates: boolean;
  /** External updates go to status page notifiers (PATCH.statusPageWebhooks). */
  readonly feedsStatusPages: boolean;
  /** Its Slack channel's topic is kept current (PATCH.channelTopic). */
  readonly followsTopic: boolean;
  /** Milestones and escalation: incidents opened before they existed (and their continuations) go without. */
  readonly escalating: boolean;
  /** Runs from before it continue as new whatever their age (they replay what they did). */
  private readonly minRunAge: boolean;
  /** Set once the escalation config is read (absent on old incidents). */
  esc?: Escalation;
  /** The incident's Slack channel, when the escalation config asks for one. */
  chat?: IncidentChannel;
  /**
   * Until then (a run's first moments): what the assignment was, and a handoff made
   * meanwhile, for the escalation to page once it exists.
   */
  readonly early: { seen: SeenAssignment; handoff?: string };
  /** Set when a deadline changed, so the main loop re-arms its timer (the loop clears it). */
  replanned = false;
  /** Set on resolution when an alert group waits to hear that this incident ended. */
  tellAlertGroup = false;
  private readonly visibility: Visibility;
  /** Recent Idempotency-Keys, carried over continue-as-new. */
  readonly keys: RequestKeys;
  /** The number of the last alert forward applied, carried over continue-as-new. */
  forwarded: number;

  constructor(readonly input: IncidentInput) {
    this.incident =
      input.carried ??
      // Created at the execution's start, as visibility records it: lists can stop reading early (api/newest-first.ts).
      newIncident(
        input.id,
        input.request,
        input.actor,
        wf.workflowInfo().startTime.toISOString(),
        input.alertGroupId,
      );
    this.historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    this.alertPolicy = input.alertPolicy ?? DEFAULT_ALERT_POLICY;
    // First: each generation implies every patch before it (patches.ts).
    this.gen4 = fromGeneration(input.generation, 4);
    this.gen3 = generationPatch(input.generation, PATCH.incidentGen3);
    this.gen2 = this.gen3 || wf.patched(PATCH.incidentGen2);
    this.current = this.gen2 || wf.patched(PATCH.incidentCurrent);
    this.richMemo = this.patched(PATCH.recordMemo);
    // Later than the first generation: those recorded before each replay without it.
    const since = (id: string) => this.gen2 || wf.patched(id);
    this.publishesUpdates = since(PATCH.publishedUpdates);
    this.remindsUpdates = since(PATCH.updateReminders);
    this.feedsStatusPages = since(PATCH.statusPageWebhooks);
    this.followsTopic = since(PATCH.channelTopic);
    this.visibility = new Visibility(this.incident, this.richMemo, (id) => this.patched(id), {
      published: this.publishesUpdates,
      internal: since(PATCH.internalStatus),
    });
    this.escalating = this.patched(PATCH.escalation) && (!input.carried || !!input.carried.escalation);
    this.minRunAge = this.patched(PATCH.minRunAge);
    this.keys = new RequestKeys(input.keys);
    this.forwarded = input.forwarded ?? 0;
    this.early = { seen: { assignee: this.incident.assignee, acked: !!this.incident.acknowledged_at } };
  }

  /** patched(), answered without a marker of its own in a run where PATCH.incidentCurrent holds. */
  patched(id: string): boolean {
    return this.current || wf.patched(id);
  }

  /** Appends to the timeline. A timeline entry alone changes nothing listed or planned. */
  record(actor: string, kind: Entry['kind'], message: string, data?: Entry['data']): void {
    addEntry(this.incident, nowIso(), { actor, kind, message, data });
  }

  /** After every change to the record: re-plan milestones, then publish visibility if it changed. */
  changed(): void {
    if (this.esc) this.esc.sync();
    else this.noteEarly();
    this.chat?.sync();
    this.publish();
  }

  private noteEarly(): void {
    const i = this.incident;
    this.early.handoff = handoffOf(this.early.seen, i) ?? this.early.handoff;
    this.early.seen = { assignee: i.assignee, acked: !!i.acknowledged_at };
  }

  /** Visibility only, for changes the escalation made itself (its timers and pages). */
  publish(): void {
    if (!this.holdPublishing) this.visibility.publish();
  }

  acknowledge(actor: string, assignee?: string): void {
    acknowledgeIncident(this.incident, actor, nowIso(), assignee);
  }

  transition(t: Transition): void {
    applyTransition(this.incident, t, nowIso());
    this.afterTransition(t);
  }

  /** The alerts of a forward not applied yet; undefined for a second delivery of one. */
  firstDelivery(batch: AlertEvent[] | AlertForward): AlertEvent[] | undefined {
    if (Array.isArray(batch)) return batch; // from a group that predates numbering
    if (batch.forward <= this.forwarded) return undefined;
    this.forwarded = batch.forward;
    return batch.events;
  }

  receiveAlerts(events: AlertEvent[]): void {
    const t = mergeAlerts(this.incident, events, this.alertPolicy, nowIso());
    if (t) this.afterTransition(t);
  }

  private afterTransition(t: Transition): void {
    if (t.to === 'resolved') this.tellAlertGroup = !!this.input.alertGroupId;
    if (t.to === 'resolved' || t.to === 'closed') this.withdrawApprovals(`the incident is ${t.to}`);
  }

  /**
   * Runs still waiting for a human — an approval, a manual step, the guard's pause — stop:
   * their approvals can no longer be granted (a link used later answers 409).
   */
  private withdrawApprovals(reason: string): void {
    const allWaiting = this.patched(PATCH.cancelWaitingRuns);
    const waiting = this.incident.runbooks.filter(
      (r) =>
        (r.status === 'running' || r.status === 'waiting') &&
        (r.approvals.some((a) => a.status === 'pending') ||
          (allWaiting && (r.status === 'waiting' || r.steps.some((st) => st.status === 'waiting')))),
    );
    if (!waiting.length || !this.patched(PATCH.withdrawOnResolve)) return;
    for (const run of waiting) {
      this.record(
        'tourniquet',
        'approval',
        `Stopped ${run.name} (${run.run_id}), which waited for a human: ${reason}`,
      );
      void wf
        .getExternalWorkflowHandle(run.run_id)
        .signal(withdrawApprovalsSignal, { reason })
        .catch(() => undefined);
    }
  }

  /** Time to continue as new: history is long, the server suggests it, or the record outgrew its budget. */
  mustContinueAsNew(): boolean {
    return this.continueDue() && (!this.minRunAge || oldEnoughToContinue());
  }

  /** Ms until this run may continue as new, when it is due to but younger than MIN_RUN_MS. */
  continueWait(): number | undefined {
    if (!this.minRunAge || !this.continueDue()) return undefined;
    const left = MIN_RUN_MS - (Date.now() - wf.workflowInfo().runStartTime.getTime());
    return left > 0 ? left : undefined;
  }

  private continueDue(): boolean {
    const info = wf.workflowInfo();
    const long = info.historyLength >= this.historyLimit || info.historySize >= STATE_BYTES.history;
    return long || info.continueAsNewSuggested || this.oversized();
  }

  /** The record for the next run: the newest timeline only; this run's history keeps the rest. */
  carryOver(): Incident {
    const i = this.incident;
    const keep = tailCount(i.timeline, TIMELINE.carryBytes);
    if (keep === i.timeline.length) return i;
    const offset = i.timeline_offset ?? 0;
    const archived: TimelineArchive = {
      run_id: wf.workflowInfo().runId,
      from: offset,
      to: offset + i.timeline.length,
    };
    return {
      ...i,
      timeline: i.timeline.slice(-keep),
      timeline_offset: offset + i.timeline.length - keep,
      timeline_archive: [...(i.timeline_archive ?? []), archived],
    };
  }

  /** Bytes of timeline[0 .. counted): a cache, extended as the timeline grows (it only grows within a run). */
  private timelineBytes = { counted: 0, bytes: 0 };

  /**
   * The timeline is the one part of the record without a cap; past its budget the run
   * continues as new, carrying only the newest entries. A pure function of the record (the
   * cache only saves work), because condition functions run a different number of times
   * live than in replay: anything they remember between calls would break determinism.
   */
  private oversized(): boolean {
    const t = this.incident.timeline;
    const c = this.timelineBytes;
    for (; c.counted < t.length; c.counted++) c.bytes += JSON.stringify(t[c.counted]).length + 1;
    return c.bytes > STATE_BYTES.timeline && tailCount(t, TIMELINE.carryBytes) < t.length;
  }
}
