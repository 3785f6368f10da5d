/**
 * bench:alert-to-action — from an Alertmanager webhook arriving to the first (read) step of
 * the matched runbook starting, over 200 alerts with distinct keys (issue "Runbooks").
 * Baseline in the same run: a raw client signalWithStart to the alert-group workflow until
 * its first activity starts. Both end points are the server's ActivityTaskStarted event time.
 */
import { temporal } from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import { alertGroupId } from '../api/alerts/intake';
import { DEFAULT_ALERT_POLICY, type AlertEvent } from '../domain/alerts';
import { alertsSignal, alertGroupQuery, type AlertGroupInput } from '../workflows/definitions';
import { BENCH_AM_SECRET, log, percentile, round, runConcurrent, startBenchEnv, writeResults } from './support/common';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const CONCURRENCY = 4;
const { EventType } = temporal.api.enums.v1;

/** Server time of the first ActivityTaskStarted in a workflow's history (polls until there). */
async function firstActivityStart(client: Client, workflowId: string): Promise<number> {
  for (let i = 0; i < 600; i++) {
    try {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const ev = history.events?.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
      if (ev?.eventTime) return Number(ev.eventTime.seconds) * 1000 + Math.floor((ev.eventTime.nanos ?? 0) / 1e6);
    } catch {
      /* not started yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no activity started in ${workflowId}`);
}

async function main() {
  const env = await startBenchEnv();
  try {
    const tag = Date.now().toString(36);
    log(`raw: ${SAMPLES} signalWithStart calls, until the first activity starts`);
    const raw: number[] = [];
    await runConcurrent(SAMPLES, CONCURRENCY, async (i) => {
      const key = `raw-${tag}-${i}`;
      const event: AlertEvent = { source: 'alertmanager', dedup_key: key, action: 'trigger', fingerprint: key, summary: key, severity: 'SEV4', services: ['bench-raw'], labels: {}, received_at: new Date().toISOString() };
      const input: AlertGroupInput = { source: 'alertmanager', dedup_key: key, taskQueue: env.taskQueue, alertPolicy: DEFAULT_ALERT_POLICY };
      const workflowId = alertGroupId('alertmanager', key);
      const t0 = Date.now();
      await env.client.workflow.signalWithStart('alertGroup', { workflowId, taskQueue: env.taskQueue, args: [input], signal: alertsSignal, signalArgs: [[event]] });
      raw.push((await firstActivityStart(env.client, workflowId)) - t0);
    });
    log(`    p50 ${round(percentile(raw, 50))} ms, p99 ${round(percentile(raw, 99))} ms`);

    log(`alert → runbook step: ${SAMPLES} Alertmanager webhooks with distinct keys`);
    const ours: number[] = [];
    await runConcurrent(SAMPLES, CONCURRENCY, async (i) => {
      const groupKey = `a2a-${tag}-${i}`;
      const body = {
        version: '4', status: 'firing', groupKey, receiver: 'tourniquet',
        alerts: [{ status: 'firing', labels: { alertname: 'HighErrorRateAfterDeploy', service: 'bench-a2a', namespace: 'shop', deployment: 'checkout', severity: 'error' }, annotations: { summary: 'errors after deploy' }, fingerprint: groupKey }],
      };
      const t0 = Date.now();
      const res = await fetch(`${env.url}/api/v1/alerts/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${BENCH_AM_SECRET}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status !== 200) throw new Error(`webhook refused: ${res.status}`);
      let incident: string | undefined;
      for (let t = 0; t < 600 && !incident; t++) {
        incident = (await env.client.workflow.getHandle(alertGroupId('alertmanager', groupKey)).query(alertGroupQuery).catch(() => undefined))?.openIncident;
        if (!incident) await new Promise((r) => setTimeout(r, 50));
      }
      if (!incident) throw new Error(`no incident for ${groupKey}`);
      ours.push((await firstActivityStart(env.client, `${incident}-rb-1`)) - t0);
    });
    log(`    p50 ${round(percentile(ours, 50))} ms, p99 ${round(percentile(ours, 99))} ms`);

    const figures = {
      p50_ms: round(percentile(ours, 50)),
      p99_ms: round(percentile(ours, 99)),
      raw_p50_ms: round(percentile(raw, 50)),
      raw_p99_ms: round(percentile(raw, 99)),
      samples: ours.length,
    };
    console.log(JSON.stringify(figures, null, 2));
    const met = (v: number, goal: number) => (v <= goal ? 'met' : 'MISSED');
    writeResults(
      'alert-to-action',
      figures,
      `alert → first runbook step p50 ${figures.p50_ms} ms (goal ≤ 150: ${met(figures.p50_ms, 150)}), p99 ${figures.p99_ms} ms (goal ≤ 500: ${met(figures.p99_ms, 500)}); raw signalWithStart → activity p50 ${figures.raw_p50_ms} / p99 ${figures.raw_p99_ms} ms; ${figures.samples} samples at concurrency ${CONCURRENCY}`,
    );
  } finally {
    await env.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
