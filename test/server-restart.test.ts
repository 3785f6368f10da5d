/**
 * The Temporal server itself killed and restarted mid-run (#17): a rollback approved just
 * before the server dies finishes after it is back, with exactly one rollback on the real
 * plane. This file runs its own dev server (SQLite file) so the shared one is not disturbed.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { KEY_ANNOTATION } from '../activities/kubernetes';
import { type DevServer, ensureTemporalCli, freePort, startDevServer } from '../worker/dev-server';
import { ensureSearchAttributes } from '../worker/search-attributes';
import { eventually, startEngine, TestEngine } from './support/engine';
import { declare, pendingApproval, runReaches } from './support/incidents';
import { deployment, kube, mergePatch } from './support/kube';
import { catalogueOf, ensureNamespace, testService } from './support/services';

const k = kube();
const orders = testService('restarted', { deployments: ['orders'], runbooks: { 'rollback-deployment': {} } });
const dir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-restart-'));
let port: number;
let server: DevServer;
let engine: TestEngine;

const startServer = () =>
  startDevServer(ensureTemporalCli(), {
    port,
    dbFile: path.join(dir, 'temporal.db'),
    namespaces: ['default'],
    logFile: path.join(dir, 'temporal.log'),
  });

beforeAll(async () => {
  port = await freePort();
  server = await startServer();
  const connection = await Connection.connect({ address: server.address });
  await ensureSearchAttributes(connection, 'default');
  await connection.close();
  engine = await startEngine({
    temporalAddress: server.address,
    namespace: 'default',
    services: catalogueOf([orders]),
  });
});
afterAll(async () => {
  await engine?.close();
  await server?.stop();
});

it('a rollback survives the Temporal server killed with SIGKILL right after its approval: one rollback', async () => {
  const namespace = await ensureNamespace(k, orders);
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('orders', 1) });
  const bad = {
    spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example/orders:v2' }] } } },
  };
  await k.apps.patchNamespacedDeployment({ name: 'orders', namespace, body: bad }, mergePatch);
  const read = () => k.apps.readNamespacedDeployment({ name: 'orders', namespace });
  const revision = async () => (await read()).metadata?.annotations?.['deployment.kubernetes.io/revision'];
  await eventually(async () => (await revision()) === '2');

  const id = await declare(engine, orders.name);
  await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'rollback-deployment', params: { namespace, deployment: 'orders' } },
  });
  const approval = await pendingApproval(engine, id);
  const approved = await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
    token: 'approver',
    body: {},
  });
  expect(approved.status).toBe(200);
  // The server dies while the approved step takes its guard slot and rolls back.
  server.process.kill('SIGKILL');
  await new Promise((r) => server.process.once('exit', r));
  server = await startServer();

  const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated'], 90_000);
  expect(run.status).toBe('succeeded');
  expect(await revision()).toBe('3'); // exactly one rollback
  const d = await read();
  expect(d.spec?.template?.spec?.containers?.[0]?.image).toBe('registry.example/orders:v1');
  expect(JSON.parse(d.metadata!.annotations![KEY_ANNOTATION]).map((e: { key: string }) => e.key)).toEqual([
    `${id}-rb-1/undo`,
  ]);
}, 150_000);
