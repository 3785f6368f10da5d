import type { Client } from '@temporalio/client';
import type { EscalationConfig } from '../../domain/escalation';
import type { Incidents } from '../incidents';
import { incidentMetrics } from '../metrics';
import { scrape } from '../prometheus';
import { type Route, route } from '../route';
import { MetricsQuery } from '../schemas';

/** MTTA/MTTR distributions, SLA compliance and recurrence as JSON; everything as Prometheus text. */
export function metricsRoutes({
  incidents,
  escalation,
  client,
  runtimeMetrics,
}: {
  incidents: Incidents;
  escalation: EscalationConfig;
  client: Client;
  runtimeMetrics?: () => Promise<string>;
}): Route[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/metrics/incidents',
      auth: 'viewer',
      operationId: 'getIncidentMetrics',
      summary: 'MTTA/MTTR distributions, SLA, recurrence',
      query: MetricsQuery,
      handle: async ({ query: q }) => {
        const to = q.to ? new Date(q.to) : new Date();
        const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
        // StartTime >= from is a superset (a continued incident's run starts after it was created); the exact cut uses created_at.
        const clauses = [
          `StartTime >= '${from.toISOString()}'`,
          ...(q.service ? [`IncidentServices = '${q.service}'`] : []),
        ];
        return incidentMetrics(await incidents.scan(clauses), escalation, { from, to });
      },
    }),
    // Prometheus scrapes with a viewer token (scrape config: authorization: { credentials: <token> }).
    route({
      method: 'get',
      path: '/metrics',
      auth: 'viewer',
      operationId: 'scrapeMetrics',
      summary: 'Prometheus text format',
      handle: async ({ res }) => {
        const [{ contentType, body }, core] = await Promise.all([
          scrape(incidents, client),
          runtimeMetrics?.() ?? '',
        ]);
        res.type(contentType).send(body + core);
      },
    }),
  ];
}
