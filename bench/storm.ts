/**
 * bench:storm — an alert storm into one Alertmanager group (issue "Storm-proof incidents"):
 * 100,000 alerts over 20,000 distinct fingerprints, in webhooks of 100, 16 senders, through
 * POST /api/v1/alerts/alertmanager; against raw signalWithStart of the same 100-alert
 * batches into one alert group, in alternating rounds on the same dev server. Then: the time
 * until the incident shows every alert counted, and GET of that incident p99 and size.
 */
import { alertGroupId } from '../api/alerts/intake';
import { DEFAULT_ALERT_POLICY, type AlertEvent } from '../domain/alerts';
import { alertsSignal, type AlertGroupInput } from '../workflows/definitions';
import { GENERATION } from '../workflows/patches';
import {
  BENCH_TOKEN,
  log,
  percentile,
  postAlertmanager,
  retried,
  round,
  runConcurrent,
  startBenchEnv,
  writeResults,
} from './support/common';

const ALERTS = Number(process.env.BENCH_ALERTS ?? 100_000);
const DISTINCT = Number(process.env.BENCH_DISTINCT ?? 20_000);
const PER_WEBHOOK = 100;
const SENDERS = 16;
const ROUNDS = 5;
/** The raw baseline sends a fifth as many alerts: enough for a steady rate, less load on the worker. */
const RAW_SHARE = 0.2;

const fingerprint = (n: number) => `storm-pod-${n % DISTINCT}`;
const webhook = (k: number) => ({
  version: '4',
  status: 'firing',
  groupKey: 'bench-storm',
  alerts: Array.from({ length: PER_WEBHOOK }, (_, j) => {
    const fp = fingerprint(k * PER_WEBHOOK + j);
    return {
      status: 'firing',
      labels: { alertname: 'NodeNotReady', service: 'bench-storm', pod: fp, severity: 'critical' },
      annotations: { summary: `${fp} lost its node` },
      fingerprint: fp,
    };
  }),
});

async function main() {
  const env = await startBenchEnv();
  const rawEvents = (k: number): AlertEvent[] =>
    Array.from({ length: PER_WEBHOOK }, (_, j) => {
      const fp = fingerprint(k * PER_WEBHOOK + j);
      return {
        source: 'alertmanager',
        dedup_key: 'bench-storm-raw',
        action: 'trigger',
        fingerprint: fp,
        summary: `${fp} lost its node`,
        severity: 'SEV1',
        services: ['bench-storm-raw'],
        labels: { alertname: 'NodeNotReady', pod: fp },
        received_at: new Date().toISOString(),
      };
    });
  const input: AlertGroupInput = {
    source: 'alertmanager',
    dedup_key: 'bench-storm-raw',
    taskQueue: env.taskQueue,
    alertPolicy: DEFAULT_ALERT_POLICY,
    generation: GENERATION,
  };
  const signalRaw = (k: number) =>
    env.client.workflow
      .signalWithStart('alertGroup', {
        workflowId: alertGroupId('alertmanager', 'bench-storm-raw'),
        taskQueue: env.taskQueue,
        args: [input],
        signal: alertsSignal,
        signalArgs: [rawEvents(k)],
      })
      .then(() => undefined);
  try {
    const webhooks = ALERTS / PER_WEBHOOK;
    const rawCalls = Math.round(webhooks * RAW_SHARE);
    const raw = { n: 0, seconds: 0 };
    const api = { n: 0, seconds: 0, latencies: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      const a = await runConcurrent(rawCalls / ROUNDS, SENDERS, (i) =>
        signalRaw(r * (rawCalls / ROUNDS) + i),
      );
      raw.n += (rawCalls / ROUNDS) * PER_WEBHOOK;
      raw.seconds += a.seconds;
      const offset = r * (webhooks / ROUNDS);
      const b = await runConcurrent(webhooks / ROUNDS, SENDERS, (i) =>
        postAlertmanager(env, webhook(offset + i)),
      );
      api.n += (webhooks / ROUNDS) * PER_WEBHOOK;
      api.seconds += b.seconds;
      api.latencies.push(...b.latencies);
      log(
        `round ${r + 1}/${ROUNDS}: raw ${round(raw.n / raw.seconds)} alerts/s, API ${round(api.n / api.seconds)} alerts/s`,
      );
    }
    const sent = performance.now();
    const headers = { authorization: `Bearer ${BENCH_TOKEN}` };
    const read = async () => {
      const list = (await (
        await fetch(`${env.url}/api/v1/incidents?service=bench-storm`, { headers })
      ).json()) as {
        incidents: { id: string }[];
      };
      return list.incidents;
    };
    let id: string | undefined;
    let counts: { received?: number; distinct?: number } = {};
    let incidents = 0;
    for (let t = 0; t < 1200 && counts.received !== ALERTS; t++) {
      const rows = await read();
      incidents = rows.length;
      id = rows[0]?.id;
      if (id) {
        const body = (await (await fetch(`${env.url}/api/v1/incidents/${id}`, { headers })).json()) as {
          alert_counts?: typeof counts;
        };
        counts = body.alert_counts ?? {};
      }
      if (t % 20 === 0) log(`settling: ${counts.received ?? 0}/${ALERTS} counted`);
      if (counts.received !== ALERTS) await new Promise((r) => setTimeout(r, 500));
    }
    const settle = (performance.now() - sent) / 1000;
    if (counts.received !== ALERTS) await dumpWorkflows(env);
    const gets: number[] = [];
    let bytes = 0;
    for (let k = 0; k < 200; k++) {
      const t = performance.now();
      const text = await (await fetch(`${env.url}/api/v1/incidents/${id}`, { headers })).text();
      gets.push(performance.now() - t);
      bytes = text.length;
    }
    const rawPerS = raw.n / raw.seconds;
    const apiPerS = api.n / api.seconds;
    const figures = {
      raw_per_s: round(rawPerS),
      api_per_s: round(apiPerS),
      ratio: round(apiPerS / rawPerS, 2),
      alerts: ALERTS,
      distinct: counts.distinct ?? 0,
      counted: counts.received ?? 0,
      incidents,
      settle_s: round(settle),
      get_p99_ms: round(percentile(gets, 99)),
      get_p50_ms: round(percentile(gets, 50)),
      record_bytes: bytes,
      webhook_p99_ms: round(percentile(api.latencies, 99)),
      retried_503: retried.count,
    };
    log(JSON.stringify(figures));
    writeResults(
      'storm',
      figures,
      `${ALERTS} alerts (${DISTINCT} distinct) into one group: API ${figures.api_per_s}/s vs raw ${figures.raw_per_s}/s (ratio ${figures.ratio}), ${figures.counted} counted in ${incidents} incident(s) after ${figures.settle_s} s, GET p99 ${figures.get_p99_ms} ms, ${bytes} bytes`,
    );
  } finally {
    await env.close();
  }
}

/** When the counts do not settle: every workflow's state, for the report. */
async function dumpWorkflows(env: Awaited<ReturnType<typeof startBenchEnv>>) {
  for await (const wf of env.client.workflow.list({ query: `ExecutionStatus != 'ContinuedAsNew'` })) {
    const d = await env.client.workflow.getHandle(wf.workflowId, wf.runId).describe();
    const raw = d.raw;
    log(
      `${wf.type} ${wf.workflowId} ${wf.status.name} events=${d.historyLength} bytes=${String(raw.workflowExecutionInfo?.historySizeBytes)} task=${JSON.stringify(raw.pendingWorkflowTask ?? null)}`,
    );
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
