/**
 * Sending pages, reminders and notifications: each one recorded on the incident with its
 * idempotency key before the activity runs (the same escalation step never pages the same
 * person twice), delivered by every notifier that takes its kind.
 */
import { PAGE_RECORDS } from '../../domain/limits';
import * as wf from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { iso } from '../../domain/clock';
import {
  type EscalationConfig,
  type NotificationKind,
  notifierCarries,
  offHours,
  type PageRecord,
  type Paged,
  resolveTargets,
  type Target,
} from '../../domain/escalation';
import { buildNotification } from '../../domain/notification';
import { PATCH } from '../patches';
import { errorMessage } from '../failures';
import type { PageDelivered } from '../definitions';
import type { IncidentState } from './state';
import { notifier, pageDelivery, pageDeliveryId, quickNotifier, refused } from '../page-delivery';
import { isBudgeted, offHoursCounts, overBudgetReason } from './page-budget';

export interface Page {
  kind: NotificationKind;
  reason: string;
  /** Names the escalation step; with the person it makes the idempotency key. */
  cause: string;
  /** The deadline that caused it (ms). */
  due: number;
  /** The policy level paged, if any. */
  level?: number;
}

/** A delivery workflow's outcome (it may have been started by an earlier run of the incident). */
export function pageDelivered(
  s: IncidentState,
  { key, notifier: name, delivered_at, error }: PageDelivered,
): void {
  const page = s.incident.pages?.find((p) => p.key === key);
  if (!page) return;
  if (delivered_at) page.delivered_at ??= delivered_at;
  else if (error) deliveryFailed(s, page, name, error);
}

function deliveryFailed(s: IncidentState, page: PageRecord, notifierName: string, why: string): void {
  page.error = `${notifierName}: ${why}`;
  const message = `Could not deliver to ${page.to} through ${notifierName}: ${page.error}`;
  s.record('tourniquet', 'page', message, { key: page.key });
}

/** Keeps `p` in `set` until it settles. */
function track(set: Set<Promise<void>>, p: Promise<void>): void {
  const tracked = p.finally(() => set.delete(tracked));
  set.add(tracked);
}

export class Pager {
  /** Deliveries by activity, in flight. */
  private readonly inflight = new Set<Promise<void>>();
  /** Delivery workflows being started (continue-as-new waits for these, never for deliveries). */
  private readonly starting = new Set<Promise<void>>();
  private readonly byWorkflow: boolean;

  constructor(
    private readonly s: IncidentState,
    private readonly cfg: EscalationConfig,
    /** "Who to call if stuck" for a page at `level`: the people of the next level. */
    private readonly nextLevel: (level: number | undefined) => Target[],
  ) {
    this.byWorkflow = s.patched(PATCH.deliveryWorkflows);
  }

  /** Pages everyone `targets` resolves to now; returns who that was. */
  pageTargets(targets: Target[], page: Page): Paged[] {
    const held = this.s.incident.roles ?? {};
    const holders: Paged[] = targets.flatMap((t) => {
      if (!('incident_role' in t)) return [];
      const h = held[t.incident_role];
      return h ? [{ person: h.person, via: `incident role ${t.incident_role}` }] : [];
    });
    const people = [...holders, ...resolveTargets(this.cfg, targets, Date.now())].filter(
      (p, n, all) => all.findIndex((q) => q.person === p.person) === n,
    );
    if (isBudgeted(this.s, this.cfg, page)) track(this.starting, this.withinBudget(people, page));
    else for (const p of people) this.send(p, page);
    return people;
  }

  /** Pages each person still within the page budget; pages for one past it go to the next level. */
  private async withinBudget(people: Paged[], page: Page): Promise<void> {
    const counts = await offHoursCounts(this.s, this.cfg, people).catch(() => new Map<string, number>());
    for (const p of people) {
      const n = counts.get(p.person) ?? 0;
      if (n < this.cfg.page_budget!.off_hours_pages) {
        this.send(p, page);
        continue;
      }
      const why = overBudgetReason(this.cfg, p.person, n);
      const next = resolveTargets(this.cfg, this.nextLevel(page.level), Date.now()).filter(
        (q) => q.person !== p.person,
      );
      if (!next.length) {
        this.s.record('tourniquet', 'page', `${why}, but the next level has nobody else: paging anyway`);
        this.send(p, page);
        continue;
      }
      this.s.record('tourniquet', 'page', `${why}: this page goes to level ${page.level! + 2} instead`);
      const diverted = { ...page, reason: `${page.reason} — instead of ${why}`, level: page.level! + 1 };
      for (const q of next) this.send(q, diverted, p.person);
    }
    this.s.publish(); // sent after the task that escalated: the page log in the memo
  }

  send(to: Paged, { kind, reason, cause, due, level }: Page, divertedFrom?: string): void {
    const i = this.s.incident;
    const key = `${i.id}/${cause}/${to.person}`;
    const pages = i.pages!;
    if (pages.some((p) => p.key === key)) return; // this step already paged this person
    const now = Date.now();
    const page: PageRecord = {
      key,
      kind,
      to: to.person,
      via: to.via,
      reason,
      level,
      due_at: iso(due),
      sent_at: iso(now),
      off_hours: offHours(this.cfg, now),
      ...(divertedFrom ? { diverted_from: divertedFrom } : {}),
    };
    pages.push(page);
    this.forgetSettled(pages);
    const what = kind === 'page' ? 'Paged' : kind === 'reminder' ? 'Reminded' : 'Notified';
    const at = `${to.via}${level !== undefined ? `, level ${level + 1}` : ''}`;
    this.s.record('tourniquet', 'page', `${what} ${to.person} (${at}): ${reason}`, { key });
    this.dispatch(page);
    if (kind === 'page') this.s.chat?.invite(to.person);
  }

  /** Past PAGE_RECORDS, the oldest delivered or refused pages go (counted); pages in flight stay. */
  private forgetSettled(pages: PageRecord[]): void {
    while (pages.length > PAGE_RECORDS) {
      const settled = pages.findIndex((p) => p.delivered_at || p.error);
      if (settled < 0) return;
      pages.splice(settled, 1);
      this.s.incident.pages_omitted = (this.s.incident.pages_omitted ?? 0) + 1;
    }
  }

  /**
   * A new run: pages the previous one sent but had not heard back about are delivered
   * again under the same idempotency key (continue-as-new does not wait for deliveries,
   * which retry for up to a day while a receiver is down).
   */
  resendUndelivered(): void {
    for (const page of this.s.incident.pages ?? [])
      if (!page.delivered_at && !page.error) this.dispatch(page);
  }

  /** Waits for deliveries in flight (before continue-as-new, in runs from before pages were carried). */
  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  /** Waits for delivery workflows being started and page budgets being checked (before continue-as-new: the workflows outlive this run). */
  async started(): Promise<void> {
    while (this.starting.size) await Promise.all([...this.starting]);
  }

  /**
   * Delivers a recorded page through every notifier that takes its kind (and channel). Slack
   * ignores Idempotency-Key, so its messages go through a delivery workflow keyed by the page
   * (never started twice); webhooks deduplicate by the header and the log does not mind.
   */
  private dispatch(page: PageRecord): void {
    const notification = buildNotification(this.s.incident, page, this.cfg, this.whoToCall(page.level));
    for (const n of this.cfg.notifiers) {
      if (!notifierCarries(n, page.kind, page.to)) continue;
      if (this.byWorkflow && n.type === 'slack')
        track(this.starting, this.startDelivery(n.name, notification));
      else track(this.inflight, this.deliver(n.name, page, notification));
    }
  }

  /** Starts the delivery workflow; one already started for this key (by an earlier run) is left to finish. */
  private async startDelivery(notifierName: string, notification: ReturnType<typeof buildNotification>) {
    await wf
      .startChild(pageDelivery, {
        workflowId: pageDeliveryId(notifierName, notification.idempotency_key),
        args: [{ incidentId: this.s.incident.id, notifier: notifierName, notification }],
        parentClosePolicy: wf.ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: wf.WorkflowIdReusePolicy.REJECT_DUPLICATE,
      })
      .catch((err) => {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      });
  }

  private async deliver(
    notifierName: string,
    page: PageRecord,
    notification: ReturnType<typeof buildNotification>,
  ) {
    try {
      const { delivered_at } = await this.sendNotification({ notifier: notifierName, notification });
      page.delivered_at ??= delivered_at;
    } catch (err) {
      deliveryFailed(this.s, page, notifierName, errorMessage(err));
    }
  }

  /** By local activity first (generation 4), then, unless refused, by activity with retries for a day. */
  private async sendNotification(args: Parameters<typeof notifier.deliverNotification>[0]) {
    if (!this.s.gen4) return notifier.deliverNotification(args);
    try {
      return await quickNotifier.deliverNotification(args);
    } catch (err) {
      if (refused(err)) throw err;
      return notifier.deliverNotification(args);
    }
  }

  private whoToCall(level: number | undefined): string {
    const people = resolveTargets(this.cfg, this.nextLevel(level), Date.now()).map((p) => p.person);
    return people.length ? people.join(', ') : 'the incident commander';
  }
}
