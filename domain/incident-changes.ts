/**
 * Pure decisions that change an incident record: acknowledging, moving through the
 * lifecycle, merging a batch of alerts. Deterministic, no I/O: the workflow calls them with
 * workflow time, and unit tests call them with any time.
 */
import type { AlertEvent, AlertPolicy, AlertState } from './alerts';
import { AlertBook } from './alert-counts';
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
 * acknowledgements from the source. Counts stay exact however many arrive; details are
 * kept for a bounded set (alert-counts.ts); the timeline gets one entry per run of alike
 * events, so a storm of thousands says so in a line. Linear in the batch.
 * When the last firing alert clears, the policy decides: resolve by itself, or say so for
 * a human. Returns the transition it applied, if any.
 */
export function mergeAlerts(
  i: Incident,
  events: AlertEvent[],
  policy: AlertPolicy,
  now: string,
): Transition | undefined {
  const book = new AlertBook(i);
  const wasFiring = book.counts.firing > 0;
  const story = new AlertStory(i, now);
  for (const e of events) mergeAlert(i, book, story, e, now);
  story.flush();
  const c = book.counts;
  const allCleared = c.distinct > 0 && c.firing === 0;
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

function mergeAlert(i: Incident, book: AlertBook, story: AlertStory, e: AlertEvent, now: string): void {
  const c = book.counts;
  c.received++;
  const known = book.detail(e.fingerprint);
  const indexed = known ? undefined : book.indexed(e.fingerprint);
  const wasFiring = known ? known.status === 'firing' : indexed === 1;
  const seen = !!known || indexed !== undefined;
  if (known) {
    known.last_seen = e.received_at;
    if (e.action === 'trigger') known.count++;
  }
  if (e.action === 'trigger' && !seen) {
    const { fingerprint, source, summary, labels, url } = e;
    const at = e.received_at;
    book.add({
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
    story.tell('firing', e);
  } else if (e.action === 'trigger' && !wasFiring) {
    setStatus(book, e.fingerprint, known, 'firing');
    story.tell('again', e, known?.count);
  } else if (e.action === 'resolve' && seen && wasFiring) {
    setStatus(book, e.fingerprint, known, 'resolved');
    story.tell('resolved', e);
  } else if (e.action === 'acknowledge' && i.status === 'triggered') {
    story.flush();
    acknowledgeIncident(i, `alert:${e.source}`, now);
  }
}

function setStatus(
  book: AlertBook,
  fingerprint: string,
  known: AlertState | undefined,
  to: 'firing' | 'resolved',
) {
  const c = book.counts;
  if (known) known.status = to;
  else book.setIndexed(fingerprint, to === 'firing' ? 1 : 0);
  c.firing += to === 'firing' ? 1 : -1;
  c.resolved += to === 'firing' ? -1 : 1;
}

type Telling = 'firing' | 'again' | 'resolved';
const HEADLINE: Record<Telling, [one: string, many: string]> = {
  firing: ['Alert firing', 'alerts firing'],
  again: ['Alert firing again', 'alerts firing again'],
  resolved: ['Alert resolved', 'alerts resolved'],
};

/** The timeline's account of a batch: one entry per run of alike events, naming the first few. */
class AlertStory {
  private run: { kind: Telling; events: AlertEvent[]; count?: number } | undefined;

  constructor(
    private readonly i: Incident,
    private readonly now: string,
  ) {}

  tell(kind: Telling, e: AlertEvent, count?: number): void {
    if (this.run?.kind !== kind) {
      this.flush();
      this.run = { kind, events: [] };
    }
    this.run.events.push(e);
    this.run.count = count;
  }

  flush(): void {
    const run = this.run;
    this.run = undefined;
    if (!run) return;
    const [one, many] = HEADLINE[run.kind];
    const [first] = run.events;
    const actor = `alert:${first.source}`;
    if (run.events.length === 1) {
      const data = {
        fingerprint: first.fingerprint,
        ...(run.kind === 'again' && run.count ? { count: run.count } : {}),
      };
      addEntry(this.i, this.now, { actor, kind: 'alert', message: `${one}: ${first.summary}`, data });
      return;
    }
    const named = run.events.slice(0, 3).map((e) => e.summary.slice(0, 200));
    const more = run.events.length - named.length;
    const message = `${run.events.length} ${many}: ${named.join('; ')}${more ? `; and ${more} more` : ''}`;
    addEntry(this.i, this.now, { actor, kind: 'alert', message, data: { count: run.events.length } });
  }
}
