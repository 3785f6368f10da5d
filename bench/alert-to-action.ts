/**
 * bench:alert-to-action — from an Alertmanager webhook arriving to the first (read) step of
 * the matched runbook starting, over 200 alerts with distinct keys (issue "Runbooks").
 * Baseline in the same run: a raw client signalWithStart of a runbook workflow until its
 * first activity starts. Both end points are the server's ActivityTaskStarted event time.
 */
import { alertGroupId } from '../api/alerts/intake';
import { alertGroupQuery, alertsSignal } from '../workflows/definitions';
import type { RunbookRunInput } from '../workflows/runbook';
import {
  activityStartedAt,
  log,
  postAlertmanager,
  percentile,
  round,
  runConcurrent,
  startBenchEnv,
  writeResults,
} from './support/common';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const CONCURRENCY = 4;

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
    log(`raw: ${SAMPLES} signalWithStart calls of a runbook workflow, until its first activity starts`);
    const raw: number[] = [];
    await runConcurrent(SAMPLES, CONCURRENCY, async (i) => {
      const workflowId = `raw-${tag}-${i}`;
      const input: RunbookRunInput = {
        incidentId: `none-${workflowId}`,
        runId: `${workflowId}-rb-1`,
        name: 'rollback-deployment',
        params: { namespace: 'shop', deployment: 'checkout' },
        startedBy: 'bench',
        severity: 'SEV3',
      };
      const t0 = Date.now();
      await env.client.workflow.signalWithStart('runbookRun', {
        workflowId,
        taskQueue: env.taskQueue,
        args: [input],
        signal: alertsSignal,
        signalArgs: [[]],
      });
      raw.push((await activityStartedAt(env.client, workflowId)) - t0);
    });
    log(`    p50 ${round(percentile(raw, 50))} ms, p99 ${round(percentile(raw, 99))} ms`);

    log(`alert → runbook step: ${SAMPLES} Alertmanager webhooks with distinct keys`);
    const ours: number[] = [];
    await runConcurrent(SAMPLES, CONCURRENCY, async (i) => {
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
      let incident: string | undefined;
      for (let t = 0; t < 600 && !incident; t++) {
        incident = (
          await env.client.workflow
            .getHandle(alertGroupId('alertmanager', groupKey))
            .query(alertGroupQuery)
            .catch(() => undefined)
        )?.openIncident;
        if (!incident) await new Promise((r) => setTimeout(r, 50));
      }
      if (!incident) throw new Error(`no incident for ${groupKey}`);
      ours.push((await activityStartedAt(env.client, `${incident}-rb-1`, 'k8sRolloutState')) - t0); // the read step
    });
    log(`    p50 ${round(percentile(ours, 50))} ms, p99 ${round(percentile(ours, 99))} ms`);

    const figures = {
      p50_ms: round(percentile(ours, 50)),
      p99_ms: round(percentile(ours, 99)),
      raw_p50_ms: round(percentile(raw, 50)),
      raw_p99_ms: round(percentile(raw, 99)),
      // #18's goal: ≤ 1.5× the raw Temporal floor measured in the same run, at p50 and p99.
      p50_ratio: round(percentile(ours, 50) / percentile(raw, 50), 2),
      p99_ratio: round(percentile(ours, 99) / percentile(raw, 99), 2),
      samples: ours.length,
    };
    console.log(JSON.stringify(figures, null, 2));
    const met = (v: number, goal: number) => (v <= goal ? 'met' : 'MISSED');
    writeResults(
      'alert-to-action',
      figures,
      `alert → first runbook step p50 ${figures.p50_ms} ms (goal ≤ 150: ${met(figures.p50_ms, 150)}), p99 ${figures.p99_ms} ms (goal ≤ 500: ${met(figures.p99_ms, 500)}); raw signalWithStart → first activity p50 ${figures.raw_p50_ms} / p99 ${figures.raw_p99_ms} ms; ratio p50 ${figures.p50_ratio} / p99 ${figures.p99_ratio} (goal ≤ 1.5: ${figures.p50_ratio <= 1.5 && figures.p99_ratio <= 1.5 ? 'met' : 'MISSED'}); ${figures.samples} samples at concurrency ${CONCURRENCY}`,
    );
  } finally {
    await env.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
