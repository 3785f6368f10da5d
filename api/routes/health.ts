import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/**
 * Probes without a token, for load balancers and orchestrators.
 * /healthz: the process is up. /readyz: Temporal answers and a worker polls our task queue.
 */
export function healthRouter({
  client,
  namespace,
  taskQueue,
}: {
  client: Client;
  namespace: string;
  taskQueue: string;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      const { pollers } = await client.withDeadline(Date.now() + 3000, () =>
        client.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      );
      const workers = pollers?.length ?? 0;
      if (workers === 0)
        return res
          .status(503)
          .json({
            status: 'unready',
            temporal: 'ok',
            workers,
            reason: `no worker is polling task queue ${taskQueue}`,
          });
      return res.json({ status: 'ready', temporal: 'ok', workers });
    } catch (err) {
      return res
        .status(503)
        .json({ status: 'unready', temporal: 'unreachable', reason: (err as Error).message });
    }
  });
  return router;
}
