import { createHash, timingSafeEqual } from 'node:crypto';
import express, { NextFunction, Request, Response, Router } from 'express';
import type { AlertsConfig } from '../../config';
import { AlertmanagerWebhook, alertmanagerEvents } from '../alerts/alertmanager';
import { GenericAlerts, genericEvents, SIGNATURE_HEADER, signatureValid } from '../alerts/generic';
import type { AlertIntake } from '../alerts/intake';
import { PagerDutyEvent, pagerDutyEvent } from '../alerts/pagerduty';
import { AuthenticationError, HttpError, InputError, parse } from '../errors';

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

const bearer = (req: Request) => /^Bearer\s+(.+)$/i.exec(req.header('authorization') ?? '')?.[1].trim();

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
export function alertsRouter({ intake, config }: { intake: AlertIntake; config: AlertsConfig }): Router {
  const router = Router();
  // Raw bodies: the generic endpoint signs the exact bytes; the others parse after auth.
  const raw = express.raw({ type: () => true, limit: '1mb' });

  for (const source of ['alertmanager', 'grafana'] as const) {
    router.post(
      `/api/v1/alerts/${source}`,
      (req, _res, next) => {
        const secret = config[source];
        if (!secretMatches(secret, bearer(req)))
          return next(new AuthenticationError(`a valid bearer token for ${source} is required`));
        next();
      },
      raw,
      async (req, res) => {
        const body = parse(AlertmanagerWebhook, jsonOf(req.body), 'body');
        const events = alertmanagerEvents(body, {
          source,
          dedupLabels: config[source]?.dedup_labels,
          routes: config.routes,
          now: new Date().toISOString(),
        });
        const groups = await intake.record(events);
        res.status(200).json({ status: 'ok', alerts: events.length, groups });
      },
    );
  }

  router.post(`/api/v1/alerts`, raw, async (req, res) => {
    const secret = config.generic?.hmac_secret;
    if (
      !secret ||
      !Buffer.isBuffer(req.body) ||
      !signatureValid(secret, req.body, req.header(SIGNATURE_HEADER))
    ) {
      throw new AuthenticationError(
        `a valid ${SIGNATURE_HEADER}: sha256=<hex HMAC of the body> header is required`,
      );
    }
    const events = genericEvents(
      parse(GenericAlerts, jsonOf(req.body), 'body'),
      config.routes,
      new Date().toISOString(),
    );
    const groups = await intake.record(events);
    res.status(202).json({ status: 'ok', alerts: events.length, groups });
  });

  // PagerDuty answers in its own shape, errors included, so its clients understand us.
  router.post('/v2/enqueue', raw, async (req, res) => {
    const body = jsonOf(req.body) as { routing_key?: unknown };
    const known = (config.pagerduty?.routing_keys ?? []).some((k) =>
      secretMatches({ token: k }, typeof body?.routing_key === 'string' ? body.routing_key : undefined),
    );
    if (!known) throw new AuthenticationError('routing_key is missing or not recognised');
    const event = pagerDutyEvent(
      parse(PagerDutyEvent, body, 'event'),
      config.routes,
      new Date().toISOString(),
    );
    await intake.record([event]);
    res.status(202).json({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key });
  });
  router.use('/v2/enqueue', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof HttpError) || err.status >= 500) return next(err);
    res.status(err.status).json({
      status: 'invalid event',
      message: err.status === 401 ? err.message : 'Event object is invalid',
      errors: err.fields?.map((f) => `'${f.path}' ${f.message}`) ?? [err.message],
    });
  });

  return router;
}
