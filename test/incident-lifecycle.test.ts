import { startEngine, TestEngine, eventually, unique } from './support/engine';

let engine: TestEngine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(() => engine?.close());

const declare = (overrides: Record<string, unknown> = {}) =>
  engine.call('POST', '/api/v1/incidents', {
    body: {
      title: 'Checkout 5xx above 5%',
      description: 'Error rate spiked after deploy',
      severity: 'critical',
      affected_services: ['checkout'],
      ...overrides,
    },
  });

describe('an incident from declaration to closure over HTTP', () => {
  it('is declared, acknowledged, investigated, mitigated, resolved, postmortemed and closed, with every step on the timeline', async () => {
    const created = await declare();
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    expect(id).toMatch(/^INC-\d+$/);
    expect(created.body).toMatchObject({
      status: 'triggered',
      severity: 'SEV1',
      affected_services: ['checkout'],
      created_by: 'rob',
    });

    const ack = await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', assignee: 'rob' });
    expect(ack.body.acknowledged_at).toBeTruthy();

    for (const to of ['investigating', 'mitigating']) {
      const r = await engine.call('POST', `/api/v1/incidents/${id}/transition`, {
        body: { to, note: `moving to ${to}` },
      });
      expect(r.status).toBe(200);
      expect(r.body.status).toBe(to);
    }
    const note = await engine.call('POST', `/api/v1/incidents/${id}/notes`, {
      body: { text: 'Rolled back to v41' },
    });
    expect(note.status).toBe(200);

    const resolved = await engine.call('POST', `/api/v1/incidents/${id}/transition`, {
      body: { to: 'resolved', root_cause: 'Bad config in v42' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', root_cause: 'Bad config in v42' });

    await engine.call('POST', `/api/v1/incidents/${id}/transition`, { body: { to: 'postmortem' } });
    const closed = await engine.call('POST', `/api/v1/incidents/${id}/transition`, {
      body: { to: 'closed' },
    });
    expect(closed.body.status).toBe('closed');

    const detail = await engine.call('GET', `/api/v1/incidents/${id}`, { token: 'viewer' });
    expect(detail.status).toBe(200);
    const kinds = byPeople(detail.body.timeline).map((e: any) => `${e.kind}:${e.actor}`);
    expect(kinds).toEqual([
      'created:rob',
      'acknowledged:rob',
      'status:rob',
      'status:rob',
      'note:rob',
      'status:rob',
      'status:rob',
      'status:rob',
    ]);
    expect(byPeople(detail.body.timeline)[4].message).toBe('Rolled back to v41');
  });

  it('records the token identity as actor, never a name from the body', async () => {
    const created = await declare({ assignee: 'carol' });
    const ack = await engine.call('POST', `/api/v1/incidents/${created.body.id}/acknowledge`, {
      token: 'approver',
      body: { assignee: 'dave' },
    });
    expect(ack.body.assignee).toBe('dave');
    expect(byPeople(ack.body.timeline).at(-1)).toMatchObject({ kind: 'acknowledged', actor: 'alice' });
  });

  it('accepts both severity scales and edits severity, assignee and services', async () => {
    const created = await declare({ severity: 'SEV3' });
    expect(created.body.severity).toBe('SEV3');
    const edited = await engine.call('PATCH', `/api/v1/incidents/${created.body.id}`, {
      body: { severity: 'high', assignee: 'erin', affected_services: ['checkout', 'payments'] },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      severity: 'SEV2',
      assignee: 'erin',
      affected_services: ['checkout', 'payments'],
    });
    expect(byPeople(edited.body.timeline).at(-1).message).toContain('severity SEV3 → SEV2');
  });
});

describe('illegal transitions are refused with a reason', () => {
  it('refuses resolving without a root cause, skipping back, and acknowledging twice', async () => {
    const { body } = await declare();
    const noCause = await engine.call('POST', `/api/v1/incidents/${body.id}/transition`, {
      body: { to: 'resolved' },
    });
    expect(noCause.status).toBe(409);
    expect(noCause.body.error.message).toContain('root_cause');

    const toClosed = await engine.call('POST', `/api/v1/incidents/${body.id}/transition`, {
      body: { to: 'closed' },
    });
    expect(toClosed.status).toBe(409);
    expect(toClosed.body.error.message).toBe(
      'cannot move from triggered to closed; allowed: acknowledged, investigating, mitigating, resolved',
    );

    expect((await engine.call('POST', `/api/v1/incidents/${body.id}/acknowledge`, { body: {} })).status).toBe(
      200,
    );
    const again = await engine.call('POST', `/api/v1/incidents/${body.id}/acknowledge`, { body: {} });
    expect(again.status).toBe(409);

    // Nothing of the refused changes reached the record.
    const detail = await engine.call('GET', `/api/v1/incidents/${body.id}`);
    expect(detail.body.status).toBe('acknowledged');
    expect(byPeople(detail.body.timeline)).toHaveLength(2);
  });

  it('refuses changes to a closed incident', async () => {
    const { body } = await declare({ severity: 'low' });
    await engine.call('POST', `/api/v1/incidents/${body.id}/transition`, {
      body: { to: 'resolved', root_cause: 'flaky probe' },
    });
    const closed = await engine.call('POST', `/api/v1/incidents/${body.id}/transition`, {
      body: { to: 'closed' },
    });
    expect(closed.body.status).toBe('closed');
    const note = await engine.call('POST', `/api/v1/incidents/${body.id}/notes`, {
      body: { text: 'late note' },
    });
    expect({ status: note.status, body: note.body }).toEqual({ status: 409, body: expect.anything() });
    const detail = await engine.call('GET', `/api/v1/incidents/${body.id}`);
    expect(detail.body.status).toBe('closed');
  });
});

describe('bad input gets a 4xx naming the field, and nothing is created', () => {
  it('names each bad field', async () => {
    const service = unique('svc');
    const r = await engine.call('POST', '/api/v1/incidents', {
      body: { title: '', severity: 'urgent', affected_services: [service] },
    });
    expect(r.status).toBe(400);
    const paths = r.body.error.fields.map((f: any) => f.path).sort();
    expect(paths).toEqual(['description', 'severity', 'title']);
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts/); // no stack trace

    const list = await engine.call('GET', `/api/v1/incidents?service=${service}`);
    expect(list.body.total).toBe(0);
  });

  it('rejects malformed JSON, oversized bodies, unknown fields, bad ids and unknown routes', async () => {
    expect((await engine.call('POST', '/api/v1/incidents', { raw: '{"title": ' })).status).toBe(400);
    expect(
      (
        await engine.call('POST', '/api/v1/incidents', {
          raw: JSON.stringify({ title: 'x'.repeat(300_000) }),
        })
      ).status,
    ).toBe(413);
    const unknown = await declare({ sevrity: 'high' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('sevrity');
    expect((await engine.call('GET', '/api/v1/incidents/not-an-id')).status).toBe(400);
    expect((await engine.call('GET', '/api/v1/incidents/INC-999999')).status).toBe(404);
    const route = await engine.call('GET', '/api/v1/nope');
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('not_found');
  });
});

describe('health probes', () => {
  it('answers /healthz and /readyz without a token once a worker polls', async () => {
    expect((await engine.call('GET', '/healthz', { token: null })).status).toBe(200);
    const ready = await eventually(async () => {
      const r = await engine.call('GET', '/readyz', { token: null });
      return r.status === 200 && r.body;
    });
    expect(ready.workers).toBeGreaterThan(0);
  });
});

/** The entries people caused (milestone planning and pages are the engine's own). */
const byPeople = (timeline: any[]) => timeline.filter((e) => e.kind !== 'milestone' && e.kind !== 'page');
