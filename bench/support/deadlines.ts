/**
 * Deadlines due together: `count` SEV2 incidents declared through the API whose acknowledge
 * milestones all fall due within about a minute; each missed milestone pages through a
 * webhook to a loopback receiver. Measures each page's arrival against its deadline, missing
 * and duplicate pages, the worker's peak RSS, and — the baseline from the same run — the
 * Temporal server's own timer lateness (TimerFired vs TimerStarted + duration) in a sample.
 * Used by bench:timers (dev server) and bench:sizing (cluster).
 */
import { temporal } from '@temporalio/proto';
import type { Receiver } from '../../test/support/receiver';
import { BENCH_TOKEN, type BenchEnv, log, percentile, round, runConcurrent } from './common';

const { EventType } = temporal.api.enums.v1;
const ms = (t?: { seconds?: unknown; nanos?: number | null } | null) =>
  Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

/** The escalation section: no page on open, one page when the acknowledge milestone passes; SEV4 never due. */
export const deadlineEscalation = (pagerUrl: string, ackSeconds: number) => ({
  business_hours: { timezone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' },
  severities: {
    SEV2: { acknowledge: ackSeconds, mitigate: null, update_every: null, page: false },
    SEV4: { acknowledge: null, mitigate: null, update_every: null, page: false },
  },
  schedules: {
    primary: { timezone: 'UTC', rotation: 'daily', handoff: '00:00', start: '2026-01-01', people: ['pat'] },
  },
  policies: { default: { levels: [{ targets: [{ schedule: 'primary' }], timeout: '1h' }] } },
  notifiers: [{ name: 'pager', type: 'webhook', url: pagerUrl }],
});

export async function measureDeadlines(env: BenchEnv, receiver: Receiver, count: number, ackSeconds: number) {
  receiver.requests.length = 0;
  log(`declaring ${count} SEV2 incidents (acknowledge within ${ackSeconds} s)`);
  const ids = await declareAll(env, count);
  // Every deadline is at most ackSeconds after its incident was declared: wait that long
  // after the last one, plus a grace for late pages (a page later than that counts as missing).
  const lastDeadline = Date.now() + ackSeconds * 1000;
  let rss = env.workerRssMb();
  while (Date.now() < lastDeadline + 15_000) {
    await new Promise((r) => setTimeout(r, 1000));
    rss = Math.max(rss, env.workerRssMb());
    if (receiver.delivered().length >= count && Date.now() > lastDeadline + 5000) break;
  }
  const pages = receiver.delivered().filter((r) => r.body.kind === 'page');
  const keys = new Set(pages.map((p) => p.body.idempotency_key));
  const byIncident = new Set(pages.map((p) => p.body.incident.id));
  const lateness = [
    ...new Map(pages.map((p) => [p.body.idempotency_key, p.at - Date.parse(p.body.due_at)])).values(),
  ];
  const dues = pages.map((p) => Date.parse(p.body.due_at));
  const window = (Math.max(...dues) - Math.min(...dues)) / 1000;
  if (window > 60) log(`WARNING: the deadlines spread over ${round(window)} s, more than one minute`);
  return {
    incidents: count,
    pages_expected: count,
    pages_sent: keys.size,
    missed: ids.filter((id) => !byIncident.has(id)).length,
    duplicates: pages.length - keys.size,
    lateness_p50_ms: round(percentile(lateness, 50), 0),
    lateness_p99_ms: round(percentile(lateness, 99), 0),
    lateness_max_ms: round(Math.max(...lateness), 0),
    worker_rss_mb: round(rss, 0),
    deadline_window_s: round(window, 1),
    baseline_server_timer_lateness_p99_ms: round(
      percentile(await serverTimerLateness(env, ids.slice(0, 50)), 99),
      0,
    ),
  };
}

async function declareAll(env: BenchEnv, count: number): Promise<string[]> {
  const ids: string[] = [];
  const created = await runConcurrent(count, 24, async (i) => {
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
      if (res.status === 201) return void ids.push(((await res.json()) as { id: string }).id);
      const text = await res.text();
      if (res.status !== 503 || attempt === 3) throw new Error(`declare: ${res.status} ${text}`);
      log(`  declare ${i}: 503, retrying`);
    }
  });
  log(`declared in ${round(created.seconds)} s; waiting for the pages`);
  return ids;
}

/** How late the server itself fired the incidents' timers (the floor for our pages). */
async function serverTimerLateness(env: BenchEnv, ids: string[]): Promise<number[]> {
  log(`baseline: server timer lateness in ${ids.length} histories`);
  const late: number[] = [];
  for (const id of ids) {
    const events = (await env.client.workflow.getHandle(id).fetchHistory()).events ?? [];
    for (const fired of events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED)) {
      const started = events.find(
        (e) => Number(e.eventId) === Number(fired.timerFiredEventAttributes?.startedEventId),
      );
      const d = started?.timerStartedEventAttributes?.startToFireTimeout;
      if (started && d) late.push(ms(fired.eventTime) - ms(started.eventTime) - ms(d));
    }
  }
  return late;
}
