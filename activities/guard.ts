/**
 * The guardrails' shared counters, reached from runbook steps: one Update per check on the
 * service's guard workflow (and the engine-wide `guard-*`), started on first use.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { guardStart } from '../common/guard-workflow';
import { DEFAULT_ENGINE_BUDGET, type GuardrailConfig } from '../domain/guardrails';
import { GuardDecision, guardAcquireUpdate, guardReportUpdate } from '../workflows/definitions';

export function createGuardActivities({
  client,
  taskQueue,
  guardrails,
}: {
  client: Client;
  taskQueue: string;
  guardrails?: GuardrailConfig;
}) {
  const budget = guardrails?.engineBudget ?? DEFAULT_ENGINE_BUDGET;
  // A cancelled activity (timeout, worker shutting down) abandons its Update instead of waiting on.
  const abortable = <T>(fn: () => Promise<T>) =>
    client.withAbortSignal(Context.current().cancellationSignal, fn);
  return {
    /**
     * Engine-wide pause and budget first, then the service's own pause, breaker and rate limit.
     * A budget slot taken for an action the service then refuses stays spent until its window
     * passes: the budget errs on the side of doing less.
     */
    async guardAcquire({
      service,
      action,
      incident,
      grant,
      override,
    }: {
      service: string;
      action: string;
      incident: string;
      /** Run and step: a retry after a lost reply finds the slot it already took. */
      grant?: string;
      /** Approved past an open breaker: still takes a slot within the rate limit. */
      override?: boolean;
    }): Promise<GuardDecision> {
      // The run asking: the guard tells it when a pause it meets is lifted.
      const waiter = Context.current().info.workflowExecution?.workflowId;
      const global = await abortable(() =>
        client.workflow.executeUpdateWithStart(guardAcquireUpdate, {
          args: [{ action, incident, record: false, budget, waiter, grant }],
          startWorkflowOperation: guardStart(taskQueue, '*'),
        }),
      );
      if (global.decision !== 'allowed') return global;
      return abortable(() =>
        client.workflow.executeUpdateWithStart(guardAcquireUpdate, {
          args: [{ action, incident, waiter, grant, override }],
          startWorkflowOperation: guardStart(taskQueue, service),
        }),
      );
    },
    async guardReport({
      service,
      action,
      incident,
      ok,
      grant,
    }: {
      service: string;
      action: string;
      incident: string;
      ok: boolean;
      /** The acquire's grant: a retried report counts once. */
      grant?: string;
    }): Promise<void> {
      await abortable(() =>
        client.workflow.executeUpdateWithStart(guardReportUpdate, {
          args: [{ action, incident, ok, grant }],
          startWorkflowOperation: guardStart(taskQueue, service),
        }),
      );
    },
  };
}
export type GuardActivities = ReturnType<typeof createGuardActivities>;
