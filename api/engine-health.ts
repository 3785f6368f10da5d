import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { EngineHealthView } from '../domain/engine-health';
import { ENGINE_HEALTH_WORKFLOW_ID, engineHealthQuery } from '../workflows/definitions';

const HEALTHY: EngineHealthView = { stuck: [], omitted: 0, recent: [], recent_omitted: 0 };

/** What the engine-health workflow knows; none yet (no task has ever failed) = healthy. */
export async function readEngineHealth(client: Client, timeoutMs = 3_000): Promise<EngineHealthView> {
  try {
    return await client.withDeadline(Date.now() + timeoutMs, () =>
      client.workflow.getHandle(ENGINE_HEALTH_WORKFLOW_ID).query(engineHealthQuery),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return HEALTHY;
    throw err;
  }
}
