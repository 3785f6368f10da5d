/**
 * What the engine-health workflow asks of Temporal and of people: is a suspect's workflow
 * task still failing, and a page to the engine's owner.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { engineNotification, type HealthEvent, type WorkflowObservation } from '../domain/engine-health';
import { type EscalationConfig, notifierCarries } from '../domain/escalation';
import type { Notification } from '../domain/notification';

export interface EngineHealthDeps {
  client: Client;
  logger: Logger;
  escalation: EscalationConfig;
  deliver(args: { notifier: string; notification: Notification }): Promise<unknown>;
}

export function createEngineHealthActivities(deps: EngineHealthDeps) {
  const workflowIdOf = async (runId: string): Promise<string | undefined> => {
    for await (const w of deps.client.workflow.list({ query: `RunId = '${runId.replace(/'/g, '')}'` }))
      return w.workflowId;
    return undefined;
  };
  const observe = async ({ runId, workflowId }: { runId: string; workflowId?: string }) => {
    const id = workflowId ?? (await workflowIdOf(runId));
    if (!id) return { runId, attempt: 0 };
    try {
      // The run that failed: a workflow that continued as new since then recovered.
      const d = await deps.client.workflow.getHandle(id, runId).describe();
      return {
        runId,
        workflowId: id,
        workflowType: d.type,
        status: d.status.name,
        attempt: d.raw.pendingWorkflowTask?.attempt ?? 0,
      };
    } catch {
      return { runId, workflowId: id, attempt: 0 }; // gone (retention): nothing left to follow
    }
  };
  return {
    async inspectWorkflows(
      followed: { runId: string; workflowId?: string }[],
    ): Promise<WorkflowObservation[]> {
      return Promise.all(followed.map(observe));
    },
    /** One page per notifier that carries pages; the key makes a retried delivery a duplicate receivers drop. */
    async notifyEngineOwner({ event, text }: { event: HealthEvent; text: string }): Promise<void> {
      deps.logger[event.kind === 'recovered' ? 'warn' : 'error']({ engineHealth: event }, text);
      const notification = engineNotification(event, text, deps.escalation);
      for (const n of deps.escalation.notifiers)
        if (notifierCarries(n, 'page', notification.to))
          await deps.deliver({ notifier: n.name, notification });
    },
  };
}
