/**
 * Prometheus metrics of the API (prom-client, default registry): request latency and alert
 * intake, plus gauges read from Temporal visibility on each scrape (open incidents, pending
 * approvals, MTTA/MTTR quantiles), so they are right after any restart and across replicas.
 */
import type { RequestHandler } from 'express';
import { Gauge, Histogram, register } from 'prom-client';
import { SEVERITIES } from '../domain/severity';
import { counter, metric as one } from '../common/metrics';
import type { Client } from '@temporalio/client';
import type { Incidents } from './incidents';
import { readEngineHealth } from './engine-health';
import { distribution } from './metrics';

const requestSeconds = one(
  'tourniquet_http_request_duration_seconds',
  () =>
    new Histogram({
      name: 'tourniquet_http_request_duration_seconds',
      help: 'API request latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
);
const alertsReceived = counter('tourniquet_alerts_received_total', 'Alert deliveries by source and outcome', [
  'source',
  'outcome',
]);
const open = one(
  'tourniquet_incidents_open',
  () =>
    new Gauge({
      name: 'tourniquet_incidents_open',
      help: 'Incidents not yet closed, by severity and status',
      labelNames: ['severity', 'status'],
    }),
);
const pending = one(
  'tourniquet_approvals_pending',
  () =>
    new Gauge({ name: 'tourniquet_approvals_pending', help: 'Runbook steps waiting for a human approval' }),
);
const stuck = one(
  'tourniquet_incidents_stuck',
  () =>
    new Gauge({
      name: 'tourniquet_incidents_stuck',
      help: 'Incidents whose workflow task keeps failing (GET /api/v1/engine/health names them)',
    }),
);
const mtta = one(
  'tourniquet_incident_mtta_seconds',
  () =>
    new Gauge({
      name: 'tourniquet_incident_mtta_seconds',
      help: 'Time to acknowledge over the last 30 days, by severity and quantile',
      labelNames: ['severity', 'quantile'],
    }),
);
const mttr = one(
  'tourniquet_incident_mttr_seconds',
  () =>
    new Gauge({
      name: 'tourniquet_incident_mttr_seconds',
      help: 'Time to resolve over the last 30 days, by severity and quantile',
      labelNames: ['severity', 'quantile'],
    }),
);

const ALERT_SOURCE = /^\/(?:api\/v1\/alerts(?:\/(\w+))?|v2\/(enqueue))$/;
const outcome = (status: number) =>
  status < 300
    ? 'accepted'
    : status === 401 || status === 403
      ? 'unauthorized'
      : status === 503
        ? 'unavailable'
        : 'invalid';

/** Times every request by its route pattern (never the raw path: ids would explode the label set). */
export const measureRequests: RequestHandler = (req, res, next) => {
  const end = requestSeconds.startTimer();
  res.on('finish', () => {
    const pattern = (req.route as { path?: string } | undefined)?.path;
    const route = pattern ? `${req.baseUrl}${pattern}` : 'unmatched';
    end({ method: req.method, route, status: String(res.statusCode) });
    const alert = ALERT_SOURCE.exec(req.path);
    if (req.method === 'POST' && alert)
      alertsReceived.inc({
        source: alert[2] ? 'pagerduty' : (alert[1] ?? 'generic'),
        outcome: outcome(res.statusCode),
      });
  });
  next();
};

/** The exposition text, after refreshing the gauges from visibility. */
export async function scrape(
  incidents: Incidents,
  client: Client,
): Promise<{ contentType: string; body: string }> {
  const health = await readEngineHealth(client).catch(() => undefined);
  if (health) stuck.set(health.stuck.filter((w) => w.workflow_type === 'incident').length);
  const since = new Date(Date.now() - 30 * 86_400_000);
  const rows = await incidents.scan([
    `(ExecutionStatus = 'Running' OR CloseTime >= '${since.toISOString()}')`,
  ]);
  open.reset();
  for (const r of rows) if (r.status !== 'closed') open.inc({ severity: r.severity, status: r.status });
  pending.set(rows.reduce((n, r) => n + (r.status === 'closed' ? 0 : r.approvals_pending), 0));
  mtta.reset();
  mttr.reset();
  const recent = rows.filter((r) => Date.parse(r.created_at) >= since.getTime());
  for (const severity of SEVERITIES) {
    const rs = recent.filter((r) => r.severity === severity);
    const secs = (to: 'acknowledged_at' | 'resolved_at') =>
      rs.filter((r) => r[to]).map((r) => (Date.parse(r[to]!) - Date.parse(r.created_at)) / 1000);
    for (const [gauge, d] of [
      [mtta, distribution(secs('acknowledged_at'))],
      [mttr, distribution(secs('resolved_at'))],
    ] as const) {
      for (const [quantile, v] of [
        ['0.5', d.p50],
        ['0.9', d.p90],
        ['0.99', d.p99],
        ['1', d.max],
      ] as const)
        if (v !== null) gauge.set({ severity, quantile }, v);
    }
  }
  return { contentType: register.contentType, body: await register.metrics() };
}
