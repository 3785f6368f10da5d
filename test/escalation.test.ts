/**
 * Milestones and escalation against a real Temporal server, with pages delivered over real
 * HTTP to loopback receivers (a pager webhook and a Slack-compatible chat hook).
 */
import { createHmac } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { eventually, startEngine, TestEngine } from './support/engine';
import { alertOpened, declare, detail } from './support/incidents';
import { Receiver, startReceiver } from './support/receiver';
import { dailyOnCall, ALL_DAY } from './support/oncall';

const PAGER_SECRET = 'pager-webhook-secret-0123456789';
let engine: TestEngine;
let pager: Receiver;
let chat: Receiver;

beforeAll(async () => {
  pager = await startReceiver();
  chat = await startReceiver();
  engine = await startEngine({
    escalation: {
      // Always business hours, so the test does not depend on when it runs.
      business_hours: ALL_DAY,
      severities: {
        SEV1: { acknowledge: '3s', mitigate: '1h', update_every: null },
        SEV2: { acknowledge: '1h', mitigate: '1h', update_every: null },
        SEV3: { acknowledge: '30s', mitigate: '1h' },
        SEV4: { acknowledge: '2s' },
      },
      schedules: {
        primary: dailyOnCall('pat'),
        secondary: dailyOnCall('sam'),
        ic: dailyOnCall('ivy'),
        // Berlin, weekly handoff on Mondays 09:00 local, with a one-day override.
        platform: {
          timezone: 'Europe/Berlin',
          rotation: 'weekly',
          handoff: '09:00',
          start: '2026-11-02',
          people: ['ana', 'ben', 'cy'],
          overrides: [{ from: '2026-11-18T00:00:00+01:00', to: '2026-11-19T00:00:00+01:00', person: 'dee' }],
        },
      },
      roles: { incident_commander: [{ schedule: 'ic' }] },
      policies: {
        default: {
          levels: [
            { targets: [{ schedule: 'primary' }], timeout: '3s' },
            { targets: [{ schedule: 'secondary' }], timeout: '3s' },
            { targets: [{ role: 'incident_commander' }], timeout: '3s' },
          ],
        },
        'rob-first': { levels: [{ targets: [{ person: 'rob' }], timeout: '1h' }] },
        patient: { levels: [{ targets: [{ schedule: 'primary' }], timeout: '1h' }] },
        slow: {
          levels: [
            { targets: [{ schedule: 'primary' }], timeout: '12s' },
            { targets: [{ schedule: 'secondary' }], timeout: '30s' },
          ],
        },
      },
      services: { 'restart-svc': 'slow', payments: 'patient', 'ack-svc': 'rob-first' },
      notifiers: [
        { name: 'pager', type: 'webhook', url: pager.url, secret: PAGER_SECRET, kinds: ['page', 'reminder'] },
        { name: 'chat', type: 'slack', url: chat.url, kinds: ['notify'] },
      ],
    },
  });
});
afterAll(async () => {
  await engine?.close();
  await pager?.close();
  await chat?.close();
});

/** Pages delivered to the pager for one incident, in arrival order. */
const pagesFor = (id: string) => pager.delivered().filter((r) => r.body.incident.id === id);
const seconds = (from: number, to: number) => (to - from) / 1000;

describe('escalation along the policy', () => {
  it('pages an unacknowledged SEV1 primary, then secondary, then the IC pool, spaced as configured', async () => {
    const opened = Date.now();
    const id = await declare(engine, 'checkout', 'critical');
    const got = await eventually(
      async () => pagesFor(id).filter((p) => p.body.level === 2).length === 1 && pagesFor(id),
      { timeoutMs: 15_000 },
    );
    const byLevel = (level: number) => got.find((p) => p.body.level === level)!;
    expect(byLevel(0).body.to).toBe('pat');
    expect(byLevel(1).body.to).toBe('sam');
    expect(byLevel(2).body.to).toBe('ivy');
    // SEV1 also pages the incident commander on open (outside the policy's levels).
    expect(got.find((p) => p.body.level === undefined)?.body).toMatchObject({
      to: 'ivy',
      reason: expect.stringContaining('incident commander'),
    });
    expect(seconds(opened, byLevel(0).at)).toBeLessThan(3);
    expect(seconds(byLevel(0).at, byLevel(1).at)).toBeGreaterThan(2);
    expect(seconds(byLevel(0).at, byLevel(1).at)).toBeLessThan(4.5);
    expect(seconds(byLevel(1).at, byLevel(2).at)).toBeGreaterThan(2);
    expect(seconds(byLevel(1).at, byLevel(2).at)).toBeLessThan(4.5);

    // The first five seconds, signed, with an idempotency key and links.
    const page = byLevel(0);
    expect(page.headers['x-tourniquet-signature']).toBe(
      `sha256=${createHmac('sha256', PAGER_SECRET).update(page.raw).digest('hex')}`,
    );
    expect(page.headers['idempotency-key']).toBe(page.body.idempotency_key);
    expect(page.body).toMatchObject({
      kind: 'page',
      what_broke: `Trouble in checkout`,
      impact: expect.stringContaining('SEV1 on checkout'),
      try_first: expect.any(String),
      who_to_call: 'sam',
      links: { acknowledge: expect.stringContaining(`/api/v1/incidents/${id}/acknowledge`) },
    });
    // Leadership heard about it in chat, in Slack's shape.
    const told = await eventually(async () => chat.delivered().find((r) => r.body.text?.includes(id)));
    expect(told.body.text).toContain('SEV1');
    expect(told.body.blocks[0].type).toBe('header');

    // After the last level (repeat 0) escalation stops: no more pages, and it says so.
    const record = await eventually(async () => {
      const d = await detail(engine, id);
      return d.timeline.some((e: any) => e.message.startsWith('Escalation exhausted')) && d;
    });
    expect(record.milestones.find((m: any) => m.name === 'acknowledge')).toMatchObject({ status: 'missed' });
    expect(record.pages.filter((p: any) => p.kind === 'page').map((p: any) => p.to)).toEqual([
      'pat',
      'ivy',
      'sam',
      'ivy',
    ]);
    expect(new Set(pagesFor(id).map((p) => p.body.idempotency_key)).size).toBe(pagesFor(id).length);
  });

  it('stops at acknowledgement', async () => {
    const id = await declare(engine, 'checkout', 'critical');
    await eventually(async () => pagesFor(id).some((p) => p.body.to === 'pat'));
    const ack = await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} });
    expect(ack.status).toBe(200);
    await new Promise((r) => setTimeout(r, 7000)); // past where levels 2 and 3 would have been paged
    expect(
      pagesFor(id)
        .map((p) => p.body.to)
        .sort(),
    ).toEqual(['ivy', 'pat']);
    const d = await detail(engine, id);
    expect(d.timeline.some((e: any) => e.message === 'Escalation stopped: acknowledged by rob')).toBe(true);
    expect(d.milestones.find((m: any) => m.name === 'acknowledge')).toMatchObject({ status: 'met' });
  });

  it('never pages for SEV4, even when its acknowledge milestone passes', async () => {
    const id = await declare(engine, 'ledger', 'low');
    const d = await eventually(async () => {
      const x = await detail(engine, id);
      return x.milestones.find((m: any) => m.name === 'acknowledge')?.status === 'missed' && x;
    });
    expect(d.pages.filter((p: any) => p.kind === 'page')).toEqual([]);
    expect(pagesFor(id)).toEqual([]);
  });

  it('re-plans on a severity upgrade: SEV3 → SEV1 pages at once', async () => {
    const id = await declare(engine, 'search', 'medium');
    // SEV3: the team channel only — its post, and no page beside it.
    await eventually(async () => chat.delivered().some((r) => r.body.text?.includes(id)));
    await new Promise((r) => setTimeout(r, 1000));
    expect(pagesFor(id)).toEqual([]);
    const before = (await detail(engine, id)).milestones.find((m: any) => m.name === 'acknowledge').due_at;
    const upgraded = Date.now();
    const edit = await engine.call('PATCH', `/api/v1/incidents/${id}`, { body: { severity: 'SEV1' } });
    expect(edit.status).toBe(200);
    const first = await eventually(async () => pagesFor(id).find((p) => p.body.to === 'pat'), {
      timeoutMs: 5000,
    });
    expect(seconds(upgraded, first.at)).toBeLessThan(3);
    expect(first.body.reason).toBe('SEV1 upgraded from SEV3');
    const after = edit.body.milestones.find((m: any) => m.name === 'acknowledge');
    // SEV1's 3 s target counts from when the incident opened, not from the upgrade.
    expect(Date.parse(after.due_at)).toBeLessThan(Date.parse(before));
  });

  it('hands off on reassignment: the new assignee is paged and must acknowledge', async () => {
    const id = await declare(engine, 'billing', 'high');
    expect((await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} })).status).toBe(200);
    expect(
      (await engine.call('PATCH', `/api/v1/incidents/${id}`, { body: { assignee: 'alice' } })).status,
    ).toBe(200);
    const handoff = await eventually(async () => pagesFor(id).find((p) => p.body.to === 'alice'), {
      timeoutMs: 30_000,
    }).catch(async (err) => {
      const d = await detail(engine, id);
      throw new Error(
        `${err}: ${JSON.stringify({ pages: d.pages, timeline: d.timeline.slice(-8), esc: d.escalation })}`,
      );
    });
    expect(handoff.body.reason).toContain('reassigned to you');
    // Only alice takes it: rob acknowledging again (or an old link of his) does not complete it.
    const notHers = await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} });
    expect(notHers.status).toBe(409);
    expect(notHers.body.error.message).toContain('only alice can take it');
    const took = await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, {
      token: 'approver',
      body: {},
    });
    expect(took.status).toBe(200);
    expect(took.body.status).toBe('acknowledged');
    expect(took.body.milestones.find((m: any) => m.name === 'handoff')).toMatchObject({ status: 'met' });
    // A second acknowledgement is a conflict again.
    expect((await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} })).status).toBe(409);
  });
});

describe('a handoff in the first moments of an incident', () => {
  it('pages the new assignee even when the incident had not yet read its escalation config', async () => {
    // Started with no worker running: the acknowledge and the reassignment reach the workflow
    // in its first task, before its config does.
    await engine.stopWorker();
    const id = `INC-8${String(Date.now()).slice(-6)}`;
    let restarted = false;
    try {
      await engine.client.workflow.start('incident', {
        workflowId: id,
        taskQueue: engine.taskQueue,
        args: [
          {
            id,
            actor: 'rob',
            request: { title: 'early', description: 'd', severity: 'SEV2', affected_services: ['billing'] },
          },
        ],
      });
      const ack = engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} });
      await new Promise((r) => setTimeout(r, 300));
      const edit = engine.call('PATCH', `/api/v1/incidents/${id}`, { body: { assignee: 'alice' } });
      await new Promise((r) => setTimeout(r, 300));
      await engine.startWorker();
      restarted = true;
      expect([(await ack).status, (await edit).status]).toEqual([200, 200]);
    } finally {
      if (!restarted) await engine.startWorker(); // the other tests need it
    }
    const handoff = await eventually(async () => pagesFor(id).find((p) => p.body.to === 'alice'));
    expect(handoff.body.reason).toContain('reassigned to you');
  });
});

describe('a second escalation after a handoff', () => {
  it('pages every level again: the keys of the first walk do not swallow the second', async () => {
    const id = await declare(engine, 'checkout', 'critical');
    await eventually(async () => pagesFor(id).some((p) => p.body.level === 2), { timeoutMs: 15_000 });
    expect((await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} })).status).toBe(200);
    // Handed to alice, who never acknowledges: the handoff milestone (3 s) misses and the walk starts over.
    await engine.call('PATCH', `/api/v1/incidents/${id}`, { body: { assignee: 'alice' } });
    const second = await eventually(
      async () => pagesFor(id).filter((p) => p.body.level === 2).length === 2 && pagesFor(id),
      { timeoutMs: 20_000 },
    );
    const byLevel = (level: number) => second.filter((p) => p.body.level === level).map((p) => p.body.to);
    expect(byLevel(0)).toEqual(['pat', 'pat']);
    expect(byLevel(1)).toEqual(['sam', 'sam']);
    expect(byLevel(2)).toEqual(['ivy', 'ivy']);
    expect(new Set(second.map((p) => p.body.idempotency_key)).size).toBe(second.length);
  });
});

describe('one-click links in pages', () => {
  it('acknowledges as the person paged through the signed link in the page', async () => {
    const id = await declare(engine, 'ack-svc', 'high');
    const page = await eventually(async () => pagesFor(id).find((p) => p.body.to === 'rob'));
    const link: string = page.body.links.acknowledge_url;
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:3000\/api\/v1\/ack-links\//);
    const path = new URL(link).pathname;
    expect((await engine.call('GET', path, { token: null })).body).toMatchObject({
      incident: id,
      identity: 'rob',
      action: 'acknowledge',
    });
    // Tapped in a browser, the link shows a button that POSTs; the GET itself changes nothing.
    const html = await (await fetch(engine.url + path, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain(`Acknowledge ${id} as rob?`);
    expect(html).toContain('<form method="post">');
    expect((await detail(engine, id)).status).toBe('triggered');
    const acked = await engine.call('POST', path, { token: null });
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ status: 'acknowledged', assignee: 'rob' });
    expect((await engine.call('POST', path, { token: null })).status).toBe(409);
    expect((await engine.call('POST', `${path.slice(0, -2)}xx`, { token: null })).status).toBe(401);
  });
});

describe('delivery', () => {
  // An alert group's incident (generation 4) tries each delivery by local activity first; a declared one by activity.
  it.each([
    ['declared', declare],
    ['opened by an alert', alertOpened],
  ])(
    'keeps retrying while the receiver is down and delivers the page exactly once when it is back (%s)',
    async (_, open) => {
      pager.down = true;
      const id = await open(engine, 'payments');
      await eventually(
        async () => pager.requests.filter((r) => r.body.incident?.id === id && r.status === 503).length >= 2,
        { timeoutMs: 10_000 },
      );
      pager.down = false;
      const delivered = await eventually(async () => pagesFor(id).length === 1 && pagesFor(id));
      await new Promise((r) => setTimeout(r, 2000)); // no late duplicate
      expect(pagesFor(id)).toHaveLength(1);
      const tries = pager.requests.filter((r) => r.body.incident?.id === id);
      expect(new Set(tries.map((r) => r.body.idempotency_key))).toEqual(
        new Set([delivered[0].body.idempotency_key]),
      );
      const page = await eventually(async () =>
        (await detail(engine, id)).pages.find((p: any) => p.delivered_at),
      );
      expect(page).toMatchObject({ to: 'pat', kind: 'page' });
    },
  );

  it('records a page the receiver refuses, without retrying it, for an alert-opened incident', async () => {
    pager.refuseWith = 400;
    try {
      const id = await alertOpened(engine, 'payments');
      const page = await eventually(async () => (await detail(engine, id)).pages.find((p: any) => p.error));
      expect(page.error).toContain('refused the notification: HTTP 400');
      await new Promise((r) => setTimeout(r, 2000)); // the activity, had it been tried after, would have sent it again
      expect(pager.requests.filter((r) => r.body.incident?.id === id)).toHaveLength(1);
    } finally {
      pager.refuseWith = undefined;
    }
  });

  it("delivers an alert-opened incident's page in the task that sent it, a declared one's by activity", async () => {
    const deliveries = async (id: string) => {
      await eventually(async () => (await detail(engine, id)).pages.find((p: any) => p.delivered_at));
      const { events } = await engine.client.workflow.getHandle(id).fetchHistory();
      const local = (events ?? []).filter(
        (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
      );
      const scheduled = (events ?? []).flatMap(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
      );
      return { local: local.length, activities: scheduled.filter((n) => n === 'deliverNotification').length };
    };
    // The escalation config, then the page, both by local activity.
    expect(await deliveries(await alertOpened(engine, 'payments'))).toEqual({ local: 2, activities: 0 });
    expect(await deliveries(await declare(engine, 'payments'))).toEqual({ local: 1, activities: 1 });
  });

  it('pages the next level on time after a worker restart in the middle of an escalation', async () => {
    const id = await declare(engine, 'restart-svc', 'high');
    const first = await eventually(async () => pagesFor(id).find((p) => p.body.to === 'pat'));
    await engine.stopWorker();
    await new Promise((r) => setTimeout(r, 2000));
    await engine.startWorker();
    const back = Date.now();
    const next = await eventually(async () => pagesFor(id).find((p) => p.body.to === 'sam'), {
      timeoutMs: 20_000,
    });
    const late = next.at - Date.parse(next.body.due_at);
    expect(Date.parse(next.body.due_at) - first.at).toBeGreaterThan(11_000);
    expect(back).toBeLessThan(Date.parse(next.body.due_at)); // the new worker was polling before the deadline
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1000);
  });
});

describe('deadline timer', () => {
  const timers = async (id: string) => {
    const { events } = await engine.client.workflow.getHandle(id).fetchHistory();
    const count = (type: string) =>
      (events ?? []).filter((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0] === type).length;
    return { started: count('EVENT_TYPE_TIMER_STARTED'), cancelled: count('EVENT_TYPE_TIMER_CANCELED') };
  };

  it('keeps its one timer while changes leave the earliest deadline where it is', async () => {
    const id = await declare(engine, 'payments', 'high'); // SEV2: acknowledge and the next level within 1 h
    await eventually(async () => pagesFor(id).length === 1);
    // Each re-plans (its reminder is a deadline), none comes before the hour.
    const due = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    for (const n of [1, 2, 3]) {
      const r = await engine.call('POST', `/api/v1/incidents/${id}/action-items`, {
        body: { title: `follow-up ${n}`, owner: 'pat', due },
      });
      expect(r.status).toBe(201);
    }
    expect((await detail(engine, id)).action_items).toHaveLength(3);
    expect(await timers(id)).toEqual({ started: 1, cancelled: 0 });
  });
});

describe('on-call API', () => {
  const at = (schedule: string, iso: string) =>
    engine.call('GET', `/api/v1/oncall/${schedule}?at=${encodeURIComponent(iso)}`, { token: 'viewer' });

  it('answers who is on call across a handoff, a time zone and an override', async () => {
    // Weekly from Monday 2 Nov 09:00 Berlin (08:00 UTC): ana, ben, cy, ana …
    expect((await at('platform', '2026-11-09T07:59:00Z')).body).toMatchObject({
      person: 'ana',
      source: 'rotation',
    });
    expect((await at('platform', '2026-11-09T08:00:00Z')).body).toMatchObject({
      person: 'ben',
      shift_start: '2026-11-09T08:00:00.000Z',
      shift_end: '2026-11-16T08:00:00.000Z',
    });
    expect((await at('platform', '2026-11-16T09:30:00+01:00')).body).toMatchObject({ person: 'cy' });
    expect((await at('platform', '2026-11-18T12:00:00+01:00')).body).toMatchObject({
      person: 'dee',
      source: 'override',
    });
    expect((await at('platform', '2026-11-23T08:00:00Z')).body).toMatchObject({ person: 'ana' });
    const all = await engine.call('GET', '/api/v1/oncall', { token: 'viewer' });
    expect(all.body.schedules.map((s: any) => s.schedule)).toEqual([
      'primary',
      'secondary',
      'ic',
      'platform',
    ]);
    expect((await at('nope', '2026-11-18T12:00:00Z')).status).toBe(404);
    const bad = await at('platform', 'yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('at');
  });

  it('reports pages per responder per week, off-hours apart', async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const load = await eventually(async () => {
      const r = await engine.call('GET', `/api/v1/oncall/load?since=${encodeURIComponent(since)}`, {
        token: 'viewer',
      });
      return r.body.responders?.find((p: any) => p.person === 'sam') && r.body;
    });
    const pat = load.responders.find((p: any) => p.person === 'pat');
    const delivered = pager.delivered().filter((r) => r.body.to === 'pat' && r.body.kind === 'page').length;
    expect(pat.pages).toBeGreaterThanOrEqual(delivered - 1); // visibility may trail the newest page by a moment
    expect(pat.off_hours_pages).toBe(0); // the test's business hours cover the whole day
    expect(pat.weeks[0]).toMatchObject({ pages: expect.any(Number), off_hours_pages: 0 });
  });
});
