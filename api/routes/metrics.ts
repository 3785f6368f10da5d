import { Router } from 'express';
import type { EscalationConfig } from '../../domain/escalation';
import { requireRole, TokenStore } from '../auth';
import { parse } from '../errors';
import type { Incidents } from '../incidents';
import { incidentMetrics } from '../metrics';
import { scrape } from '../prometheus';
import { MetricsQuery } from '../schemas';

/** MTTA/MTTR distributions, SLA compliance and recurrence as JSON; everything as Prometheus text. */
export function metricsRouter({
  incidents,
  escalation,
  tokens,
}: {
  incidents: Incidents;
  escalation: EscalationConfig;
  tokens: TokenStore;
}): Router {
  const router = Router();
  const viewer = requireRole(tokens, 'viewer');

  router.get('/api/v1/metrics/incidents', viewer, async (req, res) => {
    const q = parse(MetricsQuery, req.query, 'query');
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
    // StartTime >= from is a superset (a continued incident's run starts after it was created); the exact cut uses created_at.
    const clauses = [
      `StartTime >= '${from.toISOString()}'`,
      ...(q.service ? [`IncidentServices = '${q.service}'`] : []),
    ];
    res.json(incidentMetrics(await incidents.scan(clauses), escalation, { from, to }));
  });

  // Prometheus scrapes with a viewer token (scrape config: authorization: { credentials: <token> }).
  router.get('/metrics', viewer, async (_req, res) => {
    const { contentType, body } = await scrape(incidents);
    res.type(contentType).send(body);
  });
  return router;
}
