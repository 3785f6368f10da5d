import { bearerToken } from '../auth';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ErrorRequestHandler } from 'express';
import type { AlertsConfig } from '../../config';
import { AlertmanagerWebhook, alertmanagerEvents } from '../alerts/alertmanager';
import { GenericAlerts, genericEvents, SIGNATURE_HEADER, signatureProblem } from '../alerts/generic';
import type { AlertIntake } from '../alerts/intake';
import { PagerDutyEvent, pagerDutyEvent } from '../alerts/pagerduty';
import { AuthenticationError, HttpError, InputError, parse } from '../errors';
import { type Route, route } from '../route';
import { routesWithCatalogue } from '../alerts/mapping';
import type { ServiceEntry } from '../../domain/services';

type Secret = { token?: string; token_sha256?: string } | undefined;

/** Constant-time check of a presented secret against a configured one (clear or hashed). */
function secretMatches(secret: Secret, presented: string | undefined): boolean {
  if (!secret || !presented) return false;
  const want = secret.token
    ? createHash('sha256').update(secret.token).digest()
    : Buffer.from(secret.token_sha256 ?? '', 'hex');
  const got = createHash('sha256').update(presented).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

function jsonOf(raw: unknown): unknown {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`malformed JSON body: ${(err as Error).message}`, [
      { path: '(body)', message: 'malformed JSON' },
    ]);
  }
}

/**
 * Alert intake: Alertmanager, Grafana, PagerDuty Events v2 and a generic signed format.
 * Each source authenticates with its own secret before its body is even parsed.
 */
export function alertRoutes({
  intake,
  config,
  catalogue,
}: {
  intake: AlertIntake;
  config: AlertsConfig;
  catalogue: readonly ServiceEntry[];
}): Route[] {
  const routes = routesWithCatalogue(config.routes, catalogue);
  const grafanaLike = (source: 'alertmanager' | 'grafana', summary: string) =>
    route({
      method: 'post',
      path: `/api/v1/alerts/${source}`,
      auth: 'source secret',
      operationId: `${source}Webhook`,
      summary,
      raw: true,
      body: AlertmanagerWebhook,
      authenticate: (req) => {
        if (!secretMatches(config[source], bearerToken(req)))
          throw new AuthenticationError(`a valid bearer token for ${source} is required`);
      },
      handle: async ({ req }) => {
        const body = parse(AlertmanagerWebhook, jsonOf(req.body), 'body');
        const events = alertmanagerEvents(body, {
          source,
          dedupLabels: config[source]?.dedup_labels,
          routes: routes,
          now: new Date().toISOString(),
        });
        const groups = await intake.record(events);
        return { status: 'ok', alerts: events.length, groups };
      },
    });
  return [
    grafanaLike('alertmanager', 'Alertmanager webhook v4'),
    grafanaLike('grafana', 'Grafana alerting webhook'),
    route({
      method: 'post',
      path: '/api/v1/alerts',
      auth: 'source secret',
      operationId: 'postAlerts',
      summary: 'Generic alerts (HMAC-signed timestamp and body)',
      raw: true,
      body: GenericAlerts,
      status: 202,
      handle: async ({ req }) => {
        const secret = config.generic?.hmac_secret;
        const problem = !secret
          ? 'the generic endpoint has no secret configured (alerts.generic.hmac_secret)'
          : !Buffer.isBuffer(req.body)
            ? 'a body is required'
            : signatureProblem(secret, req.body, req.header(SIGNATURE_HEADER));
        if (problem) throw new AuthenticationError(problem);
        const alerts = parse(GenericAlerts, jsonOf(req.body), 'body');
        const events = genericEvents(alerts, routes, new Date().toISOString());
        const groups = await intake.record(events);
        return { status: 'ok', alerts: events.length, groups };
      },
    }),
    // PagerDuty answers in its own shape, errors included (pagerDutyErrors), so its clients understand us.
    route({
      method: 'post',
      path: '/v2/enqueue',
      auth: 'source secret',
      operationId: 'pagerDutyEnqueue',
      summary: 'PagerDuty Events API v2',
      raw: true,
      body: PagerDutyEvent,
      status: 202,
      handle: async ({ req }) => {
        const body = jsonOf(req.body) as { routing_key?: unknown };
        const key = typeof body?.routing_key === 'string' ? body.routing_key : undefined;
        const known = (config.pagerduty?.routing_keys ?? []).some((k) => secretMatches({ token: k }, key));
        if (!known) throw new AuthenticationError('routing_key is missing or not recognised');
        const event = pagerDutyEvent(parse(PagerDutyEvent, body, 'event'), routes, new Date().toISOString());
        await intake.record([event]);
        return { status: 'success', message: 'Event processed', dedup_key: event.dedup_key };
      },
    }),
  ];
}

/** PagerDuty's error shape for refusals on /v2/enqueue (mounted on that path). */
export const pagerDutyErrors: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  if (!(err instanceof HttpError) || err.status >= 500) return next(err);
  res.status(err.status).json({
    status: 'invalid event',
    message: err.status === 401 ? err.message : 'Event object is invalid',
    errors: err.fields?.map((f) => `'${f.path}' ${f.message}`) ?? [err.message],
  });
};
