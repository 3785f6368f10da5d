/**
 * bench:sizing — what one worker holds on a production-shaped Temporal (its own server on
 * PostgreSQL, test/support/temporal-cluster.ts): at each step more incidents are open (they
 * never fall due), then a burst of deadlines due within a minute measures whether the
 * worker still pages on time (bench/support/deadlines.ts), against the server's own timer
 * lateness in the same run. Figures for README "Sizing and tuning".
 */
import { startReceiver } from '../test/support/receiver';
import { log, round, seedIncidents, startBenchEnv, writeResults } from './support/common';
import { deadlineEscalation, measureDeadlines } from './support/deadlines';

/** Open incidents at each step (cumulative). */
const STEPS = (process.env.BENCH_STEPS ?? '1000,5000,10000').split(',').map(Number);
const BURST = Number(process.env.BENCH_BURST ?? 300);
const ACK_SECONDS = Number(process.env.BENCH_ACK_SECONDS ?? 45);
/** BENCH_DEV_SERVER=1: the same steps on the dev server, for comparison. */
const CLUSTER = process.env.BENCH_DEV_SERVER !== '1';

async function main() {
  const receiver = await startReceiver();
  const env = await startBenchEnv({
    cluster: true,
    escalation: deadlineEscalation(receiver.url, ACK_SECONDS),
  });
  const steps = [];
  const startRss = env.workerRssMb();
  try {
    let open = 0;
    for (const target of STEPS) {
      await seedIncidents(env, target - open, 800_000 + open, ['SEV4']);
      open = target;
      const idleRss = env.workerRssMb();
      const burst = await measureDeadlines(env, receiver, BURST, ACK_SECONDS);
      open += BURST;
      const step = { open_incidents: open, worker_rss_idle_mb: round(idleRss, 0), ...burst };
      log(JSON.stringify(step));
      steps.push(step);
    }
  } finally {
    await env.close();
    await receiver.close();
  }
  const last = steps[steps.length - 1];
  writeResults(
    CLUSTER ? 'sizing' : 'sizing-dev-server',
    { burst: BURST, worker_rss_start_mb: round(startRss, 0), steps },
    `one worker on ${CLUSTER ? "Temporal's server with PostgreSQL" : 'the dev server'} (RSS ${round(startRss, 0)} MB at start): ${steps
      .map(
        (s) =>
          `${s.open_incidents} open → RSS ${s.worker_rss_idle_mb} MB idle / ${s.worker_rss_mb} MB peak, ${BURST} deadlines p99 ${s.lateness_p99_ms} ms late (server timers p99 ${s.baseline_server_timer_lateness_p99_ms} ms), ${s.missed} missed, ${s.duplicates} duplicates`,
      )
      .join('; ')}${last && last.missed === 0 ? '' : ' — pages MISSED'}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
