/**
 * Shared benchmark plumbing: a fresh dev server configured like `npm start` (SQLite file,
 * WAL), a worker in its own process (so its RSS is measured alone), the API in another (as
 * deployed, apart from the load generators in this one), percentiles, and the results files.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ensureTemporalCli, freePort, startDevServer } from '../../worker/dev-server';
import { startTemporalCluster } from '../../test/support/temporal-cluster';
import { bundleWorkflows } from '../../worker/bundle';
import { ensureSearchAttributes } from '../../worker/search-attributes';
import { type Severity, SEVERITIES } from '../../domain/severity';
import type { IncidentInput } from '../../workflows/definitions';
import type { incident } from '../../workflows';

import { BENCH_AM_SECRET } from './tokens';
export { BENCH_AM_SECRET, BENCH_APPROVER_TOKEN, BENCH_TOKEN } from './tokens';
const root = path.resolve(__dirname, '../..');

export const log = (msg: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** A bench process (worker, API) started with `env`; resolves with the rest of its `ready` line. */
async function spawnReady(
  script: string,
  ready: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; line: string }> {
  // BENCH_PROFILE=dir: each bench process (and each of its threads) writes a V8 CPU profile there on exit.
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', path.join(root, 'bench/support', script)],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const at = out.indexOf(ready);
      if (at >= 0) resolve(out.slice(at + ready.length).split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`bench ${script} exited with ${code}`)));
  });
  return { child, line };
}

export interface BenchEnv {
  server: { address: string; stop(): Promise<void> };
  client: Client;
  url: string;
  taskQueue: string;
  worker: ChildProcess;
  workerRssMb(): number;
  close(): Promise<void>;
}

/**
 * `escalation` and `services`: the config file's sections (as a user writes them).
 * `cluster`: Temporal's own server on PostgreSQL (test/support/temporal-cluster.ts) instead of the dev server.
 * `prebuilt`: the worker loads a bundle built here instead of bundling itself.
 */
export async function startBenchEnv(
  o: {
    kubeconfig?: string;
    escalation?: unknown;
    services?: Record<string, unknown>;
    cluster?: boolean;
    prebuilt?: boolean;
  } = {},
): Promise<BenchEnv> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-bench-'));
  log(
    `${o.cluster ? 'Temporal cluster on PostgreSQL' : 'dev server'} + worker process + API (data in ${dir})`,
  );
  const server = o.cluster
    ? await startTemporalCluster({ namespaces: ['default'], log })
    : await startDevServer(ensureTemporalCli(), {
        port: await freePort(),
        dbFile: path.join(dir, 'temporal.db'),
        logFile: path.join(dir, 'temporal.log'),
      });
  const connection = await Connection.connect({ address: server.address });
  await ensureSearchAttributes(connection, 'default');
  const client = new Client({ connection, namespace: 'default' });
  const taskQueue = 'bench';
  // `prebuilt`: the worker starts as the image's does, from a bundle built ahead (no webpack in its heap).
  const bundle = path.join(dir, 'workflow-bundle.js');
  if (o.prebuilt) writeFileSync(bundle, (await bundleWorkflows()).code);

  const benchEnv = {
    ...process.env,
    BENCH_TEMPORAL: server.address,
    BENCH_TASK_QUEUE: taskQueue,
    ...(o.services ? { BENCH_SERVICES: JSON.stringify(o.services) } : {}),
  };
  const { child: worker } = await spawnReady('worker-process.ts', 'worker ready', {
    ...benchEnv,
    ...(o.kubeconfig ? { BENCH_KUBECONFIG: o.kubeconfig } : {}),
    ...(o.escalation ? { BENCH_ESCALATION: JSON.stringify(o.escalation) } : {}),
    ...(o.prebuilt ? { BENCH_BUNDLE: bundle } : {}),
  });
  const api = await spawnReady('api-process.ts', 'api ready ', benchEnv);
  const url = api.line.trim();

  return {
    server,
    client,
    url,
    taskQueue,
    worker,
    workerRssMb: () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))![1]) / 1024,
    async close() {
      for (const child of [api.child, worker]) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await connection.close();
      await server.stop();
    },
  };
}

const { EventType } = temporal.api.enums.v1;

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Polls a workflow's history every 50 ms (for up to a minute) until `found` answers something. */
async function pollHistory<T>(
  client: Client,
  workflowId: string,
  found: (events: HistoryEvent[]) => T | undefined,
  what: string,
): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const events = await client.workflow
      .getHandle(workflowId)
      .fetchHistory()
      .then(
        (h) => h.events ?? [],
        () => [],
      );
    const answer = found(events);
    if (answer !== undefined) return answer;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${what} in ${workflowId}`);
}

/** Server time (ms) at which an activity (the first, or the first of `type`) started in a workflow; polls until it has. */
export function activityStartedAt(client: Client, workflowId: string, type?: string): Promise<number> {
  return pollHistory(
    client,
    workflowId,
    (events) => {
      const scheduled = events.find(
        (e) =>
          e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
          (!type || e.activityTaskScheduledEventAttributes?.activityType?.name === type),
      );
      const started =
        scheduled &&
        events.find(
          (e) =>
            e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
            Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled.eventId),
        );
      const at = started?.eventTime;
      return at ? Number(at.seconds) * 1000 + Math.floor((at.nanos ?? 0) / 1e6) : undefined;
    },
    `${type ?? 'activity'} started`,
  );
}

/** The id of the first child of `type` that `workflowId` asked for; polls until it has. */
export function childStarted(client: Client, workflowId: string, type: string): Promise<string> {
  return pollHistory(
    client,
    workflowId,
    (events) =>
      events.find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name === type)
        ?.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? undefined,
    `${type} child`,
  );
}

/** 503s answered and retried (after Retry-After), as Alertmanager itself retries. */
export const retried = { count: 0 };

/** POSTs an Alertmanager webhook to the API under test, retrying a 503; throws unless it ends in 200. */
export async function postAlertmanager(env: BenchEnv, body: unknown): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${env.url}/api/v1/alerts/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_AM_SECRET}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status === 200) return;
    if (res.status !== 503 || attempt >= 60)
      throw new Error(`webhook refused: ${res.status} ${await res.text()}`);
    retried.count++;
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
  }
}

/** Runs `task(i)` for i in [0, n) with `concurrency` in flight; returns each call's latency in ms. */
export async function runConcurrent(
  n: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await task(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - start) / 1000 };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** bench/results/NAME.json plus a dated line with the machine in bench/RESULTS.md. */
export function writeResults(name: string, figures: Record<string, unknown>, summary: string): void {
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, `bench/results/${name}.json`), JSON.stringify(figures, null, 2) + '\n');
  const machine = `${os.cpus().length} cores ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const file = path.join(root, 'bench/RESULTS.md');
  if (!existsSync(file)) {
    writeFileSync(
      file,
      '# Benchmark results\n\nOne line per run: date, benchmark, machine, figures. Raw figures in `bench/results/NAME.json`.\n\n',
    );
  }
  appendFileSync(
    file,
    `- ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — **${name}** — ${machine} — ${summary}\n`,
  );
  log(`wrote bench/results/${name}.json and a line in bench/RESULTS.md`);
}

/**
 * `n` open incidents started straight through the Temporal client (ids from `firstNumber`),
 * severities in turn; resolves once visibility lists them all and their first tasks settled.
 */
export async function seedIncidents(
  env: BenchEnv,
  n: number,
  firstNumber: number,
  severities: readonly Severity[] = SEVERITIES,
): Promise<void> {
  log(`seeding ${n} incidents through the Temporal client`);
  await runConcurrent(n, 32, async (i) => {
    const id = `INC-${firstNumber + i}`;
    const input: IncidentInput = {
      id,
      actor: 'bench',
      request: {
        title: `seeded ${i}`,
        description: '',
        severity: severities[i % severities.length],
        affected_services: ['bench-seeded'],
      },
    };
    await env.client.workflow.start<typeof incident>('incident', {
      workflowId: id,
      taskQueue: env.taskQueue,
      args: [input],
    });
  });
  const listed = `WorkflowType = 'incident' AND IncidentServices = 'bench-seeded'`;
  while ((await env.client.workflow.count(listed)).count < n) await new Promise((r) => setTimeout(r, 1000));
  await new Promise((r) => setTimeout(r, 10_000)); // let the first workflow tasks and upserts settle
  log(`    ${n} seeded incidents listed`);
}
