import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { createActivities, ActivityDeps } from '../activities';
import { idTaskQueue } from '../workflows/definitions';
import { loadRunbooks } from '../common/runbook-catalog';
import { bundleWorkflows, loadBundle, type WorkflowBundle } from './bundle';
import { activityTracing } from '../common/tracing';
import { BundleStore, deploymentOptions, keepOlderVersions, makeCurrent } from './versions';
import { metricsSinks } from './metrics';
import { reportTaskFailures } from './task-failures';

export interface WorkerDeps extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt workflow bundle (tests build one per run); otherwise workflows/ and the runbooks are bundled at start. */
  workflowBundle?: { codePath: string };
  /** Directories of runbooks beside the built-ins (TOURNIQUET_RUNBOOKS, `runbooks.dirs`). */
  runbookDirs?: readonly string[];
  /**
   * Where each version's bundle is kept (the data directory): with it, the worker also runs
   * older versions that still have runbook runs pinned to them, until they finish.
   */
  bundleDir?: string;
  /** Make this version current once it polls (default); false where a rollout sets it (README, "Upgrades"). */
  setCurrent?: boolean;
  /** Temporal interceptors for the main worker (tracing; the crash tests kill it at activity boundaries). */
  interceptors?: WorkerOptions['interceptors'];
  /** Workflows kept in memory (default 1,000); evicted ones replay from history on their next task. */
  workflowCacheSize?: number;
}

/** What `createWorker` returns: run until shutdown, like a Temporal Worker. */
export interface EngineWorker {
  run(): Promise<void>;
  /** Resolves once run() made this version current and started workers for older ones still in use. */
  ready(): Promise<void>;
  shutdown(): void;
}

/**
 * The worker: incident, alert-group and runbook workflows and their activities on the main
 * task queue, plus the incident-id sequence on its own queue so id allocation never waits
 * behind an alert storm's backlog.
 */
export async function createWorker(deps: WorkerDeps): Promise<EngineWorker> {
  loadRunbooks(deps.runbookDirs); // refuses to start on an invalid or duplicate runbook
  const bundle = deps.workflowBundle
    ? loadBundle(deps.workflowBundle.codePath)
    : await bundleWorkflows(deps.runbookDirs);
  const main = await versionWorker(deps, bundle);
  const ids = await Worker.create({
    ...common(deps, bundle),
    taskQueue: idTaskQueue(deps.taskQueue),
    maxCachedWorkflows: 10,
  });
  const unsubscribe = reportTaskFailures(deps.client, deps.namespace, deps.taskQueue, deps.logger);
  let mainRunning: Promise<void> | undefined;
  let started: Promise<(() => Promise<void>) | undefined> | undefined;
  const start = async () => {
    if (deps.setCurrent !== false)
      await makeCurrent(deps.client, deps.namespace, deps.taskQueue, bundle.buildId, [
        deps.taskQueue,
        idTaskQueue(deps.taskQueue),
      ]);
    if (!deps.bundleDir) return undefined;
    return keepOlderVersions({
      client: deps.client,
      deploymentName: deps.taskQueue,
      store: new BundleStore(deps.bundleDir),
      current: bundle,
      logger: deps.logger,
      start: (older) => versionWorker(deps, older),
    });
  };
  const stopOlder = async () => (await started?.catch(() => undefined))?.();
  return {
    run: async () => {
      mainRunning = main.run();
      const idsRunning = ids.run();
      started = start(); // the version polls first: the server learns of it, then it becomes current
      await Promise.all([mainRunning, idsRunning, started]);
      await stopOlder();
    },
    ready: async () => {
      await started;
    },
    // The main worker's activities call the ids queue (guards, id allocation): it stops last.
    // Ctrl-C reaches the SDK too (its runtime stops workers on SIGINT/SIGTERM): stop only what still runs.
    shutdown: () => {
      unsubscribe();
      void stopOlder();
      stopIfRunning(main);
      void (mainRunning ?? Promise.resolve()).finally(() => stopIfRunning(ids));
    },
  };
}

/** What every worker of one version shares: the connection, its bundle, its deployment version. */
function common(deps: WorkerDeps, bundle: WorkflowBundle) {
  return {
    connection: deps.connection,
    namespace: deps.namespace,
    workflowBundle: { code: bundle.code },
    workerDeploymentOptions: deploymentOptions(deps.taskQueue, bundle.buildId),
    // After a worker dies, its cached workflows' next tasks wait this long on its sticky queue
    // before any worker may take them: keep it short so an approval after a crash is quick.
    stickyQueueScheduleToStartTimeout: '3 seconds' as const,
  };
}

/** The main task queue's worker for one version: workflows of that bundle, today's activities. */
function versionWorker(deps: WorkerDeps, bundle: WorkflowBundle): Promise<Worker> {
  return Worker.create({
    ...common(deps, bundle),
    taskQueue: deps.taskQueue,
    activities: createActivities(deps),
    interceptors: {
      ...deps.interceptors,
      activity: [...activityTracing(), ...(deps.interceptors?.activity ?? [])],
    },
    sinks: metricsSinks,
    // 1,000 cached incidents: a worker's RSS plateaus at 1.3-1.8 GB (bench:sizing, README "Sizing").
    maxCachedWorkflows: deps.workflowCacheSize ?? 1000,
  });
}

const stopIfRunning = (w: Worker) => {
  if (w.getState() === 'RUNNING') w.shutdown();
};
