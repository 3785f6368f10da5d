/**
 * bench:ingest — alert intake throughput against the raw Temporal client, in one run on one
 * dev server (issue "Alerts"):
 *  (a) raw signalWithStart calls/s from a Temporal client (the same call the API makes),
 *  (b) alerts/s through POST /api/v1/alerts/alertmanager, 80% duplicates over 50 keys, 20% new,
 *      (a) and (b) in alternating rounds of the same size;
 *  (c) 10,000 distinct open incidents: worker RSS and p99 of GET /api/v1/incidents.
 */
import { alertGroupId } from '../api/alerts/intake';
import { DEFAULT_ALERT_POLICY, type AlertEvent } from '../domain/alerts';
import { alertsSignal, type AlertGroupInput } from '../workflows/definitions';
import { GENERATION } from '../workflows/patches';
import {
  BENCH_TOKEN,
  log,
  postAlertmanager,
  percentile,
  round,
  runConcurrent,
  startBenchEnv,
  writeResults,
} from './support/common';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const CONCURRENCY = 32;
const HOT_KEYS = 50;
const OPEN_INCIDENTS = Number(process.env.BENCH_OPEN_INCIDENTS ?? 10_000);
const CHUNK = 500;

/** 80% of calls hit one of 50 hot keys, 20% a key never seen before. */
const keyFor = (prefix: string, i: number) =>
  i % 5 === 4 ? `${prefix}-new-${i}` : `${prefix}-hot-${i % HOT_KEYS}`;

function webhook(service: string, groupKey: string) {
  return {
    version: '4',
    receiver: 'tourniquet',
    status: 'firing',
    groupKey,
    truncatedAlerts: 0,
    groupLabels: { alertname: 'BenchAlert' },
    commonLabels: { alertname: 'BenchAlert', service },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.local',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'BenchAlert', service, severity: 'warning' },
        annotations: { summary: `bench ${groupKey}` },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: groupKey,
      },
    ],
  };
}

async function main() {
  const env = await startBenchEnv();
  const post = (body: unknown) => postAlertmanager(env, body);
  const countIncidents = async (service: string) =>
    (
      await env.client.workflow.count(
        `WorkflowType = 'incident' AND ExecutionStatus != 'ContinuedAsNew' AND IncidentServices = '${service}'`,
      )
    ).count;
  /** Polls visibility until `expected` incidents exist for the service (10 minutes at most). */
  const waitForIncidents = async (service: string, expected: number, everyMs = 1000) => {
    let n = 0;
    for (let t = 0; t < 600_000 / everyMs; t++) {
      n = await countIncidents(service);
      if (n >= expected) break;
      if (t % Math.round(15_000 / everyMs) === 0) log(`    ${n}/${expected} incidents open for ${service}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
    return n;
  };
  try {
    log('warm-up');
    await runConcurrent(100, 8, (i) => post(webhook('bench-warm', `warm-${i % 10}`)));

    // (a) and (b) alternate in rounds, so both see the same background load (the worker
    // opening incidents for new keys lags the calls that create them).
    const ROUNDS = 8;
    const perRound = Math.ceil(CALLS / ROUNDS);
    const raw = { latencies: [] as number[], seconds: 0 };
    const api = { latencies: [] as number[], seconds: 0 };
    const keysUsed = new Set<string>();
    const signalRaw = async (i: number) => {
      const key = keyFor('raw', i);
      const event: AlertEvent = {
        source: 'alertmanager',
        dedup_key: key,
        action: 'trigger',
        fingerprint: key,
        summary: `raw ${key}`,
        severity: 'SEV3',
        services: ['bench-raw'],
        labels: {},
        received_at: new Date().toISOString(),
      };
      const input: AlertGroupInput = {
        source: 'alertmanager',
        dedup_key: key,
        taskQueue: env.taskQueue,
        alertPolicy: DEFAULT_ALERT_POLICY,
        generation: GENERATION,
      };
      await env.client.workflow.signalWithStart('alertGroup', {
        workflowId: alertGroupId('alertmanager', key),
        taskQueue: env.taskQueue,
        args: [input],
        signal: alertsSignal,
        signalArgs: [[event]],
      });
    };
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      const offset = round_ * perRound;
      const a = await runConcurrent(perRound, CONCURRENCY, (i) => signalRaw(offset + i));
      raw.latencies.push(...a.latencies);
      raw.seconds += a.seconds;
      const b = await runConcurrent(perRound, CONCURRENCY, async (i) => {
        const key = keyFor('api', offset + i);
        keysUsed.add(key);
        await post(webhook('bench-api', key));
      });
      api.latencies.push(...b.latencies);
      api.seconds += b.seconds;
      log(
        `    round ${round_ + 1}/${ROUNDS}: raw ${round(perRound / a.seconds)}/s, API ${round(perRound / b.seconds)}/s`,
      );
    }
    const rawPerS = (perRound * ROUNDS) / raw.seconds;
    const apiPerS = (perRound * ROUNDS) / api.seconds;
    log(
      `(a) raw signalWithStart: ${round(rawPerS)}/s, p50 ${round(percentile(raw.latencies, 50))} ms, p99 ${round(percentile(raw.latencies, 99))} ms`,
    );
    log(
      `(b) POST /api/v1/alerts/alertmanager: ${round(apiPerS)}/s, p50 ${round(percentile(api.latencies, 50))} ms, p99 ${round(percentile(api.latencies, 99))} ms`,
    );

    await waitForIncidents('bench-api', keysUsed.size);
    await new Promise((r) => setTimeout(r, 2000)); // a duplicate would show up late: look again
    const createdFinal = await countIncidents('bench-api');
    log(`    ${createdFinal} incidents for ${keysUsed.size} keys`);

    // Paced in chunks: blasting 10,000 new keys at once leaves a backlog the dev server's single
    // SQLite connection dispatches at under 10 tasks/s; a storm of new keys is not this test.
    log(`(c) opening ${OPEN_INCIDENTS} distinct incidents, ${CHUNK} at a time`);
    const started = performance.now();
    let open = 0;
    for (let from = 0; from < OPEN_INCIDENTS; from += CHUNK) {
      const n = Math.min(CHUNK, OPEN_INCIDENTS - from);
      await runConcurrent(n, CONCURRENCY, (i) => post(webhook('bench-open', `open-${from + i}`)));
      open = await waitForIncidents('bench-open', from + n, 250);
      log(`    ${open} open after ${round((performance.now() - started) / 1000)} s`);
    }
    const openSeconds = (performance.now() - started) / 1000;
    const totalOpen = (
      await env.client.workflow.count(`WorkflowType = 'incident' AND ExecutionStatus = 'Running'`)
    ).count;
    log(`    ${open} bench incidents open (${totalOpen} in all); measuring GET /api/v1/incidents`);
    const list = await runConcurrent(30, 1, async () => {
      const res = await fetch(`${env.url}/api/v1/incidents?limit=50`, {
        headers: { authorization: `Bearer ${BENCH_TOKEN}` },
      });
      if (res.status !== 200) throw new Error(`list failed: ${res.status}`);
      await res.json();
    });
    const rss = env.workerRssMb();

    const figures = {
      raw_per_s: round(rawPerS),
      api_per_s: round(apiPerS),
      ratio: round(apiPerS / rawPerS, 3),
      p50_ms: round(percentile(api.latencies, 50)),
      p99_ms: round(percentile(api.latencies, 99)),
      raw_p99_ms: round(percentile(raw.latencies, 99)),
      keys: keysUsed.size,
      incidents_created: createdFinal,
      open_incidents: totalOpen,
      worker_rss_mb: round(rss),
      list_p99_ms: round(percentile(list.latencies, 99)),
      // #18: new incidents per second from a storm of distinct keys (c), against raw starts (a).
      new_incidents_per_s: round(OPEN_INCIDENTS / openSeconds),
      raw_starts_per_s: round(rawPerS),
      open_ratio: round(OPEN_INCIDENTS / openSeconds / rawPerS, 3),
      p99_ratio: round(percentile(api.latencies, 99) / percentile(raw.latencies, 99), 2),
    };
    console.log(JSON.stringify(figures, null, 2));
    const goals = [
      `ratio ${figures.ratio} (goal ≥ 0.9: ${figures.ratio >= 0.9 ? 'met' : 'MISSED'}), p99 ratio ${figures.p99_ratio} (goal ≤ 1.2: ${figures.p99_ratio <= 1.2 ? 'met' : 'MISSED'})`,
      `new incidents ${figures.new_incidents_per_s}/s vs raw starts ${figures.raw_starts_per_s}/s: ${figures.open_ratio} (goal ≥ 0.33: ${figures.open_ratio >= 0.33 ? 'met' : 'MISSED'})`,
      `one incident per key: ${createdFinal === keysUsed.size ? 'yes' : `NO (${createdFinal} for ${keysUsed.size})`}`,
      `worker RSS ${figures.worker_rss_mb} MB with ${totalOpen} open (goal ≤ 1536: ${figures.worker_rss_mb <= 1536 ? 'met' : 'MISSED'})`,
    ];
    writeResults(
      'ingest',
      figures,
      `raw ${figures.raw_per_s}/s, API ${figures.api_per_s}/s (p50 ${figures.p50_ms} / p99 ${figures.p99_ms} ms; raw p99 ${figures.raw_p99_ms} ms), ${goals.join('; ')}, list p99 ${figures.list_p99_ms} ms`,
    );
  } finally {
    await env.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
