/**
 * bench:timers — 1,000 open incidents whose acknowledge milestones all fall due within the
 * same minute, on one worker (its own process), with 10,000 other incidents open (issue
 * "Escalation", #18); the measurement is bench/support/deadlines.ts.
 */
import { startReceiver } from '../test/support/receiver';
import { log, seedIncidents, startBenchEnv, writeResults } from './support/common';
import { deadlineEscalation, measureDeadlines } from './support/deadlines';

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 1000);
/** Other incidents open meanwhile (#18: the deadlines must hold with 10,000 open). */
const BACKGROUND = Number(process.env.BENCH_BACKGROUND ?? 10_000);
/** Seconds from declaration to the acknowledge deadline: creation must finish before the first one. */
const ACK_SECONDS = Number(process.env.BENCH_ACK_SECONDS ?? 60);

async function main() {
  const receiver = await startReceiver();
  const env = await startBenchEnv({ escalation: deadlineEscalation(receiver.url, ACK_SECONDS) });
  try {
    await seedIncidents(env, BACKGROUND, 800_000, ['SEV4']);
    const figures = {
      ...(await measureDeadlines(env, receiver, INCIDENTS, ACK_SECONDS)),
      background_open: BACKGROUND,
    };
    log(JSON.stringify(figures));
    const met = figures.lateness_p99_ms <= 500 && figures.missed === 0 && figures.duplicates === 0;
    writeResults(
      'timers',
      figures,
      `${INCIDENTS} incidents, deadlines within ${figures.deadline_window_s} s: ${figures.pages_sent}/${INCIDENTS} pages, ${figures.missed} missed, ${figures.duplicates} duplicates, lateness p50 ${figures.lateness_p50_ms} / p99 ${figures.lateness_p99_ms} / max ${figures.lateness_max_ms} ms (server timers alone p99 ${figures.baseline_server_timer_lateness_p99_ms} ms), worker RSS ${figures.worker_rss_mb} MB with ${BACKGROUND} other incidents open — goal p99 ≤ 500 ms, none missing or duplicated: ${met ? 'met' : 'MISSED'}`,
    );
  } finally {
    await env.close();
    await receiver.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
