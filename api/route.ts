/**
 * A route is declared once, as data: method, path, who may call it, its zod schemas, a
 * summary and an operationId. `mountRoutes` serves the table (role check and parsing done
 * for the handler) and api/openapi.ts describes the same table, so neither can drift.
 */
import { INCIDENT_ROLES } from '../domain/roles';
import { withIdempotencyKey } from './idempotency';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Role } from '../config/roles';
import { principalOf, requireRole, type TokenStore } from './auth';
import { parse } from './errors';
import { nameHttpSpan } from '../common/tracing';
import { ActionItemIdParam, ApprovalIdParam, IncidentIdParam, NameSchema, RunIdParam } from './schemas';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** A role (bearer token), or how else the route authenticates its caller. */
export type Auth = Role | 'none' | 'source secret' | 'signed link' | 'slack signature';

export interface Call<B extends z.ZodType, Q extends z.ZodType> {
  req: Request;
  res: Response;
  body: z.infer<B>;
  query: z.infer<Q>;
  /** Path parameters, each checked by its schema in PATH_PARAMS. */
  params: Record<string, string>;
  /** Who is calling, from the token (empty on routes without a role). */
  actor: string;
}

export interface Route<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType> {
  method: Method;
  /** OpenAPI style: /api/v1/incidents/{id} */
  path: string;
  auth: Auth;
  summary: string;
  operationId: string;
  body?: B;
  query?: Q;
  /** Status of a JSON answer (default 200). */
  status?: number;
  /** Reads its body raw (signature checks) with its own size limit: served before the JSON parser. */
  raw?: boolean;
  /** Checks the caller (a source secret) before the body is even read. */
  authenticate?(req: Request): void;
  /** Returns what to answer as JSON, or undefined when it answered itself (HTML, text, redirects). */
  handle(call: Call<B, Q>): unknown;
}

/** Typed declaration of one route (infers the body and query types for its handler). */
export const route = <B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType>(r: Route<B, Q>) =>
  r as unknown as Route;

/** Every path parameter the API knows, with its schema and the name its errors use. */
export const PATH_PARAMS = new Map<string, [z.ZodType<string>, string]>([
  ['id', [IncidentIdParam, 'incident id']],
  ['approvalId', [ApprovalIdParam, 'approval id']],
  ['itemId', [ActionItemIdParam, 'action item id']],
  ['runId', [RunIdParam, 'run id']],
  ['service', [NameSchema, 'service']],
  ['schedule', [NameSchema, 'schedule']],
  ['stepId', [z.string().min(1), 'step id']],
  ['role', [z.enum(INCIDENT_ROLES), 'role']],
  ['token', [z.string().min(1), 'token']],
]);

export const pathParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);

/** Mounts the table: raw-body routes first, then the JSON parser, then the rest. */
export function mountRoutes(app: express.Express, routes: Route[], tokens: TokenStore): void {
  const mount = (r: Route) => {
    const before: RequestHandler[] = [];
    if (isRole(r.auth)) before.push(requireRole(tokens, r.auth));
    if (r.authenticate) before.push((req, _res, next) => next(tryCall(() => r.authenticate!(req))));
    if (r.raw) before.push(rawBody);
    const expressPath = r.path.replace(/\{(\w+)\}/g, ':$1');
    app[r.method](expressPath, ...before, async (req: Request, res: Response) => {
      nameHttpSpan(r.method, r.path);
      const answer = await withIdempotencyKey(req, r.operationId, () => r.handle(callOf(r, req, res)));
      if (answer !== undefined) res.status(r.status ?? 200).json(answer);
    });
  };
  routes.filter((r) => r.raw).forEach(mount);
  app.use(express.json({ limit: '256kb' }));
  routes.filter((r) => !r.raw).forEach(mount);
}

// Raw bodies: the generic endpoint signs the exact bytes; the others parse after auth.
const rawBody = express.raw({ type: () => true, limit: '1mb' });

function tryCall(fn: () => void): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

function callOf(r: Route, req: Request, res: Response): Call<z.ZodType, z.ZodType> {
  const params: Record<string, string> = {};
  for (const name of pathParams(r.path)) {
    const [schema, label] = PATH_PARAMS.get(name)!;
    params[name] = parse(schema, req.params[name], label);
  }
  return {
    req,
    res,
    params,
    query: r.query ? parse(r.query, req.query, 'query') : undefined,
    body: r.body && !r.raw ? parse(r.body, req.body ?? {}, 'body') : undefined,
    actor: isRole(r.auth) ? principalOf(req).identity : '',
  };
}

const isRole = (auth: Auth): auth is Role =>
  !['none', 'source secret', 'signed link', 'slack signature'].includes(auth);
