import express, { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { TokenStore } from './auth';
import type { AlertsConfig } from '../config';
import { AlertIntake } from './alerts/intake';
import { alertsRouter } from './routes/alerts';
import { errorHandler, notFoundRoute } from './errors';
import { Incidents } from './incidents';
import { healthRouter } from './routes/health';
import { incidentsRouter } from './routes/incidents';
import { Runbooks } from './runbooks';
import { runbooksRouter } from './routes/runbooks';
import { automationRouter } from './routes/automation';
import { approvalLinksRouter } from './routes/approval-links';
import { loadRunbookCatalog } from '../worker/runbook-catalog';
import { oncallRouter } from './routes/oncall';
import { recordRouter } from './routes/record';
import { metricsRouter } from './routes/metrics';
import { measureRequests } from './prometheus';
import { consoleStatic, meRouter } from './routes/console';
import { openApiDocument } from './openapi';
import { DEFAULT_ESCALATION, EscalationConfig } from '../domain/escalation';

export interface AppDeps {
  client: Client;
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
}

/** The HTTP API. Dependencies come in, so tests build it against a real Temporal server. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(measureRequests);
  app.set('query parser', 'simple');

  const incidents = new Incidents({
    client: deps.client,
    taskQueue: deps.taskQueue,
    historyLimit: deps.historyLimit,
    timeoutMs: deps.temporalTimeoutMs,
    pageSize: deps.pageSize,
  });
  const routes: RouteInfo[] = [];
  const mount = (base: string, router: Router) => {
    app.use(base, router);
    routes.push(...routesOf(base, router));
  };
  mount('/', healthRouter(deps));
  // Alert endpoints read raw bodies (signatures) with their own limit: mounted before the JSON parser.
  const intake = new AlertIntake({
    client: deps.client,
    taskQueue: deps.taskQueue,
    alertPolicy: { autoResolve: deps.alerts.auto_resolve },
    timeoutMs: deps.temporalTimeoutMs,
  });
  mount('/', alertsRouter({ intake, config: deps.alerts }));
  app.use(express.json({ limit: '256kb' }));
  mount('/api/v1/incidents', incidentsRouter({ incidents, tokens: deps.tokens }));
  const runbooks = new Runbooks({ client: deps.client, timeoutMs: deps.temporalTimeoutMs });
  mount('/', runbooksRouter({ runbooks, catalog: loadRunbookCatalog(), tokens: deps.tokens }));
  mount('/', automationRouter(deps));
  mount('/', approvalLinksRouter({ runbooks, incidents, tokens: deps.tokens, secret: deps.linkSecret }));
  mount(
    '/',
    oncallRouter({ escalation: deps.escalation ?? DEFAULT_ESCALATION, incidents, tokens: deps.tokens }),
  );
  mount('/', recordRouter({ incidents, tokens: deps.tokens }));
  mount(
    '/',
    metricsRouter({ incidents, escalation: deps.escalation ?? DEFAULT_ESCALATION, tokens: deps.tokens }),
  );
  mount('/', meRouter({ tokens: deps.tokens, temporalUiUrl: deps.temporalUiUrl }));
  // The API's description, generated from the zod schemas; public like any API reference.
  const openapi = openApiDocument();
  mount(
    '/',
    Router().get('/api/v1/openapi.json', (_req, res) => void res.json(openapi)),
  );
  app.locals.routes = routes;
  app.locals.incidents = incidents;
  app.use(consoleStatic());

  app.use(notFoundRoute);
  app.use(errorHandler(deps.logger));
  return app;
}

export interface RouteInfo {
  method: string;
  path: string;
}

/** Every route a router serves, so tests can walk them all (e.g. for the auth check). */
function routesOf(base: string, router: Router): RouteInfo[] {
  return router.stack.flatMap((layer: any) =>
    layer.route
      ? Object.keys(layer.route.methods).map((m) => ({
          method: m.toUpperCase(),
          path: (base + layer.route.path).replace(/\/+/g, '/').replace(/(.)\/$/, '$1'),
        }))
      : [],
  );
}
