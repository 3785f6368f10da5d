/**
 * The HTTP edge: security headers (helmet) with a CSP the console passes, and rate limits —
 * per caller (token, else address) and a stricter one on failed authentication per address,
 * both answering 429 with Retry-After. Alert intake has its own back-pressure (503) and is
 * not limited per caller: a storm must never lose alerts to a limiter.
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { DEFAULT_EDGE_LIMITS, type EdgeLimits } from '../domain/edge-limits';
import { bearerToken } from './auth';

/** Paths whose senders are machines with their own retry and back-pressure. */
const UNLIMITED = /^\/(?:api\/v1\/alerts(?:\/|$)|v2\/enqueue$|healthz$|readyz$)/;

export const securityHeaders = (): RequestHandler =>
  helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // The engine often runs on plain http (localhost, a private network): do not force https.
        upgradeInsecureRequests: null,
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    // Served over http by default; an https front end adds HSTS itself.
    strictTransportSecurity: false,
  });

const tooMany =
  (what: string) => (_req: Request, res: Response, _next: unknown, options: { statusCode: number }) =>
    res
      .status(options.statusCode)
      .json({ error: { message: `${what}; retry after the Retry-After header's seconds` } });

const addressOf = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

export function rateLimits(limits: EdgeLimits = DEFAULT_EDGE_LIMITS): RequestHandler[] {
  return [
    // Counts only failed authentications; once over, every request from the address waits.
    rateLimit({
      windowMs: 60_000,
      limit: limits.failedAuthPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: addressOf,
      skipSuccessfulRequests: true,
      requestWasSuccessful: (_req, res) => res.statusCode !== 401,
      handler: tooMany('too many failed authentications from this address'),
    }),
    rateLimit({
      windowMs: 60_000,
      limit: limits.perMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      skip: (req) => UNLIMITED.test(req.path),
      keyGenerator: (req) => {
        const token = bearerToken(req);
        return token ? `t:${createHash('sha256').update(token).digest('hex')}` : `a:${addressOf(req)}`;
      },
      handler: tooMany('too many requests from this caller'),
    }),
  ];
}
