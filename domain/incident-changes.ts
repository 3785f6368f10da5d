/**
 * Pure decisions that change an incident record: acknowledging, moving through the
 * lifecycle, merging a batch of alerts. Deterministic, no I/O: the workflow calls them with
 * workflow time, and unit tests call them with any time.
 */
import type { AlertEvent, AlertPolicy } from './alerts';
import type { Incident } from './incident';
import { isActive, type Transition } from './lifecycle';
import { draftPostmortem } from './record';
import { addEntry } from './timeline';

export function acknowledgeIncident(i: Incident, actor: string, now: string, assignee?: string): void {
  i.status = 'acknowledged';
  i.acknowledged_at = now;
  i.assignee = assignee ?? actor;
  addEntry(i, now, { actor, kind: 'acknowledged', message: `Acknowledged; assigned to ${i.assignee}` });
}

/** Applies a transition the lifecycle allows (the caller checked `transitionRefusal`). */
export function applyTransition(i: Incident, { actor, to, note, root_cause }: Transition, now: string): void {
  const from = i.status;
  i.status = to;
  if (from === 'triggered') i.acknowledged_at ??= now; // working on it counts as acknowledging
  if (to === 'resolved') {
    i.resolved_at = now;
    i.root_cause = root_cause;
    i.mitigated_at ??= now;
  }
  if (to === 'mitigating') i.mitigated_at = undefined;
  if (to === 'investigating' && from === 'resolved') {
    i.resolved_at = undefined;
    i.mitigated_at = undefined;
  }
  if (to === 'closed') i.closed_at = now;
  // Drafted once from the record; a reopened incident keeps the draft it had.
  if (to === 'resolved') i.postmortem ??= draftPostmortem(i, now);
  const message = `Status ${from} → ${to}` + (note ? `: ${note}` : '');
  addEntry(i, now, { actor, kind: 'status', message, data: root_cause ? { root_cause } : undefined });
}

/**
 * Merges a batch of alert events into the incident: new and re-firing alerts, resolutions,
 * acknowledgements from the source. When the last firing alert clears, the policy decides:
 * resolve by itself, or say so for a human. Returns the transition it applied, if any.
 */
export function mergeAlerts(
  i: Incident,
  events: AlertEvent[],
  policy: AlertPolicy,
  now: string,
): Transition | undefined {
  const wasFiring = i.alerts.some((a) => a.status === 'firing');
  for (const e of events) mergeAlert(i, e, now);
  const allCleared = i.alerts.length > 0 && i.alerts.every((a) => a.status === 'resolved');
  if (!wasFiring || !allCleared || !isActive(i.status)) return undefined;
  if (!policy.autoResolve.includes(i.severity)) {
    const message = `All alerts cleared; a human resolves ${i.severity} incidents`;
    addEntry(i, now, { actor: 'tourniquet', kind: 'system', message });
    return undefined;
  }
  const t: Transition = {
    actor: 'tourniquet',
    to: 'resolved',
    note: 'all alerts cleared',
    root_cause: 'All alerts cleared; resolved automatically by policy',
  };
  applyTransition(i, t, now);
  return t;
}

function mergeAlert(i: Incident, e: AlertEvent, now: string): void {
  const actor = `alert:${e.source}`;
  const known = i.alerts.find((a) => a.fingerprint === e.fingerprint);
  const say = (message: string, data: Record<string, unknown>) =>
    addEntry(i, now, { actor, kind: 'alert', message, data });
  if (e.action === 'trigger' && !known) {
    const { fingerprint, source, summary, labels, url } = e;
    const at = e.received_at;
    i.alerts.push({
      fingerprint,
      source,
      summary,
      status: 'firing',
      count: 1,
      first_seen: at,
      last_seen: at,
      labels,
      url,
    });
    if (!i.related_alerts.includes(fingerprint)) i.related_alerts.push(fingerprint);
    say(`Alert firing: ${summary}`, { fingerprint });
  } else if (e.action === 'trigger' && known) {
    known.count++;
    known.last_seen = e.received_at;
    if (known.status === 'resolved') {
      known.status = 'firing';
      say(`Alert firing again: ${e.summary}`, { fingerprint: e.fingerprint, count: known.count });
    }
  } else if (e.action === 'resolve' && known?.status === 'firing') {
    known.status = 'resolved';
    known.last_seen = e.received_at;
    say(`Alert resolved: ${known.summary}`, { fingerprint: e.fingerprint });
  } else if (e.action === 'acknowledge' && i.status === 'triggered') {
    acknowledgeIncident(i, actor, now);
  }
}
