/**
 * The policy envelope around a mutating step: run by itself, forbidden, or pause for the
 * approvals the policy demands. Undecided approvals escalate at their deadline and are
 * rejected at 4× it, never approved by default.
 */
import * as wf from '@temporalio/workflow';
import { iso, nowIso } from '../../domain/clock';
import { decide, type GuardrailConfig } from '../../domain/guardrails';
import type { ApprovalRecord, StepRecord } from '../../domain/runbook';
import {
  APPROVAL_WITHDRAWN,
  approvalUpdate,
  type MetricsSinks,
  type UpdateInput,
  withdrawApprovalsSignal,
} from '../definitions';
import { conflict, forbidden, notFound } from '../failures';
import { PATCH } from '../patches';
import type { StepSpec } from '../runbook-sdk';
import type { RunbookRunInput } from './input';
import type { RunRecord } from './record';
import { type RequestKeys, setKeyedUpdate } from '../request-keys';

const { metrics } = wf.proxySinks<MetricsSinks>();
const EXPIRED = 'expired without a decision';

/** Whatever the run waits for, it stops: pending approvals are rejected, a manual or failed step ends it. */
export function withdrawRun(r: RunRecord, reason: string, by = 'tourniquet'): void {
  r.withdrawn = reason;
  for (const a of r.run.approvals)
    if (a.status === 'pending') decided(a, 'rejected', by, `${APPROVAL_WITHDRAWN}: ${reason}`);
}

/** Approve and reject: two different people for a two-approver step, never the requester. */
export function registerApprovalHandler(r: RunRecord, keys: RequestKeys): void {
  const find = (id: string) => r.run.approvals.find((x) => x.id === id);
  // The incident was resolved or closed while a step waited: nobody may grant it any more.
  wf.setHandler(withdrawApprovalsSignal, ({ reason }) => withdrawRun(r, reason));
  setKeyedUpdate(
    keys,
    approvalUpdate,
    ({ approvalId, approve, actor, comment }) => {
      const a = find(approvalId)!;
      if (!approve) {
        decided(a, 'rejected', actor, comment);
      } else {
        a.approved_by.push(actor);
        a.comment = comment ?? a.comment;
        if (a.approved_by.length >= a.approvals_needed)
          decided(a, 'approved', a.approved_by.join(', '), a.comment);
      }
      return a;
    },
    {
      validator: ({ approvalId, actor }: UpdateInput<typeof approvalUpdate>) => {
        const a = find(approvalId);
        if (!a) throw notFound(`approval ${approvalId} not found`);
        if (a.status !== 'pending')
          throw conflict(
            a.comment?.startsWith(APPROVAL_WITHDRAWN)
              ? `approval ${approvalId} was ${a.comment}`
              : `approval ${approvalId} is already ${a.status}`,
          );
        if (actor === a.requested_by) throw forbidden('you cannot approve your own request');
        if (a.approved_by.includes(actor)) {
          throw forbidden(`${actor} has already approved; this step needs a second, different approver`);
        }
      },
    },
  );
}

function decided(a: ApprovalRecord, status: ApprovalRecord['status'], by: string, comment?: string): void {
  a.status = status;
  a.decided_by = by;
  a.decided_at = nowIso();
  a.comment = comment;
}

export class Gate {
  constructor(
    private readonly input: RunbookRunInput,
    private readonly r: RunRecord,
    private readonly guardrails: GuardrailConfig,
    private readonly service: string,
  ) {}

  /** What the policy says of a step now. */
  decide(spec: StepSpec) {
    const { severity } = this.input;
    return decide(this.guardrails, { impact: spec.impact, severity, service: this.service, now: new Date() });
  }

  /**
   * Waits for the approvals the policy demands (`force`: one approval whatever the policy,
   * e.g. with the breaker open). Returns a refusal, or undefined when the step may run.
   */
  async check(spec: StepSpec, s: StepRecord, force?: string): Promise<string | undefined> {
    const d = force ? { decision: 'approval' as const, approvals: 1, reason: force } : this.decide(spec);
    if (d.decision === 'forbidden') return `forbidden by ${d.reason}`;
    if (d.decision === 'auto') return undefined;
    const approval = this.request(spec, d.reason, d.approvals, force);
    this.r.waiting(s, true);
    await this.r.report();
    await this.awaitDecision(approval);
    const expired = approval.comment === EXPIRED;
    metrics.approval(approval.status === 'approved' ? 'approved' : expired ? 'expired' : 'rejected');
    this.r.waiting(s, false);
    if (approval.comment?.startsWith(APPROVAL_WITHDRAWN)) return `approval ${approval.comment}`;
    return approval.status === 'approved' ? undefined : `approval ${expired ? 'expired' : 'rejected'}`;
  }

  private request(spec: StepSpec, reason: string, needed: number, force?: string): ApprovalRecord {
    const timeoutMs = this.timeoutMs();
    const approval: ApprovalRecord = {
      id: `${this.input.runId.split('-rb-')[1]}-${spec.id}${force ? '-override' : ''}`,
      step_id: spec.id,
      title: spec.title,
      impact: spec.impact,
      what: force ? `${spec.what} (${force})` : spec.what,
      // Whoever started the run asked for this step: they cannot approve it themselves.
      requested_by: this.input.startedBy,
      requested_at: nowIso(),
      reason,
      approvals_needed: needed,
      approved_by: [],
      escalates_at: iso(Date.now() + timeoutMs),
      expires_at: iso(Date.now() + 4 * timeoutMs),
      status: 'pending',
    };
    this.r.run.approvals.push(approval);
    metrics.approval('requested');
    return approval;
  }

  private async awaitDecision(approval: ApprovalRecord): Promise<void> {
    const decidedYet = () => approval.status !== 'pending';
    if (!this.r.current && !wf.patched(PATCH.approvalExpiry)) return void (await wf.condition(decidedYet)); // runs from before deadlines
    const timeoutMs = this.timeoutMs();
    // A decision that arrives with the expiry timer wins: the SDK runs Updates before timers
    // in one activation (test/guardrails-policy.test.ts shows it on the real server).
    if (await wf.condition(decidedYet, timeoutMs)) return;
    approval.escalated_at = nowIso();
    await this.r.report();
    if (!(await wf.condition(decidedYet, 3 * timeoutMs)))
      decided(approval, 'rejected', 'tourniquet', EXPIRED);
  }

  private timeoutMs(): number {
    return this.guardrails.approvalTimeoutSeconds[this.input.severity] * 1000;
  }
}
