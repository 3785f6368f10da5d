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
import { addEntry, type Entry } from '../../domain/timeline';
import type { IncidentInput } from '../definitions';
import { PATCH } from '../patches';
import type { Escalation } from './escalation';
import { Visibility } from './visibility';

const DEFAULT_HISTORY_LIMIT = 8_000; // Temporal warns at 10k events; leave room for in-flight work.

export class IncidentState {
  readonly incident: Incident;
  readonly historyLimit: number;
  readonly alertPolicy: AlertPolicy;
  /** Runs from before the metrics memo keep the memo (and the upserts) they had. */
  readonly richMemo: boolean;
  /** Milestones and escalation: incidents opened before they existed (and their continuations) go without. */
  readonly escalating: boolean;
  /** Set once the escalation config is read (absent on old incidents). */
  esc?: Escalation;
  /** Set when a deadline changed, so the main loop re-arms its timer (the loop clears it). */
  replanned = false;
  /** Set on resolution when an alert group waits to hear that this incident ended. */
  tellAlertGroup = false;
  private readonly visibility: Visibility;

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
    this.richMemo = wf.patched(PATCH.recordMemo);
    this.visibility = new Visibility(this.incident, this.richMemo);
    this.escalating = wf.patched(PATCH.escalation) && (!input.carried || !!input.carried.escalation);
  }

  /** Appends to the timeline. A timeline entry alone changes nothing listed or planned. */
  record(actor: string, kind: Entry['kind'], message: string, data?: Entry['data']): void {
    addEntry(this.incident, nowIso(), { actor, kind, message, data });
  }

  /** After every change to the record: re-plan milestones, then publish visibility if it changed. */
  changed(): void {
    this.esc?.sync();
    this.publish();
  }

  /** Visibility only, for changes the escalation made itself (its timers and pages). */
  publish(): void {
    this.visibility.publish();
  }

  acknowledge(actor: string, assignee?: string): void {
    acknowledgeIncident(this.incident, actor, nowIso(), assignee);
  }

  transition(t: Transition): void {
    applyTransition(this.incident, t, nowIso());
    this.afterTransition(t);
  }

  receiveAlerts(events: AlertEvent[]): void {
    const t = mergeAlerts(this.incident, events, this.alertPolicy, nowIso());
    if (t) this.afterTransition(t);
  }

  private afterTransition(t: Transition): void {
    if (t.to === 'resolved') this.tellAlertGroup = !!this.input.alertGroupId;
  }

  /** Time to continue as new: history is long, or the server suggests it. */
  mustContinueAsNew(): boolean {
    const info = wf.workflowInfo();
    return info.historyLength >= this.historyLimit || info.continueAsNewSuggested;
  }
}
