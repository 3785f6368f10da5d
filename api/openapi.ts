/**
 * The API described as OpenAPI 3.1, generated from the route table (api/route.ts) and the
 * zod schemas that validate the requests (zod-openapi), so the document cannot drift from
 * what the API serves and accepts. Served at GET /api/v1/openapi.json; `npm test` lints it.
 */
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { IDEMPOTENCY_HEADER } from './idempotency';
import { PATH_PARAMS, pathParams, type Route } from './route';

const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

/** Mutating routes honour it (api/idempotency.ts). */
const IdempotencyHeader = z.object({
  [IDEMPOTENCY_HEADER]: z.string().optional().meta({
    description:
      'A retry with the same key answers like the first call and changes nothing more (24 h); the same key with a different body is a 422',
  }),
});

const AUTH_WORDS: Record<string, string> = {
  none: 'No authentication.',
  'source secret': 'Authenticated by its source secret.',
  'signed link': 'Authenticated by its signed link.',
  'slack signature': "Signed by Slack with the app's signing secret (X-Slack-Signature, v0).",
};

function operation(r: Route): ZodOpenApiOperationObject {
  const params = pathParams(r.path);
  const byRole = !Object.hasOwn(AUTH_WORDS, r.auth);
  const status = String(r.status ?? 200);
  return {
    operationId: r.operationId,
    summary: r.summary,
    description: byRole ? `Bearer token with the ${r.auth} role.` : AUTH_WORDS[r.auth],
    ...(byRole ? {} : { security: [] }),
    requestParams: {
      ...(params.length
        ? { path: z.object(Object.fromEntries(params.map((p) => [p, PATH_PARAMS.get(p)![0]]))) }
        : {}),
      ...(r.query ? { query: r.query as z.ZodObject } : {}),
      ...(byRole && r.method !== 'get' ? { header: IdempotencyHeader } : {}),
    },
    ...(r.body ? { requestBody: { content: { 'application/json': { schema: r.body } } } } : {}),
    responses: {
      [status]: { description: { '200': 'OK', '201': 'Created', '202': 'Accepted' }[status] ?? 'OK' },
      '4XX': {
        description:
          'Refused: the message says why; 400 names each bad field; 422 is an Idempotency-Key reused with another body',
        content: { 'application/json': { schema: ErrorBody } },
      },
      '503': {
        description: 'Temporal is unreachable or slow; retry',
        content: { 'application/json': { schema: ErrorBody } },
      },
    },
  };
}

export function openApiDocument(routes: Route[]) {
  const paths: ZodOpenApiPathsObject = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method] = operation(r);
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Tourniquet',
      version: '1',
      description: 'Incident runbook engine: every incident is a durable Temporal workflow.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'The server that serves this document' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  });
}
