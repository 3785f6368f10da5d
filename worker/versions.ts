/**
 * Worker Versioning: every worker polls as one version of the deployment named after its
 * task queue (the build id is a hash of the workflow bundle). Runbook runs are pinned to the
 * version they started on; incidents, alert groups and the rest move to the newest version
 * (their changes stay behind patched()). So a version with pinned runs still open must keep a
 * worker until those runs finish: the embedded engine keeps each version's bundle in its data
 * directory and runs a worker for every older version that still has runs, until it drains.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { WorkerDeploymentOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { WorkflowBundle } from './bundle';

export function deploymentOptions(taskQueue: string, buildId: string): WorkerDeploymentOptions {
  return {
    useWorkerVersioning: true,
    version: { deploymentName: taskQueue, buildId },
    defaultVersioningBehavior: 'AUTO_UPGRADE',
  };
}

/**
 * Makes `buildId` the deployment's current version once all `taskQueues` poll as it: new
 * workflows start on it and auto-upgrading ones move to it. Retries while the server has not
 * seen the pollers yet (about a second).
 */
export async function makeCurrent(
  client: Client,
  namespace: string,
  deploymentName: string,
  buildId: string,
  taskQueues: string[],
): Promise<void> {
  const service = client.workflowService;
  for (let attempt = 0; ; attempt++) {
    try {
      const version = await service.describeWorkerDeploymentVersion({
        namespace,
        deploymentVersion: { deploymentName, buildId },
      });
      const polled = new Set(version.workerDeploymentVersionInfo?.taskQueueInfos?.map((t) => t.name));
      if (taskQueues.every((q) => polled.has(q))) {
        const { workerDeploymentInfo, conflictToken } = await service.describeWorkerDeployment({
          namespace,
          deploymentName,
        });
        if (workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId === buildId) return;
        await service.setWorkerDeploymentCurrentVersion({
          namespace,
          deploymentName,
          buildId,
          conflictToken,
          identity: `tourniquet worker ${buildId}`,
        });
        return;
      }
    } catch (err) {
      if (attempt >= 150) throw err; // 30 s: the server never saw this worker poll
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** How many runbook runs are still open on a version (pinned to it). */
export async function openOn(client: Client, deploymentName: string, buildId: string): Promise<number> {
  const query = `TemporalWorkerDeploymentVersion = '${deploymentName}:${buildId}' AND ExecutionStatus = 'Running'`;
  return (await client.workflow.count(query)).count;
}

/** One bundle file per version in the data directory. */
export class BundleStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  save(bundle: WorkflowBundle): void {
    const file = this.file(bundle.buildId);
    if (!existsSync(file)) writeFileSync(file, bundle.code);
  }

  /** Every stored version's build id but `current`. */
  others(current: string): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.js') && f !== `${current}.js`)
      .map((f) => f.slice(0, -3));
  }

  load(buildId: string): WorkflowBundle {
    return { buildId, code: readFileSync(this.file(buildId), 'utf8') };
  }

  remove(buildId: string): void {
    rmSync(this.file(buildId), { force: true });
  }

  private file(buildId: string) {
    return path.join(this.dir, `${buildId}.js`);
  }
}

/** A worker of an older version, run while it has pinned runs. */
export interface Drainer {
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * Keeps a worker for every stored older version with runs still open; checks each minute and
 * stops (and forgets) a version once its last run finished. Returns a function that stops them.
 */
export async function keepOlderVersions(o: {
  client: Client;
  deploymentName: string;
  store: BundleStore;
  current: WorkflowBundle;
  logger: Logger;
  start(bundle: WorkflowBundle): Promise<Drainer>;
  checkEveryMs?: number;
}): Promise<() => Promise<void>> {
  o.store.save(o.current);
  const running = new Map<string, { worker: Drainer; done: Promise<void> }>();
  const check = async (buildId: string) => {
    const open = await openOn(o.client, o.deploymentName, buildId);
    const kept = running.get(buildId);
    if (open === 0) {
      if (kept) {
        kept.worker.shutdown();
        await kept.done;
        running.delete(buildId);
      }
      o.store.remove(buildId);
      o.logger.info({ version: buildId }, 'older version drained: its bundle removed');
    } else if (!kept) {
      const worker = await o.start(o.store.load(buildId));
      running.set(buildId, { worker, done: worker.run() });
      o.logger.info(
        { version: buildId, runs: open },
        `keeping a worker for an older version: ${open} runbook run(s) pinned to it finish on the code they started with`,
      );
    }
  };
  const checkAll = () => Promise.all(o.store.others(o.current.buildId).map(check));
  await checkAll();
  const timer = setInterval(
    () => void checkAll().catch((err) => o.logger.warn({ err }, 'checking older versions failed')),
    o.checkEveryMs ?? 60_000,
  );
  let stopped: Promise<void> | undefined;
  return () =>
    (stopped ??= (async () => {
      clearInterval(timer);
      for (const { worker } of running.values()) worker.shutdown();
      await Promise.all([...running.values()].map((r) => r.done));
    })());
}
