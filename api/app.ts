import express from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { TokenStore } from './auth';
import { errorHandler, notFoundRoute } from './errors';
import { Incidents } from './incidents';
import { healthRouter } from './routes/health';
import { incidentsRouter } from './routes/incidents';

export interface AppDeps {
  client: Client;
  namespace: string;
  taskQueue: string;
  tokens: TokenStore;
  logger: Logger;
  /** Tests lower it to exercise continue-as-new. */
  historyLimit?: number;
}

/** The HTTP API. Dependencies come in, so tests build it against a real Temporal server. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(express.json({ limit: '256kb' }));

  const incidents = new Incidents({ client: deps.client, taskQueue: deps.taskQueue, historyLimit: deps.historyLimit });
  app.use(healthRouter(deps));
  app.use('/api/v1/incidents', incidentsRouter({ incidents, tokens: deps.tokens }));

  app.use(notFoundRoute);
  app.use(errorHandler(deps.logger));
  return app;
}
