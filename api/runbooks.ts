/**
 * Runbooks on incidents: start one, decide approvals, complete manual steps. Approvals and
 * manual steps are Updates on the runbook's own workflow, so the caller gets the real
 * outcome (decided, refused and why) synchronously.
 */
import { ConflictError } from './errors';
import { updateIdFor } from './idempotency';
import type { Client } from '@temporalio/client';
import type { ApprovalRecord, RunbookRunRecord, RunDecisionAction, StepRecord } from '../domain/runbook';
import {
  approvalUpdate,
  incidentQuery,
  manualStepUpdate,
  runDecisionUpdate,
  startRunbookUpdate,
  APPROVAL_WITHDRAWN,
} from '../workflows/definitions';
import { temporalCall } from './temporal-errors';

export class Runbooks {
  constructor(private readonly o: { client: Client; timeoutMs?: number }) {}

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return temporalCall(this.o.client, what, fn, this.o.timeoutMs);
  }

  start(
    incidentId: string,
    actor: string,
    body: { name: string; params: Record<string, string>; dry_run?: boolean },
  ): Promise<{ run_id: string }> {
    return this.call(`incident ${incidentId}`, () =>
      this.o.client.workflow
        .getHandle(incidentId)
        .executeUpdate(startRunbookUpdate, { args: [{ actor, ...body }], updateId: updateIdFor(actor) }),
    );
  }

  async approvals(incidentId: string): Promise<(ApprovalRecord & { run_id: string; runbook: string })[]> {
    const incident = await this.call(`incident ${incidentId}`, () =>
      this.o.client.workflow.getHandle(incidentId).query(incidentQuery),
    );
    return incident.runbooks.flatMap((r) =>
      r.approvals.map((a) => ({ ...a, run_id: r.run_id, runbook: r.name })),
    );
  }

  /** Approval ids are `<run number>-<step id>`; the run's workflow id follows from it. */
  decide(
    incidentId: string,
    approvalId: string,
    decision: { approve: boolean; actor: string; comment?: string },
  ): Promise<ApprovalRecord> {
    const runId = `${incidentId}-rb-${approvalId.split('-')[0]}`;
    return this.call(`approval ${approvalId} of ${incidentId}`, () =>
      this.o.client.workflow.getHandle(runId).executeUpdate(approvalUpdate, {
        args: [{ approvalId, ...decision }],
        updateId: updateIdFor(decision.actor),
      }),
    ).catch(async (err) => {
      // The run has ended: say how its approval ended (withdrawn when the incident was resolved).
      if (!(err instanceof ConflictError)) throw err;
      const ended = (await this.approvals(incidentId).catch(() => [])).find((a) => a.id === approvalId);
      throw ended?.comment?.startsWith(APPROVAL_WITHDRAWN)
        ? new ConflictError(`approval ${approvalId} was ${ended.comment}`)
        : err;
    });
  }

  completeStep(
    incidentId: string,
    runId: string,
    stepId: string,
    actor: string,
    note?: string,
  ): Promise<StepRecord> {
    return this.call(`step ${stepId} of ${runId}`, () =>
      this.o.client.workflow
        .getHandle(runId)
        .executeUpdate(manualStepUpdate, { args: [{ stepId, actor, note }], updateId: updateIdFor(actor) }),
    );
  }

  /** Retry or skip a failed step waiting for a decision, or cancel the run (api/routes/runbooks.ts). */
  decideRun(
    runId: string,
    decision: { action: RunDecisionAction; stepId?: string; actor: string; reason?: string },
  ): Promise<RunbookRunRecord> {
    return this.call(`run ${runId}`, () =>
      this.o.client.workflow
        .getHandle(runId)
        .executeUpdate(runDecisionUpdate, { args: [decision], updateId: updateIdFor(decision.actor) }),
    );
  }
}
