import type { ServiceEntry } from '../domain/services';
import express from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { TokenStore } from './auth';
import type { AlertsConfig } from '../config';
import { DEFAULT_ESCALATION, type EscalationConfig } from '../domain/escalation';
import { loadRunbooks } from '../common/runbook-catalog';
import { AlertIntake } from './alerts/intake';
import { errorHandler, notFoundRoute } from './errors';
import { Incidents } from './incidents';
import { openApiDocument } from './openapi';
import { measureRequests } from './prometheus';
import { mountRoutes, type Route, route } from './route';
import { alertRoutes, pagerDutyErrors } from './routes/alerts';
import { linkRoutes } from './routes/approval-links';
import { automationRoutes } from './routes/automation';
import { consoleStatic, meRoutes } from './routes/console';
import { healthRoutes } from './routes/health';
import { incidentRoutes } from './routes/incidents';
import { metricsRoutes } from './routes/metrics';
import { engineRoutes } from './routes/engine';
import { statusPageRoutes } from './routes/status-page';
import { slackRoutes } from './routes/slack';
import type { SlackConfig } from '../config/schema';
import { serviceRoutes } from './routes/services';
import { rateLimits, securityHeaders } from './edge';
import type { EdgeLimits } from '../domain/edge-limits';
import { oncallRoutes } from './routes/oncall';
import { recordRoutes } from './routes/record';
import { runbookRoutes } from './routes/runbooks';
import { Runbooks } from './runbooks';

export interface AppDeps {
  client: Client;
  /** Directories of runbooks beside the built-ins (the catalogue lists them, run requests are checked against them). */
  runbookDirs?: readonly string[];
  namespace: string;
  taskQueue: string;
  tokens: TokenStore;
  alerts: AlertsConfig;
  logger: Logger;
  /** Tests lower it to exercise continue-as-new. */
  historyLimit?: number;
  /** Secret for signed approval links; absent = links disabled. */
  linkSecret?: string;
  /** Schedules and policies, for the on-call endpoints; absent = the defaults (no schedules). */
  escalation?: EscalationConfig;
  /** The Temporal UI's namespace page, linked from the console for engineers. */
  temporalUiUrl?: string;
  /** Visibility page size for scans (tests lower it). */
  pageSize?: number;
  /** Deadline for each call to Temporal before answering 503 (default 10 s). */
  temporalTimeoutMs?: number;
  /** Requests per minute per caller and failed authentications per address (default DEFAULT_EDGE_LIMITS). */
  edgeLimits?: EdgeLimits;
  /** The service catalogue's entries (no secrets): alerts select a service by its matchers. */
  services?: readonly ServiceEntry[];
  /** Slack as a console (signing secret, user mapping); absent = the Slack routes answer 401. */
  slack?: SlackConfig;
  /** The worker runtime's own metrics (Prometheus text), appended to /metrics when it runs in this process. */
  runtimeMetrics?: () => Promise<string>;
}

/** The HTTP API. Dependencies come in, so tests build it against a real Temporal server. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(measureRequests);
  app.use(securityHeaders(), ...rateLimits(deps.edgeLimits));
  app.set('query parser', 'simple');

  const incidents = new Incidents({
    client: deps.client,
    taskQueue: deps.taskQueue,
    historyLimit: deps.historyLimit,
    timeoutMs: deps.temporalTimeoutMs,
    pageSize: deps.pageSize,
  });
  const routes = apiRoutes(deps, incidents);
  mountRoutes(app, routes, deps.tokens);
  app.use('/v2/enqueue', pagerDutyErrors);
  app.locals.table = routes;
  app.locals.routes = routes.map(routeInfo);
  app.locals.incidents = incidents;
  app.use(consoleStatic());

  app.use(notFoundRoute);
  app.use(errorHandler(deps.logger));
  return app;
}

/** The whole API as one table: every route, its role and schemas, declared once. */
function apiRoutes(deps: AppDeps, incidents: Incidents): Route[] {
  const escalation = deps.escalation ?? DEFAULT_ESCALATION;
  const intake = new AlertIntake({
    client: deps.client,
    taskQueue: deps.taskQueue,
    alertPolicy: { autoResolve: deps.alerts.auto_resolve },
    timeoutMs: deps.temporalTimeoutMs,
  });
  const runbooks = new Runbooks({ client: deps.client, timeoutMs: deps.temporalTimeoutMs });
  const routes: Route[] = [
    ...healthRoutes(deps),
    ...alertRoutes({ intake, config: deps.alerts, catalogue: deps.services ?? [] }),
    ...incidentRoutes({ incidents }),
    ...runbookRoutes({ runbooks, catalog: loadRunbooks(deps.runbookDirs) }),
    ...automationRoutes(deps),
    ...linkRoutes({ runbooks, incidents, tokens: deps.tokens, secret: deps.linkSecret }),
    ...oncallRoutes({ escalation, incidents }),
    ...recordRoutes({ incidents }),
    ...metricsRoutes({ incidents, escalation, client: deps.client, runtimeMetrics: deps.runtimeMetrics }),
    ...engineRoutes(deps),
    ...serviceRoutes({ catalogue: deps.services ?? [], escalation, incidents }),
    ...statusPageRoutes({ catalogue: deps.services ?? [], incidents, publicUrl: escalation.public_url }),
    ...meRoutes({ temporalUiUrl: deps.temporalUiUrl }),
  ];
  // Slack acts through the other routes, each looked up by its operationId.
  const table = new Map<string, Route>();
  routes.push(
    ...slackRoutes({
      slack: deps.slack,
      tokens: deps.tokens,
      table,
      publicUrl: escalation.public_url,
      logger: deps.logger,
    }),
  );
  for (const r of routes) table.set(r.operationId, r);
  // The API's description, generated from this table; public like any API reference.
  let document: unknown;
  routes.push(
    route({
      method: 'get',
      path: '/api/v1/openapi.json',
      auth: 'none',
      operationId: 'getOpenApiDocument',
      summary: 'This document: the API as OpenAPI 3.1',
      handle: () => (document ??= openApiDocument(routes)),
    }),
  );
  return routes;
}

export interface RouteInfo {
  method: string;
  /** Express style: /api/v1/incidents/:id */
  path: string;
}

/** Every route served, so tests can walk them all (e.g. for the auth check). */
const routeInfo = (r: Route): RouteInfo => ({
  method: r.method.toUpperCase(),
  path: r.path.replace(/\{(\w+)\}/g, ':$1'),
});
