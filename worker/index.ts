import { bundleWorkflowCode, NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { createActivities, ActivityDeps } from '../activities';
import { idTaskQueue } from '../workflows/definitions';
import { loadRunbookCatalog } from '../common/runbook-catalog';
import { metricsSinks } from './metrics';
import { reportTaskFailures } from './task-failures';

export interface WorkerDeps extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt workflow bundle (tests build one per run); otherwise workflows/ is bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Temporal interceptors for the main worker (tracing; the crash tests kill it at activity boundaries). */
  interceptors?: WorkerOptions['interceptors'];
}

/** What `createWorker` returns: run until shutdown, like a Temporal Worker. */
export interface EngineWorker {
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * The worker: incident, alert-group and runbook workflows and their activities on the main
 * task queue, plus the incident-id sequence on its own queue so id allocation never waits
 * behind an alert storm's backlog.
 */
export async function createWorker(deps: WorkerDeps): Promise<EngineWorker> {
  loadRunbookCatalog(); // refuses to start on an invalid or duplicate runbook
  const workflowBundle = deps.workflowBundle ?? {
    code: (
      await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quietBundlerLogger })
    ).code,
  };
  // After a worker dies, its cached workflows' next tasks wait this long on its sticky queue
  // before any worker may take them: keep it short so an approval after a crash is quick.
  const common = {
    connection: deps.connection,
    namespace: deps.namespace,
    workflowBundle,
    stickyQueueScheduleToStartTimeout: '3 seconds' as const,
  };
  const main = await Worker.create({
    ...common,
    taskQueue: deps.taskQueue,
    activities: createActivities(deps),
    interceptors: deps.interceptors,
    sinks: metricsSinks,
    // ~1,000 cached incidents cost 550-700 MB (see shared VERIFIED.md); evicted ones replay on demand.
    maxCachedWorkflows: 1000,
  });
  const ids = await Worker.create({
    ...common,
    taskQueue: idTaskQueue(deps.taskQueue),
    maxCachedWorkflows: 10,
  });
  const unsubscribe = reportTaskFailures(deps.client, deps.namespace, deps.taskQueue, deps.logger);
  let mainRunning: Promise<void> | undefined;
  return {
    run: async () => {
      mainRunning = main.run();
      await Promise.all([mainRunning, ids.run()]);
    },
    // The main worker's activities call the ids queue (guards, id allocation): it stops last.
    // Ctrl-C reaches the SDK too (its runtime stops workers on SIGINT/SIGTERM): stop only what still runs.
    shutdown: () => {
      unsubscribe();
      stopIfRunning(main);
      void (mainRunning ?? Promise.resolve()).finally(() => stopIfRunning(ids));
    },
  };
}

const stopIfRunning = (w: Worker) => {
  if (w.getState() === 'RUNNING') w.shutdown();
};

const noop = () => undefined;
/** The bundler's progress output is noise at start-up; warnings and errors still show. */
export const quietBundlerLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  log: noop,
  warn: console.warn,
  error: console.error,
};
