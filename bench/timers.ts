/**
 * bench:timers — 1,000 open incidents whose acknowledge milestones all fall due within the
 * same minute, on one worker (its own process). Each missed milestone pages the on-call
 * person through a webhook to a loopback receiver; we measure each page's arrival against
 * its deadline, count missing and duplicate pages, and read the worker's RSS (issue
 * "Escalation"). Baseline from the same run: the Temporal server's own timer lateness
 * (TimerFired vs TimerStarted + duration) in a sample of the incidents' histories.
 */
import { temporal } from '@temporalio/proto';
import { startReceiver } from '../test/support/receiver';
import {
  BENCH_TOKEN,
  log,
  percentile,
  round,
  runConcurrent,
  seedIncidents,
  startBenchEnv,
  writeResults,
} from './support/common';

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 1000);
/** Other incidents open meanwhile (#18: the deadlines must hold with 10,000 open). */
const BACKGROUND = Number(process.env.BENCH_BACKGROUND ?? 10_000);
/** Seconds from declaration to the acknowledge deadline: creation must finish before the first one. */
const ACK_SECONDS = Number(process.env.BENCH_ACK_SECONDS ?? 60);
const { EventType } = temporal.api.enums.v1;
const ms = (t?: { seconds?: unknown; nanos?: number | null } | null) =>
  Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

async function main() {
  const receiver = await startReceiver();
  const env = await startBenchEnv({
    escalation: {
      business_hours: { timezone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' },
      // No page on open, one page when the acknowledge milestone passes; nothing else due.
      severities: {
        SEV2: { acknowledge: ACK_SECONDS, mitigate: null, update_every: null, page: false },
        // The background incidents: open, nothing ever due.
        SEV4: { acknowledge: null, mitigate: null, update_every: null, page: false },
      },
      schedules: {
        primary: {
          timezone: 'UTC',
          rotation: 'daily',
          handoff: '00:00',
          start: '2026-01-01',
          people: ['pat'],
        },
      },
      policies: { default: { levels: [{ targets: [{ schedule: 'primary' }], timeout: '1h' }] } },
      notifiers: [{ name: 'pager', type: 'webhook', url: receiver.url }],
    },
  });
  try {
    await seedIncidents(env, BACKGROUND, 800_000, ['SEV4']);
    log(`declaring ${INCIDENTS} SEV2 incidents (acknowledge within ${ACK_SECONDS} s)`);
    const ids: string[] = [];
    const created = await runConcurrent(INCIDENTS, 24, async (i) => {
      // Through the API, as responders and alerts do; an overloaded moment (503) is retried.
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${env.url}/api/v1/incidents`, {
          method: 'POST',
          headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            title: `timer ${i}`,
            description: 'bench',
            severity: 'high',
            affected_services: ['bench'],
          }),
        });
        if (res.status === 201) {
          ids.push(((await res.json()) as { id: string }).id);
          break;
        }
        const text = await res.text();
        if (res.status !== 503 || attempt === 3) throw new Error(`declare: ${res.status} ${text}`);
        log(`  declare ${i}: 503, retrying`);
      }
      if ((i + 1) % 200 === 0) log(`  ${i + 1} declared`);
    });
    log(`declared in ${round(created.seconds)} s; waiting for the pages`);
    // Every deadline is at most ACK_SECONDS after its incident was declared: wait that long
    // after the last one, plus a grace for late pages (a page later than that counts as missing).
    const lastDeadline = Date.now() + ACK_SECONDS * 1000;
    let rss = env.workerRssMb();
    while (Date.now() < lastDeadline + 15_000) {
      await new Promise((r) => setTimeout(r, 1000));
      rss = Math.max(rss, env.workerRssMb());
      if (receiver.delivered().length >= INCIDENTS && Date.now() > lastDeadline + 5000) break;
    }
    const pages = receiver.delivered().filter((r) => r.body.kind === 'page');
    const keys = new Set(pages.map((p) => p.body.idempotency_key));
    const byIncident = new Set(pages.map((p) => p.body.incident.id));
    const lateness = [
      ...new Map(pages.map((p) => [p.body.idempotency_key, p.at - Date.parse(p.body.due_at)])).values(),
    ];
    const missed = ids.filter((id) => !byIncident.has(id)).length;
    const dues = pages.map((p) => Date.parse(p.body.due_at));
    const window = (Math.max(...dues) - Math.min(...dues)) / 1000;
    if (window > 60) log(`WARNING: the deadlines spread over ${round(window)} s, more than one minute`);

    log('baseline: server timer lateness in 50 histories');
    const timerLate: number[] = [];
    for (const id of ids.slice(0, 50)) {
      const events = (await env.client.workflow.getHandle(id).fetchHistory()).events ?? [];
      for (const fired of events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED)) {
        const started = events.find(
          (e) => Number(e.eventId) === Number(fired.timerFiredEventAttributes?.startedEventId),
        );
        const d = started?.timerStartedEventAttributes?.startToFireTimeout;
        if (started && d) timerLate.push(ms(fired.eventTime) - ms(started.eventTime) - ms(d));
      }
    }

    const figures = {
      incidents: INCIDENTS,
      pages_expected: INCIDENTS,
      pages_sent: keys.size,
      missed,
      duplicates: pages.length - keys.size,
      lateness_p50_ms: round(percentile(lateness, 50), 0),
      lateness_p99_ms: round(percentile(lateness, 99), 0),
      lateness_max_ms: round(Math.max(...lateness), 0),
      worker_rss_mb: round(rss, 0),
      deadline_window_s: round(window, 1),
      baseline_server_timer_lateness_p99_ms: round(percentile(timerLate, 99), 0),
      background_open: BACKGROUND,
    };
    log(JSON.stringify(figures));
    const met = figures.lateness_p99_ms <= 500 && missed === 0 && figures.duplicates === 0;
    writeResults(
      'timers',
      figures,
      `${INCIDENTS} incidents, deadlines within ${figures.deadline_window_s} s: ${keys.size}/${INCIDENTS} pages, ${missed} missed, ${figures.duplicates} duplicates, lateness p50 ${figures.lateness_p50_ms} / p99 ${figures.lateness_p99_ms} / max ${figures.lateness_max_ms} ms (server timers alone p99 ${figures.baseline_server_timer_lateness_p99_ms} ms), worker RSS ${figures.worker_rss_mb} MB with ${BACKGROUND} other incidents open — goal p99 ≤ 500 ms, none missing or duplicated: ${met ? 'met' : 'MISSED'}`,
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
