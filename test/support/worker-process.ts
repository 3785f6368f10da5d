/**
 * A worker in a child process (bench/support/worker-process.ts) against the test server:
 * tests kill it with SIGKILL, or have it kill itself at an activity boundary.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { TestEngine } from './engine';

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves when the process has exited (killed or crashed on purpose). */
  exited: Promise<void>;
}

export async function spawnWorker(
  engine: TestEngine,
  o: { services: unknown; crashAt?: string; crashMark?: string },
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, '../../bench/support/worker-process.ts')],
    {
      env: {
        ...process.env,
        BENCH_TEMPORAL: process.env.TOURNIQUET_TEST_TEMPORAL,
        BENCH_TASK_QUEUE: engine.taskQueue,
        BENCH_NAMESPACE: engine.namespace,
        BENCH_KUBECONFIG: process.env.TOURNIQUET_TEST_KUBECONFIG,
        BENCH_SERVICES: JSON.stringify(o.services),
        BENCH_BUNDLE: process.env.TOURNIQUET_TEST_BUNDLE,
        ...(o.crashAt ? { WORKER_CRASH_AT: o.crashAt, WORKER_CRASH_MARK: o.crashMark } : {}),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('worker ready') && resolve());
    void exited.then(() => reject(new Error('worker process exited before it was ready')));
  });
  return { child, exited };
}
