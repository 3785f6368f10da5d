import type { Response } from 'express';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { readEngineHealth } from '../engine-health';
import { type Route, route } from '../route';

/**
 * Probes without a token, for load balancers and orchestrators.
 * /healthz: the process is up. /readyz: Temporal answers and a worker polls our task queue.
 */
export function healthRoutes({
  client,
  namespace,
  taskQueue,
}: {
  client: Client;
  namespace: string;
  taskQueue: string;
}): Route[] {
  const ready = async (res: Response): Promise<object | undefined> => {
    try {
      const { pollers } = await client.withDeadline(Date.now() + 3000, () =>
        client.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      );
      const workers = pollers?.length ?? 0;
      // Stuck workflows are reported, not a reason to take this replica out of a load balancer.
      const stuck = await readEngineHealth(client).then(
        (h) =>
          h.stuck.map((w) => ({
            id: w.workflow_id,
            type: w.workflow_type,
            since: w.since,
            reason: w.reason,
          })),
        () => undefined,
      );
      if (workers > 0) return { status: 'ready', temporal: 'ok', workers, stuck_workflows: stuck };
      const reason = `no worker is polling task queue ${taskQueue}`;
      res.status(503).json({ status: 'unready', temporal: 'ok', workers, reason });
      return undefined;
    } catch (err) {
      res.status(503).json({ status: 'unready', temporal: 'unreachable', reason: (err as Error).message });
      return undefined;
    }
  };
  return [
    route({
      method: 'get',
      path: '/healthz',
      auth: 'none',
      operationId: 'healthz',
      summary: 'The process is up',
      handle: () => ({ status: 'ok' }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      auth: 'none',
      operationId: 'readyz',
      summary: 'Temporal is reachable and a worker polls',
      handle: ({ res }) => ready(res),
    }),
  ];
}
