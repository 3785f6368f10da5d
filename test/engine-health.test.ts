/**
 * A workflow whose task keeps failing is reported within a minute — /api/v1/engine/health,
 * /readyz, the tourniquet_incidents_stuck gauge and a page to the engine's owner — and again
 * when it recovers (also on its timeline) or ends. Core's own metrics are in /metrics.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { eventually, startEngine, type TestEngine } from './support/engine';
import { launchBrowser, signIn } from './support/browser';
import { missing, save } from './support/histories';
import { ENGINE_HEALTH_WORKFLOW_ID } from '../workflows/definitions';
import { startReceiver, type Receiver } from './support/receiver';

jest.setTimeout(180_000);

let engine: TestEngine;
let pager: Receiver;
let failing: Worker;
let running: Promise<void>;
let connection: NativeConnection;

beforeAll(async () => {
  pager = await startReceiver();
  // Its own namespace: the made-up incidents stay out of other files' lists and metrics.
  engine = await startEngine({
    namespace: 'test-5',
    escalation: { notifiers: [{ name: 'pager', type: 'webhook', url: pager.url }], engine_owner: 'platform' },
  });
  failing = await Worker.create({
    connection: (connection = await NativeConnection.connect({
      address: process.env.TOURNIQUET_TEST_TEMPORAL!,
    })),
    namespace: engine.namespace,
    taskQueue: 'failing-on-purpose',
    workflowsPath: require.resolve('./support/workflows/failing-incident'),
  });
  running = failing.run();
});

afterAll(async () => {
  failing?.shutdown();
  await running;
  await connection?.close();
  await engine?.close();
  await pager?.close();
});

const health = async () => (await engine.call('GET', '/api/v1/engine/health', { token: 'viewer' })).body;
const until = <T>(probe: () => Promise<T | undefined | false>) =>
  eventually(probe, { timeoutMs: 90_000, intervalMs: 500 });

test('a workflow made to fail is reported stuck within a minute, then recovered or ended', async () => {
  const started = Date.now();
  const start = (id: string, failUntil: number) =>
    engine.client.workflow.start('incident', {
      workflowId: id,
      taskQueue: 'failing-on-purpose',
      args: [{ failUntil }],
    });
  const recovering = await start('INC-900001', Date.now() + 15_000);
  const broken = await start('INC-900002', Date.now() + 3_600_000);

  const stuck = await until(async () => {
    const h = await health();
    return h.stuck.length === 2 ? h.stuck : undefined;
  });
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(stuck.map((w: { workflow_id: string }) => w.workflow_id).sort()).toEqual([
    'INC-900001',
    'INC-900002',
  ]);
  expect(stuck[0]).toMatchObject({
    workflow_type: 'incident',
    confirmed: true,
    reason: expect.stringContaining('failing on purpose'),
  });
  expect(stuck[0].attempt).toBeGreaterThanOrEqual(2);

  // Its record cannot be read meanwhile: a 503 saying why, not a 500.
  const read = await engine.call('GET', '/api/v1/incidents/INC-900002', { token: 'viewer' });
  expect(read.status).toBe(503);
  expect(read.body.error.message).toContain('/api/v1/engine/health');
  const ready = await engine.call('GET', '/readyz', { token: null });
  expect(ready.status).toBe(200);
  expect(ready.body.stuck_workflows).toHaveLength(2);
  const metrics = (await engine.call('GET', '/metrics', { token: 'viewer' })).body as string;
  expect(metrics).toMatch(/^tourniquet_incidents_stuck 2$/m);
  // Core's runtime metrics, served with the rest.
  expect(metrics).toMatch(
    /^temporal_workflow_task_execution_failed_total\{[^}]*namespace="test-5"[^}]*\} [1-9]/m,
  );
  expect(metrics).toMatch(/^temporal_workflow_task_schedule_to_start_latency_seconds_bucket/m);

  const pages = (key: string) =>
    pager.delivered().filter((r) => r.body.idempotency_key === key && r.body.to === 'platform');
  await until(async () =>
    pages(`engine-stuck-${recovering.firstExecutionRunId}`).length &&
    pages(`engine-stuck-${broken.firstExecutionRunId}`).length
      ? true
      : undefined,
  );

  // The console says so, on the list and on the incident (whose record cannot be read now).
  const browser = await launchBrowser();
  try {
    const page = await signIn(browser, engine, 'viewer');
    await page
      .getByRole('alert')
      .filter({ hasText: /The engine cannot run \d incidents?:.*INC-900002/ })
      .waitFor();
    await page.goto(`${engine.url}/incidents/INC-900002`);
    await page.getByRole('alert').filter({ hasText: 'The engine cannot run this incident' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'failing on purpose' }).waitFor();
  } finally {
    await browser.close();
  }

  await broken.terminate('given up on');
  const after = await until(async () => {
    const h = await health();
    return h.stuck.length === 0 && h.recent.length === 2 ? h : undefined;
  });
  const kinds = Object.fromEntries(after.recent.map((e: any) => [e.workflow.workflow_id, e.kind]));
  expect(kinds).toEqual({ 'INC-900001': 'recovered', 'INC-900002': 'failed' });
  // The view changes before the pages are delivered: wait for them, then exactly one each.
  await until(async () =>
    pages(`engine-recovered-${recovering.firstExecutionRunId}`).length &&
    pages(`engine-failed-${broken.firstExecutionRunId}`).length
      ? true
      : undefined,
  );
  expect(pages(`engine-recovered-${recovering.firstExecutionRunId}`)).toHaveLength(1);
  expect(pages(`engine-failed-${broken.firstExecutionRunId}`)).toHaveLength(1);
  // The recovered incident hears what happened to it.
  const notes = await until(async () => {
    const n = await recovering.query<string[]>('notes');
    return n.length ? n : undefined;
  });
  expect(notes[0]).toMatch(/INC-900001 runs again: its workflow task failed from/);
  expect((await engine.call('GET', '/metrics', { token: 'viewer' })).body).toMatch(
    /^tourniquet_incidents_stuck 0$/m,
  );
  // The engine-health workflow's own history replays (and is kept as a fixture when recording).
  const history = await engine.client.workflow.getHandle(ENGINE_HEALTH_WORKFLOW_ID).fetchHistory();
  await Worker.runReplayHistory(
    { workflowBundle: { codePath: process.env.TOURNIQUET_TEST_BUNDLE! } },
    history,
  );
  if (missing('engine-health-v3')) save(engine.namespace, ENGINE_HEALTH_WORKFLOW_ID, 'engine-health-v3');
});
