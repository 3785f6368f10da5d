/**
 * Walking the escalation policy: page a level, wait its timeout, page the next, repeat the
 * policy as often as it says; hold pages out of hours when the severity says so; hand an
 * incident over to a new assignee who must acknowledge in turn.
 */
import { iso } from '../../domain/clock';
import {
  type EscalationConfig,
  type Milestone,
  offHours,
  policyFor,
  type Target,
} from '../../domain/escalation';
import { describePlan, pastHandoff } from '../../domain/milestones';
import { nextBusinessStart } from '../../domain/oncall';
import { PATCH } from '../patches';
import type { Pager } from './paging';
import type { IncidentState } from './state';

export class PolicyWalk {
  constructor(
    private readonly s: IncidentState,
    private readonly cfg: EscalationConfig,
    private readonly pager: Pager,
  ) {}

  private get esc() {
    return this.s.incident.escalation!;
  }
  private get sp() {
    return this.cfg.severities[this.s.incident.severity];
  }
  private get policy() {
    return policyFor(this.cfg, this.s.incident.affected_services).policy;
  }

  /** What a severity does when an incident opens or is upgraded to it. */
  announce(why: string): void {
    const now = Date.now();
    const sev = this.s.incident.severity;
    if (this.sp.page && this.s.incident.status === 'triggered') {
      this.esc.active = true;
      this.escalate(`${sev} ${why}`, 'open', now, 0);
    }
    for (const role of this.sp.also_page) {
      const reason = `${sev} ${why}: ${role.replace(/_/g, ' ')} needed`;
      this.pager.pageTargets([{ role }], { kind: 'page', reason, cause: `${sev}-role`, due: now });
    }
    for (const channel of this.sp.notify) {
      const page = {
        kind: 'notify' as const,
        reason: `${sev} incident ${why}`,
        cause: `${sev}-notify`,
        due: now,
      };
      this.pager.send({ person: channel, via: 'channel' }, page);
    }
    // A config read before tickets existed has no `ticket`: recorded runs replay without one.
    if (this.sp.ticket) {
      const page = { kind: 'ticket' as const, reason: `${sev} incident ${why}`, cause: 'ticket', due: now };
      this.pager.send({ person: 'team', via: 'ticket' }, page);
    }
    if (why === 'opened')
      this.s.record('tourniquet', 'milestone', `Milestones: ${describePlan(this.s.incident.milestones!)}`);
  }
  /** Pages the next level (or `level`); outside business hours a severity may hold pages until they begin. */
  escalate(reason: string, cause: string, due: number, level = this.esc.level + 1): void {
    const now = Date.now();
    const policy = this.policy;
    const say = (message: string) => this.s.record('tourniquet', 'milestone', message);
    if (!policy.levels.length) {
      say(`No escalation policy "${this.esc.policy}" is configured: nobody to page (${reason})`);
      this.esc.active = false;
      return;
    }
    if (!this.sp.off_hours && offHours(this.cfg, now)) {
      const at = nextBusinessStart(this.cfg.business_hours, now);
      say(`${this.s.incident.severity} does not page out of hours: paging at ${iso(at)} (${reason})`);
      this.esc.active = true;
      this.esc.next_at = iso(at);
      this.s.replanned = true;
      return;
    }
    if (level >= policy.levels.length) {
      if (this.esc.round < policy.repeat) {
        this.esc.round++;
        level = 0;
      } else if (cause === 'walk') {
        say(
          `Escalation exhausted: nobody acknowledged after ${policy.repeat + 1} round(s) of policy ${this.esc.policy}`,
        );
        this.esc.active = false;
        return;
      } else level = policy.levels.length - 1;
    }
    this.esc.level = level;
    const page = {
      kind: 'page' as const,
      reason,
      cause: `${cause}-L${level + 1}.${this.esc.round}${this.esc.episode ? `~${this.esc.episode}` : ''}`,
      due,
      level,
    };
    const people = this.pager.pageTargets(policy.levels[level].targets, page);
    if (!people.length) say(`Level ${level + 1} of ${this.esc.policy} has nobody on call`);
    if (this.esc.active) this.esc.next_at = iso(now + policy.levels[level].timeout_seconds * 1000);
    this.s.replanned = true;
  }

  levelTargets(level: number): Target[] {
    return this.policy.levels[level]?.targets ?? [];
  }

  stop(why: string): void {
    if (!this.esc.active) return;
    this.esc.active = false;
    this.esc.next_at = undefined;
    this.s.record('tourniquet', 'milestone', `Escalation stopped: ${why}`);
    this.s.replanned = true;
  }

  cancel(m: Milestone, now: number): void {
    m.status = 'cancelled';
    m.at = iso(now);
    this.s.replanned = true;
  }

  handoff(assignee: string, now: number): void {
    const n = this.s.incident.milestones!.filter((m) => m.name === 'handoff').length;
    const old = this.s.incident.milestones!.find((m) => m.name === 'handoff');
    if (old?.status === 'pending') this.cancel(old, now);
    if (old) old.name = pastHandoff(n);
    const ackSeconds =
      typeof this.sp.acknowledge === 'number'
        ? this.sp.acknowledge
        : (this.policy.levels[0]?.timeout_seconds ?? 900);
    this.s.incident.milestones!.push({
      name: 'handoff',
      due_at: iso(now + ackSeconds * 1000),
      status: 'pending',
    });
    this.esc.awaiting_ack = assignee;
    this.esc.level = -1;
    this.esc.round = 0;
    if (this.s.patched(PATCH.pageEpisodes)) this.esc.episode = (this.esc.episode ?? 0) + 1;
    const reason = `reassigned to you: acknowledge within ${ackSeconds} s`;
    this.pager.pageTargets([{ person: assignee }], { kind: 'page', reason, cause: `handoff-${n}`, due: now });
    this.s.replanned = true;
  }
}
