import { eventually, startEngine, TestEngine } from './support/engine';

describe('an incident survives its worker', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startEngine();
  });
  afterAll(() => engine?.close());

  it('keeps its state when the worker is stopped mid-incident and a new one takes over', async () => {
    const { body } = await engine.call('POST', '/api/v1/incidents', {
      body: {
        title: 'Queue backlog growing',
        description: 'consumer lag',
        severity: 'high',
        affected_services: ['orders'],
      },
    });
    await engine.call('POST', `/api/v1/incidents/${body.id}/acknowledge`, { body: {} });
    await engine.call('POST', `/api/v1/incidents/${body.id}/notes`, { body: { text: 'before the restart' } });

    await engine.stopWorker();
    await engine.startWorker(); // a fresh worker: empty cache, so it must replay history

    const after = await engine.call('POST', `/api/v1/incidents/${body.id}/transition`, {
      body: { to: 'investigating' },
    });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ status: 'investigating', assignee: 'rob' });
    expect(after.body.timeline.map((e: any) => e.message)).toContain('before the restart');
  });
});

describe('a long incident continues as new and carries its state', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startEngine({ historyLimit: 40 });
  });
  afterAll(() => engine?.close());

  it('keeps every timeline entry across runs', async () => {
    const { body } = await engine.call('POST', '/api/v1/incidents', {
      body: {
        title: 'Chatty incident',
        description: 'many notes',
        severity: 'medium',
        affected_services: ['search'],
      },
    });
    for (let i = 0; i < 25; i++) {
      const r = await engine.call('POST', `/api/v1/incidents/${body.id}/notes`, {
        body: { text: `note ${i}` },
      });
      expect(r.status).toBe(200);
    }
    const handle = engine.client.workflow.getHandle(body.id);
    // A run lives at least MIN_RUN_MS (1.5 s) before it continues as new.
    await eventually(async () => {
      const runs = new Set<string>();
      for await (const wf of engine.client.workflow.list({ query: `WorkflowId = '${body.id}'` }))
        runs.add(wf.runId);
      return runs.size > 1;
    });
    expect((await handle.describe()).status.name).toBe('RUNNING');

    const detail = await engine.call('GET', `/api/v1/incidents/${body.id}`);
    const notes = detail.body.timeline.filter((e: any) => e.kind === 'note').map((e: any) => e.message);
    expect(notes).toEqual(Array.from({ length: 25 }, (_, i) => `note ${i}`));
    expect(detail.body.timeline[0].kind).toBe('created');
  });
});
