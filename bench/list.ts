/**
 * bench:list — the incident list as the console polls it (newest first, 50 rows) with N
 * incidents, beside a list in another order (which reads every row) and the raw Temporal
 * baseline measured in the same run: one visibility page of 50 rows from the client.
 */
import {
  BENCH_TOKEN,
  log,
  percentile,
  round,
  runConcurrent,
  startBenchEnv,
  writeResults,
} from './support/common';
import type { IncidentInput } from '../workflows/definitions';
import type { incident } from '../workflows';

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 3000);
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
    log(`seeding ${INCIDENTS} incidents through the Temporal client`);
    await runConcurrent(INCIDENTS, 32, async (i) => {
      const id = `INC-${700_000 + i}`;
      const input: IncidentInput = {
        id,
        actor: 'bench',
        request: { title: `list ${i}`, description: '', severity: 'SEV4', affected_services: ['bench'] },
      };
      await env.client.workflow.start<typeof incident>('incident', {
        workflowId: id,
        taskQueue: env.taskQueue,
        args: [input],
      });
    });
    while (
      (await env.client.workflow.count(`WorkflowType = 'incident' AND IncidentStatus = 'triggered'`)).count <
      INCIDENTS
    )
      await new Promise((r) => setTimeout(r, 1000));
    await new Promise((r) => setTimeout(r, 10_000)); // let the first workflow tasks and upserts settle
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
    const newest = await timed(SAMPLES, api(''));
    const full = await timed(Math.min(SAMPLES, 10), api('&sort=severity&order=desc'));
    const figures = {
      incidents: INCIDENTS,
      raw_page_p50_ms: round(percentile(raw, 50), 0),
      raw_page_p99_ms: round(percentile(raw, 99), 0),
      newest_first_p50_ms: round(percentile(newest, 50), 0),
      newest_first_p99_ms: round(percentile(newest, 99), 0),
      full_read_p50_ms: round(percentile(full, 50), 0),
      full_read_p99_ms: round(percentile(full, 99), 0),
      newest_first_vs_raw_p99: round(percentile(newest, 99) / percentile(raw, 99), 2),
    };
    log(JSON.stringify(figures));
    writeResults(
      'list',
      figures,
      `${INCIDENTS} incidents: newest-first list (the console's view) p50 ${figures.newest_first_p50_ms} / p99 ${figures.newest_first_p99_ms} ms vs raw visibility page p50 ${figures.raw_page_p50_ms} / p99 ${figures.raw_page_p99_ms} ms (×${figures.newest_first_vs_raw_p99}); another order reads every row: p50 ${figures.full_read_p50_ms} / p99 ${figures.full_read_p99_ms} ms`,
    );
  } finally {
    await env.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
