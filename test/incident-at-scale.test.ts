/**
 * Incident-day volume against a real Temporal server: an alert storm into one group, an
 * incident with a thousand long notes. Every answer is 2xx (or a 409 naming a limit),
 * counts stay exact, reads stay small and fast, and nothing written is lost.
 */
import { alertGroupId } from '../api/alerts/intake';
import { ALERT_SECRETS, eventually, startEngine, TestEngine, unique } from './support/engine';
import { declare } from './support/incidents';

let engine: TestEngine;
beforeAll(async () => {
  // Its own namespace: thousands of alerts and continued runs stay out of other files' metrics.
  engine = await startEngine({ namespace: 'test-4' });
});
afterAll(() => engine?.close());

const webhook = (groupKey: string, service: string, fingerprints: string[]) => ({
  version: '4',
  status: 'firing',
  groupKey,
  alerts: fingerprints.map((fingerprint) => ({
    status: 'firing',
    labels: { alertname: 'NodeNotReady', service, pod: fingerprint },
    annotations: { summary: `pod ${fingerprint} lost its node` },
    fingerprint,
  })),
});

/** Sends `bodies` with `senders` concurrent senders; returns every status answered. */
async function send(bodies: unknown[], senders: number): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        // A 503 (Retry-After) is back-pressure: retry it, as Alertmanager does.
        for (let attempt = 0; ; attempt++) {
          const r = await engine.call('POST', '/api/v1/alerts/alertmanager', {
            bearer: ALERT_SECRETS.alertmanager,
            body,
          });
          if (r.status !== 503 || attempt > 30) {
            statuses.push(r.status);
            break;
          }
          await new Promise((done) => setTimeout(done, 1000));
        }
      }
    }),
  );
  return statuses;
}

it('a storm into one group: 7,000 distinct alerts and 10,000 repeats make one incident with exact counts', async () => {
  const service = unique('storm');
  const groupKey = unique('node-failure');
  const fp = (n: number) => `${service}-pod-${n}`;
  const batches = (from: number, to: number, size: number) =>
    Array.from({ length: Math.ceil((to - from) / size) }, (_, b) =>
      webhook(
        groupKey,
        service,
        Array.from({ length: Math.min(size, to - from - b * size) }, (_, k) => fp(from + b * size + k)),
      ),
    );
  const sending = performance.now();
  const statuses = [
    ...(await send(batches(0, 5_000, 100), 8)),
    ...(await send([...batches(0, 5_000, 100), ...batches(0, 5_000, 100)], 16)), // repeats
    ...(await send(batches(5_000, 7_000, 1), 16)), // single-alert webhooks
  ];
  expect(statuses.filter((s) => s !== 200)).toEqual([]);
  process.stderr.write(
    `[storm] ${statuses.length} webhooks answered in ${Math.round(performance.now() - sending)} ms\n`,
  );

  // Until every alert is counted; on a timeout, say what was seen last.
  let seen = '';
  const incident = await eventually(
    async () => {
      const list = (await engine.call('GET', `/api/v1/incidents?service=${service}`)).body.incidents;
      seen = `${list.length} incident(s)`;
      if (list.length !== 1) return undefined;
      const r = await engine.call('GET', `/api/v1/incidents/${list[0].id}`);
      seen += `, counts ${JSON.stringify(r.body.alert_counts)}`;
      return r.body.alert_counts?.received === 17_000 && r;
    },
    { timeoutMs: 180_000, intervalMs: 1000 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${seen}`);
  });
  expect(incident.body.alert_counts).toMatchObject({
    received: 17_000,
    distinct: 7_000,
    firing: 7_000,
    resolved: 0,
  });
  expect(incident.body.alerts.length).toBeLessThanOrEqual(500);
  expect(incident.body.alert_index).toBeUndefined();
  expect(JSON.stringify(incident.body).length).toBeLessThan(1_000_000);
  const id = incident.body.id;
  expect((await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} })).status).toBe(200);
  const resolved = await engine.call('POST', `/api/v1/incidents/${id}/transition`, {
    body: { to: 'resolved', root_cause: 'a node failed' },
  });
  expect(resolved.status).toBe(200);

  // The group continued as new (2,000 signals a run) without losing an alert or opening a second incident.
  const runs = [];
  for await (const wf of engine.client.workflow.list({
    query: `WorkflowId = '${alertGroupId('alertmanager', groupKey)}'`,
  }))
    runs.push(wf);
  expect(runs.length).toBeGreaterThan(1);
}, 300_000);

it('a thousand 10 kB notes: the incident stays readable and resolvable, and the whole timeline pages back', async () => {
  const inc = `/api/v1/incidents/${await declare(engine, unique('notes'), 'SEV2')}`;
  const text = (n: number) => `note ${n} ` + 'x'.repeat(10_000 - 12);
  for (let n = 0; n < 1_000; n++) {
    const r = await engine.call('POST', `${inc}/notes`, { body: { text: text(n) } });
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body).length).toBeLessThan(256_000);
  }
  const read = await engine.call('GET', inc);
  expect(read.status).toBe(200);
  expect(JSON.stringify(read.body).length).toBeLessThan(256_000);
  expect(read.body.timeline.at(-1).message).toBe(text(999));

  // Page back to the first entry: every note is there, in order, once.
  const seen: string[] = [];
  let before: number | null | undefined = undefined;
  do {
    const q: string = before === undefined ? '?limit=200' : `?limit=200&before=${before}`;
    const page = await engine.call('GET', `${inc}/timeline${q}`);
    expect(page.status).toBe(200);
    seen.unshift(...page.body.entries.map((e: any) => e.message));
    before = page.body.next_before;
  } while (before);
  expect(seen.filter((m) => m.startsWith('note ')).map((m) => m.split(' ')[1])).toEqual(
    Array.from({ length: 1_000 }, (_, n) => String(n)),
  );
  expect(seen.length).toBe(read.body.timeline_total);

  const resolved = await engine.call('POST', `${inc}/transition`, {
    body: { to: 'resolved', root_cause: 'notes' },
  });
  expect(resolved.status).toBe(200);
}, 300_000);

it('evidence past its limit is refused with 409 naming the limit, and nothing before it is lost', async () => {
  const inc = `/api/v1/incidents/${await declare(engine, unique('ev'), 'SEV3')}`;
  let refused: any;
  for (let n = 0; n < 20 && !refused; n++) {
    const r = await engine.call('POST', `${inc}/evidence`, {
      body: { kind: 'log', title: `log ${n}`, text: 'y'.repeat(19_000) },
    });
    if (r.status !== 201) refused = r;
  }
  expect(refused.status).toBe(409);
  expect(refused.body.error.message).toMatch(/^evidence: .*limit/);
  const kept = (await engine.call('GET', inc)).body.evidence;
  expect(kept.map((e: any) => e.title)).toEqual(Array.from({ length: kept.length }, (_, n) => `log ${n}`));
});
