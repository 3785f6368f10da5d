import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { createActivities, ActivityDeps } from '../activities';
import { loadRunbookCatalog } from './runbook-catalog';

export interface WorkerDeps extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt workflow bundle (tests build one per run); otherwise workflows/ is bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The worker: runs incident workflows and their activities. */
export function createWorker(deps: WorkerDeps): Promise<Worker> {
  loadRunbookCatalog(); // refuses to start on an invalid or duplicate runbook
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities(deps),
    // ~1,000 cached incidents cost 550-700 MB (see shared VERIFIED.md); evicted ones replay on demand.
    maxCachedWorkflows: 1000,
  });
}
