/**
 * bench:alert-to-action — from an Alertmanager webhook arriving to the first (read) step of
 * the matched runbook starting, over 200 alerts with distinct keys (issue "Runbooks").
 * Baseline in the same run: a raw client signalWithStart of a one-activity workflow (a page
 * delivery) until its activity starts — the fewest hops Temporal allows. Both end points are the server's ActivityTaskStarted event time.
 */
import { alertGroupId } from '../api/alerts/intake';
import { alertsSignal } from '../workflows/definitions';
import type { PageDeliveryInput } from '../workflows/page-delivery';
import {
  activityStartedAt,
  type BenchEnv,
  childStarted,
  log,
  postAlertmanager,
  percentile,
  round,
  runConcurrent,
  startBenchEnv,
  writeResults,
} from './support/common';
import { Hops, timedEvents, timeOf } from './support/hops';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const WARMUP = 20;

async function main() {
  // The alerts' service, catalogued: rollback-deployment may run for it (its first step only reads).
  const env = await startBenchEnv({
    services: {
      'bench-a2a': {
        owner: 'bench',
        kubernetes: { namespace: 'shop', deployments: ['checkout'] },
        runbooks: { 'rollback-deployment': {} },
      },
    },
  });
  try {
    const tag = Date.now().toString(36);
    log(`raw: ${SAMPLES} signalWithStart calls of a one-activity workflow, until its activity starts`);
    const raw: number[] = [];
    // Each side first warms up unmeasured (the worker's first workflows of a type are slow).
    const measured = (i: number) => i >= WARMUP;
    await runConcurrent(WARMUP + SAMPLES, CONCURRENCY, async (i) => {
      const workflowId = `raw-${tag}-${i}`;
      const t0 = Date.now();
      await env.client.workflow.signalWithStart('pageDelivery', {
        workflowId,
        taskQueue: env.taskQueue,
        args: [rawDelivery(workflowId)],
        signal: alertsSignal,
        signalArgs: [[]],
      });
      const started = await activityStartedAt(env.client, workflowId);
      if (measured(i)) raw.push(started - t0);
    });
    log(`    p50 ${round(percentile(raw, 50))} ms, p99 ${round(percentile(raw, 99))} ms`);

    log(`alert → runbook step: ${SAMPLES} Alertmanager webhooks with distinct keys`);
    const ours: number[] = [];
    const paths: { t0: number; groupId: string; incident: string }[] = [];
    await runConcurrent(WARMUP + SAMPLES, CONCURRENCY, async (i) => {
      const groupKey = `a2a-${tag}-${i}`;
      const body = {
        version: '4',
        status: 'firing',
        groupKey,
        receiver: 'tourniquet',
        alerts: [
          {
            status: 'firing',
            labels: {
              alertname: 'HighErrorRateAfterDeploy',
              service: 'bench-a2a',
              namespace: 'shop',
              deployment: 'checkout',
              severity: 'error',
            },
            annotations: { summary: 'errors after deploy' },
            fingerprint: groupKey,
          },
        ],
      };
      const t0 = Date.now();
      await postAlertmanager(env, body);
      // Polled like the raw floor (its history every 50 ms): a query would add a worker task per poll.
      const incident = await childStarted(env.client, alertGroupId('alertmanager', groupKey), 'incident');
      const started = await activityStartedAt(env.client, `${incident}-rb-1`, 'k8sRolloutState'); // the read step
      if (!measured(i)) return;
      ours.push(started - t0);
      paths.push({ t0, groupId: alertGroupId('alertmanager', groupKey), incident });
    });
    log(`    p50 ${round(percentile(ours, 50))} ms, p99 ${round(percentile(ours, 99))} ms`);

    const hops = new Hops();
    for (const p of paths) hops.add(await alertHops(env.client, p));
    if (process.env.BENCH_TRACE) await trace(env.client, paths[Math.floor(paths.length / 2)]);
    log(`    per hop (p50/p99 ms): ${hops.line()}`);

    const figures = {
      p50_ms: round(percentile(ours, 50)),
      p99_ms: round(percentile(ours, 99)),
      raw_p50_ms: round(percentile(raw, 50)),
      raw_p99_ms: round(percentile(raw, 99)),
      // #18's goal: ≤ 1.5× the raw Temporal floor measured in the same run, at p50 and p99.
      p50_ratio: round(percentile(ours, 50) / percentile(raw, 50), 2),
      p99_ratio: round(percentile(ours, 99) / percentile(raw, 99), 2),
      samples: ours.length,
      hops: hops.summary(),
    };
    console.log(JSON.stringify(figures, null, 2));
    const met = (v: number, goal: number) => (v <= goal ? 'met' : 'MISSED');
    writeResults(
      'alert-to-action',
      figures,
      `alert → first runbook step p50 ${figures.p50_ms} ms (goal ≤ 150: ${met(figures.p50_ms, 150)}), p99 ${figures.p99_ms} ms (goal ≤ 500: ${met(figures.p99_ms, 500)}); raw signalWithStart → first activity p50 ${figures.raw_p50_ms} / p99 ${figures.raw_p99_ms} ms; hops p50/p99 ms: ${hops.line()}; ratio p50 ${figures.p50_ratio} / p99 ${figures.p99_ratio} (goal ≤ 1.5: ${figures.p50_ratio <= 1.5 && figures.p99_ratio <= 1.5 ? 'met' : 'MISSED'}); ${figures.samples} samples at concurrency ${CONCURRENCY}`,
    );
  } finally {
    await env.close();
  }
}

/** The raw floor's workflow: a page delivery (one activity, to the log notifier) with no incident behind it. */
function rawDelivery(id: string): PageDeliveryInput {
  const at = new Date().toISOString();
  return {
    incidentId: `none-${id}`,
    notifier: 'log',
    notification: {
      idempotency_key: id,
      kind: 'page',
      to: 'bench',
      reason: 'raw floor',
      due_at: at,
      sent_at: at,
      incident: {
        id,
        title: 'raw',
        severity: 'SEV3',
        status: 'triggered',
        affected_services: [],
        created_at: at,
      },
      what_broke: '',
      impact: '',
      verify: [],
      try_first: '',
      who_to_call: '',
      links: { incident: 'http://127.0.0.1/', acknowledge: 'http://127.0.0.1/' },
      signed_links: false,
      approvals: [],
    },
  };
}

/** Where one alert's time went, hop by hop, from the alert group's and the run's histories. */
async function alertHops(
  client: BenchEnv['client'],
  p: { t0: number; groupId: string; incident: string },
): Promise<Record<string, number>> {
  const group = await timedEvents(client, p.groupId);
  const run = await timedEvents(client, `${p.incident}-rb-1`);
  const groupStarted = timeOf(group, 'WORKFLOW_EXECUTION_STARTED');
  const groupTask = timeOf(group, 'WORKFLOW_TASK_STARTED');
  const runAsked = timeOf(group, 'START_CHILD_WORKFLOW_EXECUTION_INITIATED');
  const runStarted = timeOf(run, 'WORKFLOW_EXECUTION_STARTED');
  const runTask = timeOf(run, 'WORKFLOW_TASK_STARTED');
  const scheduled = run.find(
    (e) => e.event.activityTaskScheduledEventAttributes?.activityType?.name === 'k8sRolloutState',
  );
  if (!scheduled) throw new Error('no k8sRolloutState scheduled');
  const stepStarted = timeOf(
    run,
    'ACTIVITY_TASK_STARTED',
    (e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled.event.eventId),
  );
  return {
    api_to_group: groupStarted - p.t0,
    group_task_dispatch: groupTask - groupStarted,
    group_task: runAsked - groupTask, // incident number, then both children asked for
    run_start: runStarted - runAsked,
    run_task_dispatch: runTask - runStarted,
    run_task: scheduled.at - runTask, // config reads (local activities), then the step
    step_dispatch: stepStarted - scheduled.at,
  };
}

/** BENCH_TRACE=1: one alert's three histories, event by event, in ms after its webhook. */
async function trace(client: BenchEnv['client'], p: { t0: number; groupId: string; incident: string }) {
  for (const id of [p.groupId, p.incident, `${p.incident}-rb-1`]) {
    console.log(`## ${id}`);
    for (const e of await timedEvents(client, id)) {
      const a = e.event.activityTaskScheduledEventAttributes?.activityType?.name;
      const m = e.event.markerRecordedEventAttributes?.markerName;
      console.log(`${String(e.at - p.t0).padStart(6)} ${e.type} ${a ?? m ?? ''}`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
