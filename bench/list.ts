/**
 * bench:list — a page of 50 incidents in every supported order with N incidents (default
 * 10,000, #18), beside the raw Temporal baseline measured in the same run: one visibility
 * page of 50 rows from the client. Newest first reads visibility directly; the other orders
 * come from the API's index (api/incident-index.ts), whose first full read is timed apart.
 */
import {
  BENCH_TOKEN,
  log,
  percentile,
  round,
  seedIncidents,
  startBenchEnv,
  writeResults,
} from './support/common';
import { SORT_KEYS } from '../api/schemas';

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 20);

async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

async function main() {
  const env = await startBenchEnv();
  try {
    await seedIncidents(env, INCIDENTS, 700_000);
    const api = (q: string) => async () => {
      const res = await fetch(`${env.url}/api/v1/incidents?limit=50${q}`, {
        headers: { authorization: `Bearer ${BENCH_TOKEN}` },
      });
      if (res.status !== 200) throw new Error(`list: ${res.status}`);
      await res.json();
    };
    const raw = await timed(SAMPLES, async () => {
      const it = env.client.workflow
        .list({ query: `WorkflowType = 'incident'`, pageSize: 50 })
        [Symbol.asyncIterator]();
      for (let i = 0; i < 50; i++) await it.next();
      await it.return?.();
    });
    // The index's first read (every row), which a replica pays once after it starts.
    const firstRead = await timed(1, api('&sort=severity&order=desc'));
    const byOrder: Record<string, number> = {};
    const p50ByOrder: Record<string, number> = {};
    for (const sort of SORT_KEYS) {
      for (const order of ['desc', 'asc']) {
        const t = await timed(SAMPLES, api(`&sort=${sort}&order=${order}`));
        byOrder[`${sort}_${order}`] = round(percentile(t, 99), 0);
        p50ByOrder[`${sort}_${order}`] = round(percentile(t, 50), 0);
      }
    }
    const worst = Math.max(...Object.values(byOrder));
    const figures = {
      incidents: INCIDENTS,
      raw_page_p50_ms: round(percentile(raw, 50), 0),
      raw_page_p99_ms: round(percentile(raw, 99), 0),
      p99_ms_by_order: byOrder,
      p50_ms_by_order: p50ByOrder,
      worst_order_p99_ms: worst,
      index_first_read_ms: round(firstRead[0], 0),
      samples_per_order: SAMPLES,
    };
    log(JSON.stringify(figures));
    const each = Object.entries(byOrder)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    writeResults(
      'list',
      figures,
      `${INCIDENTS} incidents, a page of 50, p99 by order (ms): ${each}; worst ${worst} ms (goal ≤ 300: ${worst <= 300 ? 'met' : 'MISSED'}); raw visibility page p50 ${figures.raw_page_p50_ms} / p99 ${figures.raw_page_p99_ms} ms; the index's first full read ${figures.index_first_read_ms} ms`,
    );
  } finally {
    await env.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
