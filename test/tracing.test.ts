/**
 * Traces: `npm start` with OTEL_EXPORTER_OTLP_ENDPOINT sends one connected trace from an
 * alert's HTTP request through Temporal (the client's start, the workflows' activities and
 * the incident they open) to the runbook step that restarts the Deployment — to a loopback
 * OTLP/HTTP receiver — and log lines inside it carry its trace id.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { ALERT_SECRETS, callApi as call, eventually, TOKENS } from './support/engine';
import { startProcess, type EngineProcess } from './support/engine-process';
import { deployment, kube } from './support/kube';
import { catalogueOf, ensureNamespace, testService } from './support/services';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}

const spans: OtlpSpan[] = [];
let receiver: Server;
let engine: EngineProcess;
const service = testService('traced', {
  deployments: ['web'],
  runbooks: { 'rolling-restart': { automatic: true } },
});

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const rs of body.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans as OtlpSpan[]));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const k = kube();
  const namespace = await ensureNamespace(k, service);
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('web', 1) });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-tracing-'));
  const config = path.join(dir, 'tourniquet.yaml');
  writeFileSync(config, YAML.stringify({ services: catalogueOf([service]) }));
  engine = await startProcess('all', 'traced-engine', {
    TEMPORAL_ADDRESS: process.env.TOURNIQUET_TEST_TEMPORAL!,
    TEMPORAL_NAMESPACE: 'test-11', // its own: it makes its build current there
    TOURNIQUET_WORKFLOW_BUNDLE: process.env.TOURNIQUET_TEST_BUNDLE!,
    TOURNIQUET_CONFIG: config,
    TOURNIQUET_TOKENS: `${TOKENS.responder}:rita:responder`,
    TOURNIQUET_ALERTMANAGER_TOKEN: ALERT_SECRETS.alertmanager,
    KUBECONFIG: process.env.TOURNIQUET_TEST_KUBECONFIG!,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
    OTEL_BSP_SCHEDULE_DELAY: '200',
    LOG_LEVEL: 'info',
  });
}, 180_000);

afterAll(async () => {
  await engine?.kill();
  await new Promise((r) => receiver?.close(r));
});

it('one connected trace from the alert request to the runbook step, its id on the log lines', async () => {
  const r = await call(engine.url!, 'POST', '/api/v1/alerts/alertmanager', {
    bearer: ALERT_SECRETS.alertmanager,
    body: {
      version: '4',
      status: 'firing',
      groupKey: `traced-${service.name}`,
      receiver: 'tourniquet',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'PodsUnhealthy', service: service.name, severity: 'warning' },
          annotations: { summary: 'slow' },
          startsAt: new Date().toISOString(),
          fingerprint: 'traced-1',
        },
      ],
    },
  });
  expect(r.status).toBeLessThan(300);
  const http = await eventually(async () =>
    spans.find((s) => s.name === 'POST /api/v1/alerts/alertmanager' && s.kind === 2),
  );
  // The restart is the runbook's mutating step: its activity span joins the alert's trace.
  // A span is exported when it ends, a child before its parent: wait until every parent is in.
  const orphansOf = (t: OtlpSpan[]) =>
    t.filter((s) => s !== http && !t.some((p) => p.spanId === s.parentSpanId));
  const trace = await eventually(
    async () => {
      const t = spans.filter((s) => s.traceId === http.traceId);
      return t.some((s) => s.name === 'RunActivity:k8sRolloutRestart') && orphansOf(t).length === 0 && t;
    },
    { timeoutMs: 90_000 },
  ).catch((err: Error) => {
    const t = spans.filter((s) => s.traceId === http.traceId);
    throw new Error(
      `${err.message}; spans of the trace: ${spanNames(http.traceId)}; without their parent: ${orphansOf(t)
        .map((s) => s.name)
        .join(', ')}`,
    );
  });
  expect(orphansOf(trace).map((s) => s.name)).toEqual([]);
  expect(trace.map((s) => s.name)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^SignalWithStartWorkflow:/),
      'RunActivity:k8sRolloutRestart',
    ]),
  );
  const logged = readFileSync(engine.log, 'utf8')
    .split('\n')
    .filter((l) => l.includes(`"trace_id":"${http.traceId}"`));
  expect(logged.length).toBeGreaterThan(0);
}, 120_000);

const spanNames = (traceId: string) =>
  spans
    .filter((s) => s.traceId === traceId)
    .map((s) => s.name)
    .join(', ');
