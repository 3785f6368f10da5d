/**
 * The incident's milestones and escalation, as workflow code: every deadline is a Temporal
 * timer (the incident's main loop sleeps until `nextDeadline()`), every page an activity
 * with its own idempotency key. A worker or server restart neither loses nor repeats a page.
 */
import * as wf from '@temporalio/workflow';
import type { NotifyActivities } from '../activities/notify';
import {
  dueAt,
  EscalationConfig,
  Milestone,
  NotificationKind,
  offHours,
  PageRecord,
  Paged,
  parseDuration,
  policyFor,
  resolveTargets,
  SeverityPolicy,
  Target,
  targetsNamed,
} from '../domain/escalation';
import type { Incident, TimelineEntry } from '../domain/incident';
import { buildNotification } from '../domain/notification';
import { hhmm } from '../domain/record';
import { nextBusinessStart } from '../domain/oncall';
import type { RunbookRunRecord } from '../domain/runbook';
import { Severity, severityRank } from '../domain/severity';
import { isActive as isWorkedOn } from '../domain/lifecycle';
import { RUNBOOKS } from './runbook-registry';

// A receiver that is down delays a page, it does not lose it: retry with backoff for a day.
const notifier = wf.proxyActivities<NotifyActivities>({
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: ['NotifierRefused', 'InvalidInput'],
  },
});

export interface EscalationHooks {
  record(actor: string, kind: TimelineEntry['kind'], message: string, data?: TimelineEntry['data']): void;
  publish(): void;
  /** Starts a runbook whose every mutating step waits for a human's approval. */
  startGated(name: string, params: Record<string, string>, reason: string): Promise<void>;
}

const MILESTONE_LABEL: Record<string, string> = {
  acknowledge: 'Acknowledge',
  mitigate: 'Mitigate',
  resolve: 'Resolve',
  update: 'Status update',
  handoff: 'Handoff acknowledgement',
};
const label = (m: Milestone) =>
  MILESTONE_LABEL[m.name] ??
  (m.name.startsWith('step:') ? `Runbook step ${m.name.slice(5)}` : `Runbook ${m.name.slice(8)}`);
const iso = (t: number) => new Date(t).toISOString();

export class Escalation {
  /** Set when the plan changed, so the main loop re-arms its timer (it clears it). */
  replanned = false;
  private readonly inflight = new Set<Promise<void>>();
  /** What the last sync saw, to tell what changed since. */
  private seen: { severity: Severity; assignee?: string; acked: boolean };

  constructor(
    private readonly state: Incident,
    private readonly cfg: EscalationConfig,
    private readonly hooks: EscalationHooks,
  ) {
    this.seen = { severity: state.severity, assignee: state.assignee, acked: !!state.acknowledged_at };
  }

  private get sp(): SeverityPolicy {
    return this.cfg.severities[this.state.severity];
  }
  private get esc() {
    return this.state.escalation!;
  }
  private get policy() {
    return policyFor(this.cfg, this.state.affected_services).policy;
  }

  /** A new incident: plan its milestones, page and notify as its severity says. */
  open(): void {
    this.state.milestones = [];
    this.state.pages = [];
    this.state.escalation = {
      policy: policyFor(this.cfg, this.state.affected_services).name,
      level: -1,
      round: 0,
      active: false,
    };
    this.plan();
    this.announce('opened');
  }

  /** Something outside changed a deadline (an action item): re-arm the timer. */
  replan(): void {
    this.replanned = true;
  }

  /** The earliest pending deadline (ms since epoch), or undefined when nothing waits. */
  nextDeadline(): number | undefined {
    if (!this.state.escalation) return undefined; // not opened yet
    const times = this.state
      .milestones!.filter((m) => m.status === 'pending')
      .map((m) => Date.parse(m.due_at));
    for (const a of this.state.action_items ?? [])
      if (a.next_reminder_at) times.push(Date.parse(a.next_reminder_at));
    if (this.esc.active && this.esc.next_at) times.push(Date.parse(this.esc.next_at));
    return times.length ? Math.min(...times) : undefined;
  }

  /** Handles everything due by now (workflow time). */
  tick(): void {
    if (!this.state.escalation) return; // not opened yet
    const now = Date.now();
    for (const m of this.state.milestones!) {
      if (m.status === 'pending' && Date.parse(m.due_at) <= now) this.missed(m, now);
    }
    if (this.esc.active && this.esc.next_at && Date.parse(this.esc.next_at) <= now) {
      this.escalate('no acknowledgement', 'walk', Date.parse(this.esc.next_at));
    }
    // Overdue action items: remind the owner at due, then every interval until done.
    for (const a of this.state.action_items ?? []) {
      if (!a.next_reminder_at || Date.parse(a.next_reminder_at) > now) continue;
      if (a.status === 'open' || a.status === 'in_progress') {
        a.reminders++;
        this.pageTargets(
          [{ person: a.owner }],
          `action item ${a.id} is due (${a.due}): ${a.title}`,
          `action-${a.id}-${a.reminders}`,
          Date.parse(a.next_reminder_at),
          'reminder',
        );
        a.next_reminder_at = iso(
          Date.parse(a.next_reminder_at) + this.cfg.action_item_reminder_seconds * 1000,
        );
      } else a.next_reminder_at = undefined;
    }
    this.hooks.publish();
  }

  /** Re-reads the incident after any change: met milestones, severity and assignee changes. */
  sync(): void {
    if (!this.state.escalation) return; // not opened yet
    const s = this.state;
    const now = Date.now();
    const meet = (name: string, at: string | undefined) => {
      const m = this.find(name);
      if (at && m?.status === 'pending') {
        m.status = 'met';
        m.at = at;
        this.replanned = true;
      }
    };
    meet('acknowledge', s.acknowledged_at);
    meet('mitigate', s.mitigated_at);
    meet('resolve', s.resolved_at);
    if (s.acknowledged_at && this.esc.active && !this.esc.awaiting_ack)
      this.stop(`acknowledged by ${s.assignee ?? 'a responder'}`);
    if (!isWorkedOn(s.status)) {
      for (const m of s.milestones!)
        if (m.status === 'pending' && (m.name === 'update' || m.name === 'handoff')) this.cancel(m, now);
      if (this.esc.active) this.stop(`incident ${s.status}`);
    }
    if (s.severity !== this.seen.severity) {
      const from = this.seen.severity;
      this.seen.severity = s.severity;
      this.plan();
      const upgraded = severityRank(s.severity) < severityRank(from); // SEV1 ranks first
      this.hooks.record(
        'tourniquet',
        'milestone',
        `Severity ${from} → ${s.severity}: milestones re-planned (${this.describePlan()})`,
      );
      if (upgraded) this.announce(`upgraded from ${from}`);
      else if (!this.sp.escalate && this.esc.active) this.stop(`${s.severity} does not page`);
    }
    // Reassigning an acknowledged incident hands it off: the new assignee must acknowledge too.
    if (s.assignee !== this.seen.assignee && s.assignee && this.seen.acked && isWorkedOn(s.status))
      this.handoff(s.assignee, now);
    this.seen.assignee = s.assignee;
    this.seen.acked = !!s.acknowledged_at;
  }

  /** The new assignee took the handoff. */
  handoffAcknowledged(actor: string): void {
    const m = this.find('handoff');
    if (m?.status === 'pending') {
      m.status = 'met';
      m.at = iso(Date.now());
    }
    this.esc.awaiting_ack = undefined;
    this.stop(`handoff acknowledged by ${actor}`);
    this.replanned = true;
  }

  /** A status update was posted: the next one is due a cadence from now. */
  statusUpdatePosted(): void {
    if (!this.state.escalation) return; // not opened yet
    const m = this.find('update');
    if (m && this.sp.update_every) {
      m.due_at = iso(Date.now() + this.sp.update_every * 1000);
      m.status = 'pending';
      this.replanned = true;
    }
  }

  /** Runbook progress: step and runbook ETAs become milestones; escalations page the runbook's target. */
  runbookProgress(run: RunbookRunRecord, before: RunbookRunRecord | undefined): void {
    if (!this.state.escalation) return; // not opened yet
    const meta = RUNBOOKS[run.name]?.meta;
    const target = meta?.escalation ?? 'incident_commander';
    const now = Date.now();
    const track = (name: string, dueMs: number | undefined, open: boolean) => {
      const m = this.find(name);
      if (open && !m && dueMs !== undefined) {
        this.state.milestones!.push({ name, due_at: iso(dueMs), status: 'pending', target });
        this.replanned = true;
      } else if (!open && m?.status === 'pending') {
        m.status = 'met';
        m.at = iso(now);
        this.replanned = true;
      }
    };
    const eta = parseDuration(meta?.eta);
    track(
      `runbook:${run.run_id}`,
      eta === undefined ? undefined : Date.parse(run.started_at) + eta * 1000,
      !run.finished_at,
    );
    for (const step of run.steps) {
      track(
        `step:${run.run_id}/${step.id}`,
        step.due_at ? Date.parse(step.due_at) : undefined,
        step.status === 'running' || step.status === 'waiting',
      );
    }
    if (run.finished_at && !before?.finished_at && (run.status === 'escalated' || run.status === 'failed')) {
      this.pageTargets(
        targetsNamed(this.cfg, target),
        `runbook ${run.name} ${run.status}: ${run.outcome}`,
        `rb-${run.run_id}`,
        now,
      );
    }
    for (const a of run.approvals) {
      if (a.escalated_at && !before?.approvals.find((x) => x.id === a.id)?.escalated_at) {
        this.pageTargets(
          targetsNamed(this.cfg, target),
          `approval for "${a.title}" undecided since ${hhmm(a.requested_at)}`,
          `approval-${run.run_id}-${a.id}`,
          Date.parse(a.escalates_at),
        );
      }
    }
    if (
      run.status === 'succeeded' &&
      run.finished_at &&
      !this.state.mitigated_at &&
      !run.steps.every((s) => s.dry_run || s.impact === 'read')
    ) {
      this.state.mitigated_at = run.finished_at;
      this.hooks.record('tourniquet', 'milestone', `Mitigated by runbook ${run.name}`);
      this.sync();
    }
  }

  /** Waits for pages in flight (before continue-as-new). */
  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  // ---- planning ----

  private find(name: string) {
    return this.state.milestones!.find((m) => m.name === name);
  }

  /** (Re)computes the severity milestones from when the incident opened; met ones stay met. */
  private plan(): void {
    const s = this.state;
    const opened = Date.parse(s.created_at);
    const set = (name: string, due: number | undefined, done: boolean) => {
      const m = this.find(name);
      if (m && m.status !== 'pending') return;
      if (due === undefined || done) {
        if (m) s.milestones!.splice(s.milestones!.indexOf(m), 1);
        return;
      }
      if (m) m.due_at = iso(due);
      else s.milestones!.push({ name, due_at: iso(due), status: 'pending' });
    };
    set('acknowledge', dueAt(this.cfg, opened, this.sp.acknowledge), !!s.acknowledged_at);
    set('mitigate', dueAt(this.cfg, opened, this.sp.mitigate), !!s.mitigated_at);
    set('resolve', dueAt(this.cfg, opened, this.sp.resolve), !!s.resolved_at);
    const lastUpdate = s.acknowledged_at ?? s.created_at;
    set(
      'update',
      this.sp.update_every ? Date.parse(lastUpdate) + this.sp.update_every * 1000 : undefined,
      !!s.resolved_at,
    );
    this.replanned = true;
  }

  private describePlan(): string {
    const pending = this.state.milestones!.filter((m) => m.status === 'pending' && !m.name.includes(':'));
    return pending.length ? pending.map((m) => `${m.name} by ${hhmm(m.due_at)}`).join(', ') : 'no milestones';
  }

  /** What a severity does when an incident opens or is upgraded to it. */
  private announce(why: string): void {
    const now = Date.now();
    const sp = this.sp;
    if (sp.page && this.state.status === 'triggered') {
      this.esc.active = true;
      this.escalate(`${this.state.severity} ${why}`, 'open', now, 0);
    }
    for (const role of sp.also_page)
      this.pageTargets(
        [{ role }],
        `${this.state.severity} ${why}: ${role.replace(/_/g, ' ')} needed`,
        `${this.state.severity}-role`,
        now,
      );
    for (const channel of sp.notify)
      this.send(
        'notify',
        { person: channel, via: 'channel' },
        `${this.state.severity} incident ${why}`,
        `${this.state.severity}-notify`,
        now,
      );
    if (why === 'opened') this.hooks.record('tourniquet', 'milestone', `Milestones: ${this.describePlan()}`);
  }

  // ---- escalating ----

  private missed(m: Milestone, now: number): void {
    const lateBy = `due ${hhmm(m.due_at)}`;
    if (m.name === 'update') {
      this.hooks.record('tourniquet', 'milestone', `Status update overdue (${lateBy})`);
      const who = this.state.assignee ? [{ person: this.state.assignee }] : this.levelTargets(0);
      this.pageTargets(
        who,
        'status update overdue: post one (the draft is ready)',
        `update-${m.due_at}`,
        Date.parse(m.due_at),
        'reminder',
      );
      m.due_at = iso(now + (this.sp.update_every ?? 3600) * 1000);
      this.replanned = true;
      return;
    }
    m.status = 'missed';
    m.at = iso(now);
    this.replanned = true;
    this.hooks.record('tourniquet', 'milestone', `${label(m)} milestone missed (${lateBy})`, {
      milestone: m.name,
    });
    if (m.target) {
      this.pageTargets(
        targetsNamed(this.cfg, m.target),
        `${label(m)} is past its ETA`,
        m.name,
        Date.parse(m.due_at),
      );
      return;
    }
    if (!this.sp.escalate) return;
    if (m.name === 'acknowledge' || m.name === 'handoff') this.esc.active = true;
    this.escalate(`${label(m).toLowerCase()} milestone missed`, m.name, Date.parse(m.due_at));
    if (m.name === 'mitigate') void this.offerStronger();
  }

  /** Pages the next level (or `level`); outside business hours a severity may hold pages until they begin. */
  private escalate(reason: string, cause: string, due: number, level = this.esc.level + 1): void {
    const now = Date.now();
    const policy = this.policy;
    if (!policy.levels.length) {
      this.hooks.record(
        'tourniquet',
        'milestone',
        `No escalation policy "${this.esc.policy}" is configured: nobody to page (${reason})`,
      );
      this.esc.active = false;
      return;
    }
    if (!this.sp.off_hours && offHours(this.cfg, now)) {
      const at = nextBusinessStart(this.cfg.business_hours, now);
      this.hooks.record(
        'tourniquet',
        'milestone',
        `${this.state.severity} does not page out of hours: paging at ${iso(at)} (${reason})`,
      );
      this.esc.active = true;
      this.esc.next_at = iso(at);
      this.replanned = true;
      return;
    }
    if (level >= policy.levels.length) {
      if (this.esc.round < policy.repeat) {
        this.esc.round++;
        level = 0;
      } else if (cause === 'walk') {
        this.hooks.record(
          'tourniquet',
          'milestone',
          `Escalation exhausted: nobody acknowledged after ${policy.repeat + 1} round(s) of policy ${this.esc.policy}`,
        );
        this.esc.active = false;
        return;
      } else level = policy.levels.length - 1;
    }
    this.esc.level = level;
    const people = this.pageTargets(
      policy.levels[level].targets,
      reason,
      `${cause}-L${level + 1}.${this.esc.round}`,
      due,
      'page',
      level,
    );
    if (!people.length)
      this.hooks.record(
        'tourniquet',
        'milestone',
        `Level ${level + 1} of ${this.esc.policy} has nobody on call`,
      );
    if (this.esc.active) this.esc.next_at = iso(now + policy.levels[level].timeout_seconds * 1000);
    this.replanned = true;
  }

  private levelTargets(level: number): Target[] {
    return this.policy.levels[level]?.targets ?? [];
  }

  private stop(why: string): void {
    if (!this.esc.active) return;
    this.esc.active = false;
    this.esc.next_at = undefined;
    this.hooks.record('tourniquet', 'milestone', `Escalation stopped: ${why}`);
    this.replanned = true;
  }

  private cancel(m: Milestone, now: number): void {
    m.status = 'cancelled';
    m.at = iso(now);
    this.replanned = true;
  }

  private handoff(assignee: string, now: number): void {
    const n = this.state.milestones!.filter((m) => m.name === 'handoff').length;
    const old = this.find('handoff');
    if (old?.status === 'pending') this.cancel(old, now);
    if (old) old.name = `handoff#${n}`;
    const ackSeconds =
      typeof this.sp.acknowledge === 'number'
        ? this.sp.acknowledge
        : (this.policy.levels[0]?.timeout_seconds ?? 900);
    this.state.milestones!.push({ name: 'handoff', due_at: iso(now + ackSeconds * 1000), status: 'pending' });
    this.esc.awaiting_ack = assignee;
    this.esc.level = -1;
    this.esc.round = 0;
    this.pageTargets(
      [{ person: assignee }],
      `reassigned to you: acknowledge within ${ackSeconds} s`,
      `handoff-${n}`,
      now,
    );
    this.replanned = true;
  }

  /** On a missed mitigate milestone: the runbook's stronger alternative, waiting for approval. */
  private async offerStronger(): Promise<void> {
    const run = [...this.state.runbooks].reverse().find((r) => RUNBOOKS[r.name]?.meta.stronger);
    const stronger = run && RUNBOOKS[run.name].meta.stronger!;
    if (
      !run ||
      !stronger ||
      this.state.runbooks.some(
        (r) => r.name === stronger.runbook && r.started_by === 'tourniquet' && r.started_at > run.started_at,
      )
    )
      return;
    const params = Object.fromEntries(
      Object.entries(stronger.params ?? {}).map(([k, v]) => [
        k,
        v.replace(/\{(\w+)\}/g, (_, p: string) => run.params[p] ?? ''),
      ]),
    );
    await this.hooks.startGated(
      stronger.runbook,
      { ...run.params, ...params },
      `mitigate milestone missed: ${run.name} did not mitigate in time; suggested instead of it`,
    );
  }

  // ---- sending ----

  private pageTargets(
    targets: Target[],
    reason: string,
    cause: string,
    due: number,
    kind: NotificationKind = 'page',
    level?: number,
  ): Paged[] {
    const people = resolveTargets(this.cfg, targets, Date.now());
    for (const p of people) this.send(kind, p, reason, cause, due, level);
    return people;
  }

  private send(
    kind: NotificationKind,
    to: Paged,
    reason: string,
    cause: string,
    due: number,
    level?: number,
  ): void {
    const key = `${this.state.id}/${cause}/${to.person}`;
    const pages = this.state.pages!;
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
    };
    pages.push(page);
    const what = kind === 'page' ? 'Paged' : kind === 'reminder' ? 'Reminded' : 'Notified';
    this.hooks.record(
      'tourniquet',
      'page',
      `${what} ${to.person} (${to.via}${level !== undefined ? `, level ${level + 1}` : ''}): ${reason}`,
      { key },
    );
    const whoToCall = this.whoToCall(level);
    const notification = buildNotification(this.state, page, this.cfg, whoToCall);
    for (const n of this.cfg.notifiers) {
      if (n.kinds && !n.kinds.includes(kind)) continue;
      if (kind === 'notify' && n.channels && !n.channels.includes(to.person)) continue;
      const p = notifier
        .deliverNotification({ notifier: n.name, notification })
        .then(({ delivered_at }) => {
          page.delivered_at ??= delivered_at;
        })
        .catch((err: unknown) => {
          page.error = `${n.name}: ${err instanceof wf.ActivityFailure && err.cause ? err.cause.message : String(err)}`;
          this.hooks.record(
            'tourniquet',
            'page',
            `Could not deliver to ${to.person} through ${n.name}: ${page.error}`,
            { key },
          );
        })
        .finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
  }

  /** "Who to call if stuck": the next level of the policy. */
  private whoToCall(level: number | undefined): string {
    const next = this.levelTargets((level ?? this.esc.level) + 1);
    const people = resolveTargets(this.cfg, next, Date.now()).map((p) => p.person);
    return people.length ? people.join(', ') : 'the incident commander';
  }
}
