/**
 * The incident's milestones and escalation, as workflow code: every deadline is a Temporal
 * timer (the main loop sleeps until `nextDeadline()`), every page an activity with its own
 * idempotency key (paging.ts). A worker or server restart neither loses nor repeats a page.
 */
import { iso } from '../../domain/clock';
import {
  type EscalationConfig,
  handoffOf,
  type Milestone,
  policyFor,
  type SeenAssignment,
  type SeverityPolicy,
  targetsNamed,
} from '../../domain/escalation';
import { isActive as isWorkedOn } from '../../domain/lifecycle';
import { describePlan, milestoneLabel, planSeverityMilestones } from '../../domain/milestones';
import { hhmm } from '../../domain/record';
import type { RunbookRunRecord } from '../../domain/runbook';
import { type Severity, severityRank } from '../../domain/severity';
import { PATCH } from '../patches';
import { Pager } from './paging';
import { sendStatusUpdate, type PostedUpdate } from './status-updates';
import { remind, reminderTimes } from './reminders';
import { trackRunbook } from './runbook-milestones';
import { PolicyWalk } from './walk';
import { offerStronger } from './stronger';
import type { IncidentState } from './state';

export class Escalation {
  /** Sends and records pages (incident roles page their new holder through it). */
  readonly pager: Pager;
  private readonly walk: PolicyWalk;
  /** Stronger runbooks being started; drained before continue-as-new. */
  private readonly offers = new Set<Promise<void>>();
  /** What the last sync saw, to tell what changed since. */
  private seen: SeenAssignment & { severity: Severity };

  constructor(
    private readonly s: IncidentState,
    private readonly cfg: EscalationConfig,
  ) {
    const i = s.incident;
    this.seen = { severity: i.severity, assignee: i.assignee, acked: !!i.acknowledged_at };
    this.pager = new Pager(s, cfg, (level) => this.walk.levelTargets((level ?? this.esc.level) + 1));
    this.walk = new PolicyWalk(s, cfg, this.pager);
  }

  private get i() {
    return this.s.incident;
  }
  private get sp(): SeverityPolicy {
    return this.cfg.severities[this.i.severity];
  }
  private get esc() {
    return this.i.escalation!;
  }
  private get milestones() {
    return this.i.milestones!;
  }

  /** A new incident: plan its milestones, page and notify as its severity says. */
  open(): void {
    this.i.milestones = [];
    this.i.pages = [];
    const policy = policyFor(this.cfg, this.i.affected_services).name;
    this.i.escalation = { policy, level: -1, round: 0, active: false };
    this.plan();
    this.walk.announce('opened');
  }

  /** The earliest pending deadline (ms since epoch), or undefined when nothing waits. */
  nextDeadline(): number | undefined {
    if (!this.i.escalation) return undefined; // not opened yet
    const times = this.milestones.filter((m) => m.status === 'pending').map((m) => Date.parse(m.due_at));
    times.push(...reminderTimes(this.s, this.cfg));
    if (this.esc.active && this.esc.next_at) times.push(Date.parse(this.esc.next_at));
    return times.length ? Math.min(...times) : undefined;
  }

  /** Handles everything due by now (workflow time). */
  tick(): void {
    if (!this.i.escalation) return; // not opened yet
    const now = Date.now();
    for (const m of this.milestones) {
      if (m.status === 'pending' && Date.parse(m.due_at) <= now) this.missed(m, now);
    }
    if (this.esc.active && this.esc.next_at && Date.parse(this.esc.next_at) <= now) {
      this.walk.escalate('no acknowledgement', 'walk', Date.parse(this.esc.next_at));
    }
    remind(this.s, this.cfg, this.pager, now);
    this.s.publish();
  }

  /** Re-reads the incident after any change: met milestones, severity and assignee changes. */
  sync(): void {
    if (!this.i.escalation) return; // not opened yet
    const i = this.i;
    const now = Date.now();
    this.meet('acknowledge', i.acknowledged_at);
    this.meet('mitigate', i.mitigated_at);
    this.meet('resolve', i.resolved_at);
    this.meet('commander', i.roles?.commander?.since);
    if (i.acknowledged_at && this.esc.active && !this.esc.awaiting_ack) {
      this.walk.stop(`acknowledged by ${i.assignee ?? 'a responder'}`);
    }
    if (!isWorkedOn(i.status)) {
      for (const m of this.milestones) {
        if (m.status === 'pending' && (m.name === 'update' || m.name === 'handoff')) this.walk.cancel(m, now);
      }
      if (this.esc.active) this.walk.stop(`incident ${i.status}`);
    }
    if (i.severity !== this.seen.severity) this.severityChanged(this.seen.severity);
    // Reassigning an acknowledged incident hands it off: the new assignee must acknowledge too.
    const to = handoffOf(this.seen, i);
    if (to) this.walk.handoff(to, now);
    this.seen.assignee = i.assignee;
    this.seen.acked = !!i.acknowledged_at;
  }

  /** A handoff made before this run had read its config (the first moments of an incident). */
  handoffBeforeConfig(assignee: string): void {
    if (this.i.assignee === assignee && isWorkedOn(this.i.status)) this.walk.handoff(assignee, Date.now());
  }

  /** The new assignee took the handoff. */
  handoffAcknowledged(actor: string): void {
    const m = this.find('handoff');
    if (m?.status === 'pending') {
      m.status = 'met';
      m.at = iso(Date.now());
    }
    this.esc.awaiting_ack = undefined;
    this.walk.stop(`handoff acknowledged by ${actor}`);
    this.s.replanned = true;
  }

  /** A status update was posted: the next one is due a cadence from now. */
  statusUpdatePosted(update?: PostedUpdate): void {
    if (!this.i.escalation) return; // not opened yet
    if (update) sendStatusUpdate(this.s, this.pager, this.cfg, update);
    const m = this.find('update');
    if (m && this.sp.update_every) {
      m.due_at = iso(Date.now() + this.sp.update_every * 1000);
      m.status = 'pending';
      this.s.replanned = true;
    }
  }

  /** Runbook progress: ETAs become milestones, failures page; a run that changed something and succeeded mitigates. */
  runbookProgress(run: RunbookRunRecord, before: RunbookRunRecord | undefined): void {
    if (!this.i.escalation) return; // not opened yet
    trackRunbook(this.s, this.cfg, this.pager, run, before);
    const changedSomething = !run.steps.every((st) => st.dry_run || st.impact === 'read');
    if (run.status === 'succeeded' && run.finished_at && !this.i.mitigated_at && changedSomething) {
      this.i.mitigated_at = run.finished_at;
      this.s.record('tourniquet', 'milestone', `Mitigated by runbook ${run.name}`);
      this.sync();
    }
  }

  /** Before continue-as-new: stronger runbooks being started, delivery workflows until started
   * (pages in flight are re-sent by the next run; runs from before that replay their wait). */
  async drain(): Promise<void> {
    while (this.offers.size) await Promise.all([...this.offers]);
    if (!this.s.patched(PATCH.pagesCarried)) await this.pager.drain();
    await this.pager.started();
  }

  /** A continued incident: deliver again what the previous run had not delivered. */
  resendUndelivered(): void {
    this.pager.resendUndelivered();
  }

  // ---- planning ----

  private find(name: string) {
    return this.milestones.find((m) => m.name === name);
  }

  private meet(name: string, at: string | undefined): void {
    const m = this.find(name);
    if (at && m?.status === 'pending') {
      m.status = 'met';
      m.at = at;
      this.s.replanned = true;
    }
  }

  private plan(): void {
    planSeverityMilestones(this.i, this.cfg, this.sp);
    this.s.replanned = true;
  }

  private severityChanged(from: Severity): void {
    const to = this.i.severity;
    this.seen.severity = to;
    this.plan();
    const upgraded = severityRank(to) < severityRank(from); // SEV1 ranks first
    const message = `Severity ${from} → ${to}: milestones re-planned (${describePlan(this.milestones)})`;
    this.s.record('tourniquet', 'milestone', message);
    if (upgraded) this.walk.announce(`upgraded from ${from}`);
    else if (!this.sp.escalate && this.esc.active) this.walk.stop(`${to} does not page`);
  }

  // ---- escalating ----

  private missed(m: Milestone, now: number): void {
    const lateBy = `due ${hhmm(m.due_at)}`;
    if (m.name === 'update') {
      this.s.record('tourniquet', 'milestone', `Status update overdue (${lateBy})`);
      const who = this.i.assignee ? [{ person: this.i.assignee }] : this.walk.levelTargets(0);
      const reason = 'status update overdue: post one (the draft is ready)';
      this.pager.pageTargets(who, {
        kind: 'reminder',
        reason,
        cause: `update-${m.due_at}`,
        due: Date.parse(m.due_at),
      });
      m.due_at = iso(now + (this.sp.update_every ?? 3600) * 1000);
      this.s.replanned = true;
      return;
    }
    m.status = 'missed';
    m.at = iso(now);
    this.s.replanned = true;
    const label = milestoneLabel(m.name);
    this.s.record('tourniquet', 'milestone', `${label} milestone missed (${lateBy})`, { milestone: m.name });
    if (m.target) {
      const page = {
        kind: 'page' as const,
        reason: `${label} is past its ETA`,
        cause: m.name,
        due: Date.parse(m.due_at),
      };
      this.pager.pageTargets(targetsNamed(this.cfg, m.target), page);
      return;
    }
    if (!this.sp.escalate) return;
    if (m.name === 'acknowledge' || m.name === 'handoff') this.esc.active = true;
    this.walk.escalate(`${label.toLowerCase()} milestone missed`, m.name, Date.parse(m.due_at));
    if (m.name === 'mitigate') this.offerStrongerRunbook();
  }

  private offerStrongerRunbook(): void {
    const p: Promise<void> = offerStronger(this.s).finally(() => this.offers.delete(p));
    this.offers.add(p);
  }
}
