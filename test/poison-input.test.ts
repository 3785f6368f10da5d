/**
 * Prototype words and oversized values as input: every route that takes them answers a 4xx
 * or works, never a 5xx, and nothing they touch becomes a dead workflow.
 */
import { ALERT_SECRETS, eventually, startEngine, TestEngine, unique } from './support/engine';

const WORDS = ['constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

let engine: TestEngine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(() => engine?.close());

const amAlert = (
  groupKey: string,
  labels: Record<string, string>,
  annotations: Record<string, string> = {},
) => ({
  version: '4',
  receiver: 'tourniquet',
  status: 'firing',
  groupKey,
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager.example',
  alerts: [
    {
      status: 'firing',
      labels,
      annotations: { summary: 'something is wrong', ...annotations },
      startsAt: new Date().toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: unique('fp'),
    },
  ],
});
const postAlert = (body: unknown) =>
  engine.call('POST', '/api/v1/alerts/alertmanager', { bearer: ALERT_SECRETS.alertmanager, body });

/** Incidents opened for `service` (waits until one is listed); each must read back. */
async function readable(service: string) {
  const list = await eventually(async () => {
    const r = await engine.call('GET', `/api/v1/incidents?service=${encodeURIComponent(service)}`);
    return r.status === 200 && r.body.incidents.length > 0 && r.body.incidents;
  });
  for (const row of list) expect((await engine.call('GET', `/api/v1/incidents/${row.id}`)).status).toBe(200);
  return list;
}

it.each(WORDS)(
  '"%s" as a severity, status, service, schedule or runbook name is refused or works, never a 5xx',
  async (word) => {
    const calls = [
      engine.call('POST', '/api/v1/incidents', {
        body: { title: 't', description: 'd', severity: word, affected_services: ['s'] },
      }),
      engine.call('GET', `/api/v1/incidents?severity=${word}`),
      engine.call('GET', `/api/v1/incidents?status=${word}`),
      engine.call('GET', `/api/v1/incidents?service=${word}`),
      engine.call('GET', `/api/v1/incidents?sort=${word}`),
      engine.call('GET', `/api/v1/oncall/${word}`),
      engine.call('GET', `/api/v1/metrics/incidents?service=${word}`),
    ];
    for (const r of await Promise.all(calls)) expect(r.status).toBeLessThan(500);

    const declared = await engine.call('POST', '/api/v1/incidents', {
      body: { title: word, description: word, severity: 'SEV3', affected_services: [`svc-${word}`] },
    });
    expect(declared.status).toBe(201);
    const inc = `/api/v1/incidents/${declared.body.id}`;
    const more = [
      engine.call('POST', `${inc}/transition`, { body: { to: word } }),
      engine.call('POST', `${inc}/runbooks`, { body: { name: word, params: { [word]: word } } }),
      engine.call('PUT', `${inc}/services/${word}/health`, { body: { health: 'degraded' } }),
      engine.call('PATCH', inc, { body: { assignee: word, affected_services: [word] } }),
      engine.call('POST', `${inc}/notes`, { body: { text: word } }),
    ];
    for (const r of await Promise.all(more)) expect(r.status).toBeLessThan(500);
    expect((await engine.call('GET', inc)).status).toBe(200);
  },
);

it.each(WORDS)('an alert labelled "%s" (key and value) opens a working incident', async (word) => {
  const service = unique(`svc-${word.replace(/_/g, '')}`);
  const r = await postAlert(
    amAlert(
      unique('group'),
      { alertname: word, service, severity: word, [word]: word, runbook: word },
      { [word]: word },
    ),
  );
  expect(r.status).toBe(200);
  const [row] = await readable(service);
  const ack = await engine.call('POST', `/api/v1/incidents/${row.id}/acknowledge`, { body: {} });
  expect(ack.status).toBe(200);
});

it('a 3,000-character service label and a 10,000-character summary open an incident, marked truncated', async () => {
  const service = unique('long') + 'x'.repeat(3000);
  const r = await postAlert(
    amAlert(unique('group'), { alertname: 'Long', service }, { summary: 'y'.repeat(10_000) }),
  );
  expect(r.status).toBe(200);
  const prefix = service.slice(0, 40);
  const row = await eventually(async () => {
    const list = (await engine.call('GET', '/api/v1/incidents?limit=200')).body.incidents as any[];
    return list.find((i) => i.affected_services.some((s: string) => s.startsWith(prefix)));
  });
  const incident = (await engine.call('GET', `/api/v1/incidents/${row.id}`)).body;
  expect(incident.affected_services[0].length).toBeLessThan(service.length);
  expect(incident.affected_services[0]).toMatch(/…\[truncated \d+ chars\]$/);
  expect(incident.alerts[0].summary.length).toBeLessThanOrEqual(1100);
  expect(incident.alerts[0].summary).toMatch(/…\[truncated \d+ chars\]$/);
});

it('a workflow started with bad input fails at once, naming the field, instead of retrying a task', async () => {
  const start = (type: string, args: unknown[]) =>
    engine.client.workflow.execute(type, {
      workflowId: unique('bad-input'),
      taskQueue: engine.taskQueue,
      args,
    });
  const reasons: [string, unknown[], RegExp][] = [
    [
      'incident',
      [{ id: 'INC-1', actor: 'x', request: { title: 't', severity: 'constructor' } }],
      /request\.severity/,
    ],
    [
      'incident',
      [{ id: 'INC-1', actor: 'x', request: { title: 't', severity: 'SEV1' } }],
      /affected_services/,
    ],
    ['alertGroup', [{ source: 'x', dedup_key: 'k', taskQueue: 'q' }], /alertPolicy/],
    [
      'runbookRun',
      [{ incidentId: 'INC-1', runId: 'r', name: 'n', startedBy: 'a', severity: 'SEV2', params: { n: 1 } }],
      /params/,
    ],
    ['incidentSequence', [-5], /next/],
  ];
  for (const [type, args, reason] of reasons) {
    const failed = await start(type, args).then(
      () => undefined,
      (err: Error & { cause?: Error }) => err.cause?.message,
    );
    expect(failed).toMatch(/cannot start with this input/);
    expect(failed).toMatch(reason);
  }
});

it('an alert group whose incident ended unexpectedly opens a fresh one for the next alert, naming the old', async () => {
  const group = unique('group');
  const service = unique('ended');
  const alert = () => amAlert(group, { alertname: 'Ended', service, severity: 'warning' });
  expect((await postAlert(alert())).status).toBe(200);
  const [first] = await readable(service);
  await engine.client.workflow.getHandle(first.id).terminate('lost on purpose');
  expect((await postAlert(alert())).status).toBe(200);
  const second = await eventually(async () => (await readable(service)).find((r: any) => r.id !== first.id));
  const timeline = (await engine.call('GET', `/api/v1/incidents/${second.id}`)).body.timeline as any[];
  expect(timeline.map((e) => e.message).join('\n')).toContain(`Opened in place of ${first.id}`);
});
