/**
 * Starts the real engine for a test file: a worker and the HTTP API on a free port,
 * against the run's shared Temporal server, in this Jest worker's own namespace.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { installRuntime } from '../../worker/runtime';
import type { EngineWorker } from '../../worker';
import pino from 'pino';
import { KubeConfig } from '@kubernetes/client-node';
import { createApp, RouteInfo } from '../../api/app';
import type { EdgeLimits } from '../../domain/edge-limits';
import type { Incidents } from '../../api/incidents';
import { TokenStore } from '../../api/auth';
import { createWorker } from '../../worker';
import {
  EscalationConfigSchema,
  SlackConfigSchema,
  toEscalationConfig,
  type AlertsConfig,
} from '../../config';
import { ServicesConfigSchema } from '../../config/schema';
import { toServiceCatalogue } from '../../config/services';
import type { GuardrailConfig } from '../../domain/guardrails';
import { clientInterceptors } from '../../common/tracing';

export const TOKENS = {
  admin: 'test-admin-token',
  responder: 'test-responder-token',
  approver: 'test-approver-token',
  viewer: 'test-viewer-token',
} as const;
export type TokenName = keyof typeof TOKENS;

export const LINK_SECRET = 'test-approval-link-secret-0123456789';

/** Each alert source's own secret in tests. */
export const ALERT_SECRETS = {
  alertmanager: 'test-alertmanager-secret',
  grafana: 'test-grafana-secret',
  pagerdutyRoutingKey: 'R0UTINGKEY0123456789abcdefABCDEF',
  hmac: 'test-generic-hmac-secret-0123456789',
} as const;

/** Core's metrics reader: one runtime per test file (Jest gives each file its own modules). */
let runtimeMetrics: (() => Promise<string>) | undefined;

export interface TestEngine {
  url: string;
  client: Client;
  namespace: string;
  taskQueue: string;
  /** Every route the API serves. */
  routes: RouteInfo[];
  /** The API's incident service (diagnostics such as how many rows a list read). */
  incidents: Incidents;
  call(method: string, path: string, opts?: CallOptions): Promise<{ status: number; body: any }>;
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startEngine(
  opts: {
    historyLimit?: number;
    alerts?: Partial<AlertsConfig>;
    postgres?: Record<string, string>;
    edgeLimits?: EdgeLimits;
    /** The worker's cluster credentials (default: the test plane's admin). */
    kubeconfig?: KubeConfig;
    /** The config file's services section (the catalogue of what runbooks may touch). */
    services?: unknown;
    guardrails?: GuardrailConfig;
    /** The config file's escalation section, as a user writes it (parsed by the real schema). */
    escalation?: unknown;
    /** Visibility page size for the API's scans. */
    pageSize?: number;
    /** A namespace of its own (one of TEST_NAMESPACES beyond the jest workers'), for load that would disturb metrics. */
    namespace?: string;
    /** Another Temporal server than the run's shared one (a test that restarts its own). */
    temporalAddress?: string;
    /** Runbook directories beside the built-ins: the worker bundles its own code (not the run's shared bundle). */
    runbookDirs?: string[];
    /** Where the worker keeps each version's bundle (and runs older versions with pinned runs). */
    bundleDir?: string;
    /** The config file's slack section, as a user writes it (parsed by the real schema). */
    slack?: unknown;
    /** The API's deadline for each call to Temporal (default 10 s). */
    temporalTimeoutMs?: number;
  } = {},
): Promise<TestEngine> {
  const address = opts.temporalAddress ?? process.env.TOURNIQUET_TEST_TEMPORAL;
  if (!address)
    throw new Error(
      'TOURNIQUET_TEST_TEMPORAL is unset: run tests through jest (test/support/global-setup.ts)',
    );
  runtimeMetrics ??= await installRuntime(pino({ level: process.env.TOURNIQUET_TEST_SDK_LOG ?? 'error' }));
  const namespace = opts.namespace ?? `test-${process.env.JEST_WORKER_ID ?? '1'}`;
  const taskQueue = 'tourniquet';
  const logger = pino({ level: 'warn' });

  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace, interceptors: clientInterceptors() });
  const nativeConnection = await NativeConnection.connect({ address });

  // The service catalogue, as a user writes it in the config file (parsed by the real schema).
  const services = toServiceCatalogue(ServicesConfigSchema.parse(opts.services ?? {}), opts.postgres);
  const kubeconfig = opts.kubeconfig ?? new KubeConfig();
  if (!opts.kubeconfig) kubeconfig.loadFromFile(process.env.TOURNIQUET_TEST_KUBECONFIG!);
  const slack = opts.slack ? SlackConfigSchema.parse(opts.slack) : undefined;
  const escalation = toEscalationConfig(
    EscalationConfigSchema.parse(opts.escalation ?? {}),
    'http://127.0.0.1:3000',
    undefined,
    services.entries,
    slack,
  );
  let worker: EngineWorker | undefined;
  let running: Promise<void> | undefined;
  const startWorker = async () => {
    worker = await createWorker({
      connection: nativeConnection,
      client,
      namespace,
      taskQueue,
      logger,
      ...(opts.runbookDirs
        ? { runbookDirs: opts.runbookDirs }
        : { workflowBundle: { codePath: process.env.TOURNIQUET_TEST_BUNDLE! } }),
      bundleDir: opts.bundleDir,
      kubeconfig,
      services,
      guardrails: opts.guardrails,
      escalation: escalation.config,
      notifiers: escalation.notifiers,
      linkSecret: LINK_SECRET,
      approvers: ['alice', 'ada'],
      slack,
    });
    running = worker.run();
    await worker.ready();
  };
  const stopWorker = async () => {
    worker?.shutdown();
    await running;
    worker = undefined;
  };
  await startWorker();

  const tokens = new TokenStore([
    { token: TOKENS.admin, identity: 'ada', roles: ['admin'] },
    { token: TOKENS.responder, identity: 'rob', roles: ['responder'] },
    { token: TOKENS.approver, identity: 'alice', roles: ['responder', 'approver'] },
    { token: TOKENS.viewer, identity: 'vic', roles: ['viewer'] },
  ]);
  const alerts: AlertsConfig = {
    alertmanager: { token: ALERT_SECRETS.alertmanager },
    grafana: { token: ALERT_SECRETS.grafana },
    pagerduty: { routing_keys: [ALERT_SECRETS.pagerdutyRoutingKey] },
    generic: { hmac_secret: ALERT_SECRETS.hmac },
    routes: [],
    auto_resolve: ['SEV3', 'SEV4'],
    ...opts.alerts,
  };
  const app = createApp({
    client,
    namespace,
    taskQueue,
    tokens,
    alerts,
    logger,
    historyLimit: opts.historyLimit,
    linkSecret: LINK_SECRET,
    slack,
    escalation: escalation.config,
    pageSize: opts.pageSize,
    temporalTimeoutMs: opts.temporalTimeoutMs,
    runtimeMetrics,
    runbookDirs: opts.runbookDirs,
    services: services.entries,
    // Tests call fast from one address; the edge test sets its own.
    edgeLimits: opts.edgeLimits ?? { perMinute: 1_000_000, failedAuthPerMinute: 1_000_000 },
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    client,
    namespace,
    taskQueue,
    routes: app.locals.routes,
    incidents: app.locals.incidents,
    call: (method, path, opts) => callApi(url, method, path, opts),
    stopWorker,
    startWorker,
    async close() {
      await new Promise((r) => server.close(r));
      await stopWorker();
      await nativeConnection.close();
      await connection.close();
    },
  };
}

export interface CallOptions {
  /** Whose token (default responder); null: none. */
  token?: TokenName | null;
  bearer?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

/** One HTTP call to an API at `base` (this process's engine, or an engine process); JSON answers parsed. */
export async function callApi(
  base: string,
  method: string,
  path: string,
  { token = 'responder', bearer, body, raw, headers: extra }: CallOptions = {},
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { ...extra };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  else if (token) headers.authorization = `Bearer ${TOKENS[token]}`;
  if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method,
    headers,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed };
}

/** Polls until `check` returns a truthy value (visibility is eventually consistent). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 15_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err as Error;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A name unique to this test, so tests sharing a namespace never see each other's incidents. */
export const unique = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
