/**
 * The incident record against a real Temporal server: evidence, service health, CAN status
 * updates, the postmortem drafted from the real timeline, action items tracked to closure
 * with reminders over real HTTP, metrics as exact distributions, and /metrics.
 */
import parsePrometheus from 'parse-prometheus-text-format';
import { ALERT_SECRETS, eventually, startEngine, TestEngine, unique } from './support/engine';
import { detail } from './support/incidents';
import { Receiver, startReceiver } from './support/receiver';
import { ALL_DAY } from './support/oncall';

let engine: TestEngine;
let pager: Receiver;

beforeAll(async () => {
  pager = await startReceiver();
  engine = await startEngine({
    // Its own namespace: its metrics compare two reads of every incident, which other files' incidents must not move.
    namespace: 'test-7',
    pageSize: 3, // metrics must read past the first visibility page
    escalation: {
      business_hours: ALL_DAY,
      severities: { SEV2: { acknowledge: '1h', update_every: '1h' } },
      policies: { default: { levels: [{ targets: [{ person: 'pat' }], timeout: '1h' }] } },
      action_item_reminders: '2s',
      notifiers: [{ name: 'pager', type: 'webhook', url: pager.url }],
    },
  });
});
afterAll(async () => {
  await engine?.close();
  await pager?.close();
});

const post = (
  path: string,
  body: unknown,
  token: 'responder' | 'approver' | 'admin' | 'viewer' = 'responder',
) => engine.call('POST', path, { token, body });

it('runs from alert to a closed postmortem whose action items were tracked with reminders', async () => {
  const component = unique('orders');
  const alert = await engine.call('POST', '/v2/enqueue', {
    token: null,
    body: {
      routing_key: ALERT_SECRETS.pagerdutyRoutingKey,
      event_action: 'trigger',
      dedup_key: `${component}-5xx`,
      payload: {
        summary: 'Orders 5xx on db-7.internal',
        source: 'db-7.internal',
        severity: 'error',
        component,
      },
    },
  });
  expect(alert.status).toBe(202);
  const id = await eventually(
    async () => (await engine.call('GET', `/api/v1/incidents?service=${component}`)).body.incidents[0]?.id,
  );
  const inc = `/api/v1/incidents/${id}`;

  // Evidence and service health.
  const ev = await post(`${inc}/evidence`, {
    kind: 'metric',
    title: 'Error rate',
    url: 'https://grafana.example/d/orders',
  });
  expect(ev.status).toBe(201);
  expect(ev.body).toMatchObject({ kind: 'metric', added_by: 'rob' });
  expect((await post(`${inc}/evidence`, { kind: 'graph', title: 'x' })).body.error.fields[0].path).toBe(
    'kind',
  );
  expect(
    (
      await engine.call('PUT', `${inc}/services/${component}/health`, {
        body: { health: 'major_outage', note: 'all writes failing' },
      })
    ).status,
  ).toBe(200);
  expect(
    (await engine.call('PUT', `${inc}/services/other/health`, { body: { health: 'degraded' } })).status,
  ).toBe(400);

  // A status update from the CAN draft; posting it satisfies the update-cadence milestone.
  expect((await post(`${inc}/acknowledge`, {})).status).toBe(200);
  const draft = await engine.call('GET', `${inc}/status-updates/draft?visibility=internal`, {
    token: 'viewer',
  });
  expect(draft.body.message).toMatch(
    /^Condition: .*\nAction: .*\nNeed: .*\nNext update by \d\d:\d\d UTC\.$/s,
  );
  const before = (await detail(engine, id)).milestones.find((m: any) => m.name === 'update').due_at;
  const update = await post(`${inc}/status-updates`, { message: draft.body.message, visibility: 'internal' });
  expect(update.status).toBe(201);
  expect(update.body).toMatchObject({
    incident_id: id,
    visibility: 'internal',
    created_by: 'rob',
    status: 'acknowledged',
  });
  const after = (await detail(engine, id)).milestones.find((m: any) => m.name === 'update').due_at;
  expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));

  // Resolution drafts the postmortem from the real timeline.
  expect(
    (
      await post(`${inc}/transition`, {
        to: 'resolved',
        root_cause: 'connection pool exhausted after deploy',
      })
    ).status,
  ).toBe(200);
  const pm = await engine.call('GET', `${inc}/postmortem`, { token: 'viewer' });
  expect(pm.status).toBe(200);
  expect(pm.body).toMatchObject({
    status: 'draft',
    root_cause: 'connection pool exhausted after deploy',
    impact: { users: '', data: '', financial: '' },
  });
  expect(pm.body.summary).toContain('SEV2');
  const md = await engine.call('GET', `${inc}/postmortem?format=md`, { token: 'viewer' });
  for (const section of [
    '## Summary',
    '## Timeline',
    '## Root cause',
    '## Impact',
    '## Resolution',
    '## Action items',
    '## Lessons learned',
  ])
    expect(md.body).toContain(section);
  expect(md.body).toMatch(/alert:pagerduty: Alert firing: Orders 5xx/);
  expect(md.body).toMatch(/rob: Acknowledged/);
  expect(md.body).toMatch(/rob: Status acknowledged → resolved/);
  expect(
    (
      await engine.call('PUT', `${inc}/postmortem`, {
        body: {
          impact: { users: 'checkout failed for 12% of users' },
          lessons: { went_well: 'paged in a minute' },
        },
      })
    ).body,
  ).toMatchObject({
    impact: { users: 'checkout failed for 12% of users', data: '' },
    lessons: { went_well: 'paged in a minute' },
    edited_by: 'rob',
  });

  // Action items: one overdue (reminded now, then every 2 s), one due later.
  const overdue = await post(`${inc}/action-items`, {
    title: 'Alert on pool saturation',
    owner: 'olga',
    due: '2026-01-01',
  });
  expect(overdue.status).toBe(201);
  const later = await post(`${inc}/action-items`, {
    title: 'Load-test the pool',
    owner: 'omar',
    due: '2099-01-01',
  });
  expect(later.body).toMatchObject({ id: 'AI-2', status: 'open' });
  expect(
    (await post(`${inc}/action-items`, { title: 'x', owner: 'omar', due: 'soon' })).body.error.fields[0].path,
  ).toBe('due');
  const reminders = await eventually(
    async () => {
      const got = pager
        .delivered()
        .filter((r) => r.body.incident.id === id && r.body.kind === 'reminder' && r.body.to === 'olga');
      return got.length >= 2 && got;
    },
    { timeoutMs: 10_000 },
  );
  expect(reminders[0].body.reason).toContain('AI-1');
  expect(reminders[1].at - reminders[0].at).toBeGreaterThan(1000);
  expect(pager.delivered().some((r) => r.body.to === 'omar')).toBe(false);

  // Closing waits for the action items; publishing moves to postmortem.
  const early = await post(`${inc}/transition`, { to: 'closed' });
  expect(early.status).toBe(409);
  expect(early.body.error.message).toContain('AI-1, AI-2');
  const published = await post(`${inc}/postmortem/publish`, {});
  expect(published.body).toMatchObject({
    status: 'postmortem',
    postmortem: { status: 'published', published_by: 'rob' },
  });
  expect(
    (await engine.call('PATCH', `${inc}/action-items/AI-1`, { body: { status: 'done' } })).body.status,
  ).toBe('done');
  const count = pager.delivered().filter((r) => r.body.to === 'olga').length;
  expect(
    (await engine.call('PATCH', `${inc}/action-items/AI-2`, { body: { status: 'verified' } })).status,
  ).toBe(200);
  const closed = await detail(engine, id);
  expect(closed.status).toBe('closed');
  expect(closed.timeline.at(-1)).toMatchObject({
    actor: 'tourniquet',
    message: expect.stringContaining('postmortem published and every action item closed'),
  });
  await new Promise((r) => setTimeout(r, 2500));
  expect(pager.delivered().filter((r) => r.body.to === 'olga').length).toBe(count); // done items are not reminded
});

it('writes external drafts without internal details', async () => {
  const service = unique('search');
  const created = await post('/api/v1/incidents', {
    title: 'Search slow on es-3.internal',
    description: 'es-3.internal GC pauses',
    severity: 'high',
    affected_services: [service],
    assignee: 'erin',
  });
  const id = created.body.id;
  await post(`/api/v1/incidents/${id}/runbooks`, {
    name: 'rolling-restart',
    params: { namespace: 'search', deployment: 'es' },
    dry_run: true,
  });
  await eventually(async () => (await detail(engine, id)).runbooks[0]?.finished_at);
  const internal = (
    await engine.call('GET', `/api/v1/incidents/${id}/status-updates/draft`, { token: 'viewer' })
  ).body;
  expect(internal.message).toContain('erin');
  expect(internal.message).toContain('rolling-restart');
  const external = (
    await engine.call('GET', `/api/v1/incidents/${id}/status-updates/draft?visibility=external`, {
      token: 'viewer',
    })
  ).body;
  expect(external.visibility).toBe('external');
  for (const secret of ['erin', 'rob', 'rolling-restart', 'es-3.internal', 'Search slow', 'SEV2', 'runbook'])
    expect(external.message).not.toContain(secret);
  expect(external.message).toMatch(
    /^Condition: We are investigating an issue affecting .*\nAction: .*\nNeed: No action is needed from you\./,
  );
});

describe('metrics', () => {
  const service = unique('billing');
  const DAY = 86_400_000;
  const start = Date.now() - 10 * DAY;
  const at = (t: number) => new Date(t).toISOString();

  beforeAll(async () => {
    // Ten SEV2 incidents with known timings: acknowledged after 1..10 min, mitigated after
    // 500..5000 s, resolved after 1000..10000 s; three share an alert's dedup key.
    for (let k = 1; k <= 10; k++) {
      const created = start + k * 3_600_000;
      const r = await post(
        '/api/v1/incidents/import',
        {
          title: `billing outage ${k}`,
          severity: 'SEV2',
          affected_services: [service],
          root_cause: 'known',
          created_at: at(created),
          acknowledged_at: at(created + k * 60_000),
          mitigated_at: at(created + k * 500_000),
          resolved_at: at(created + k * 1_000_000),
          ...(k <= 3 ? { dedup_key: `alertmanager/${service}-5xx` } : {}),
        },
        'admin',
      );
      expect(r.status).toBe(201);
    }
  });

  it('returns MTTA/MTTR distributions, SLA compliance and recurrence computed across visibility pages', async () => {
    const q = `from=${encodeURIComponent(at(start))}&to=${encodeURIComponent(at(Date.now()))}&service=${service}`;
    const m = await eventually(async () => {
      const r = await engine.call('GET', `/api/v1/metrics/incidents?${q}`, { token: 'viewer' });
      return r.body.total === 10 && r.body;
    });
    const sev2 = m.by_severity.SEV2;
    expect(sev2.count).toBe(10);
    expect(sev2.mtta_seconds).toMatchObject({ count: 10, p50: 300, p90: 540, p99: 600, max: 600 });
    expect(sev2.mttr_seconds).toMatchObject({ count: 10, p50: 5000, p90: 9000, p99: 10000, max: 10000 });
    // Histograms (le = at most that many seconds): 1 min … a week, then the rest.
    const counts = (d: any) => Object.fromEntries(d.histogram.map((b: any) => [String(b.le), b.count]));
    expect(counts(sev2.mtta_seconds)).toEqual({
      ...{ '60': 1, '300': 4, '900': 5, '1800': 0, '3600': 0, '14400': 0 },
      ...{ '86400': 0, '604800': 0, null: 0 },
    });
    expect(counts(sev2.mttr_seconds)).toMatchObject({ '900': 0, '1800': 1, '3600': 2, '14400': 7, null: 0 });
    expect(sev2.sla.acknowledge).toEqual({ within_target: 10, counted: 10, pct: 100 }); // SEV2: 15 min
    expect(sev2.sla.mitigate).toEqual({ within_target: 7, counted: 10, pct: 70 }); // SEV2: 1 h
    expect(sev2.per_week.reduce((n: number, w: any) => n + w.count, 0)).toBe(10);
    expect(m.by_severity.SEV1.count).toBe(0);
    expect(m.recurrence.by_dedup_key).toEqual([{ key: `alertmanager/${service}-5xx`, count: 3 }]);
    expect(m.recurrence.by_service).toEqual([{ key: service, count: 10 }]);
    expect(
      (await engine.call('GET', `/api/v1/metrics/incidents?from=last-week`, { token: 'viewer' })).body.error
        .fields[0].path,
    ).toBe('from');
  });

  it('serves Prometheus text that parses, with the same quantiles as the API', async () => {
    const res = await fetch(`${engine.url}/metrics`, {
      headers: { authorization: 'Bearer test-viewer-token' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const families = parsePrometheus(await res.text());
    const family = (name: string) => families.find((f) => f.name === name)!;
    for (const name of [
      'tourniquet_incidents_open',
      'tourniquet_approvals_pending',
      'tourniquet_incident_mtta_seconds',
      'tourniquet_incident_mttr_seconds',
      'tourniquet_http_request_duration_seconds',
      'tourniquet_alerts_received_total',
      'tourniquet_runbook_steps_total',
      'tourniquet_pages_sent_total',
    ]) {
      expect(family(name)).toBeDefined();
    }
    expect(family('tourniquet_http_request_duration_seconds').type).toBe('HISTOGRAM');
    expect(family('tourniquet_alerts_received_total').metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { source: 'pagerduty', outcome: 'accepted' } }),
      ]),
    );
    const api = (await engine.call('GET', `/api/v1/metrics/incidents`, { token: 'viewer' })).body.by_severity
      .SEV2.mtta_seconds;
    const p50 = family('tourniquet_incident_mtta_seconds').metrics.find(
      (x: any) => x.labels.severity === 'SEV2' && x.labels.quantile === '0.5',
    );
    expect(Number(p50?.value)).toBe(api.p50);
    expect((await fetch(`${engine.url}/metrics`)).status).toBe(401);
  });
});
