import type { RouteInfo } from '../api/app';
import { startEngine, TestEngine } from './support/engine';

let engine: TestEngine;
let routes: RouteInfo[];
beforeAll(async () => {
  engine = await startEngine();
  routes = engine.routes;
});
afterAll(() => engine?.close());

/** Open by design: the probes, the API description and the public status page. */
const OPEN = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /api/v1/openapi.json',
  'GET /status',
  'GET /status/feed.atom',
  'GET /api/v1/status',
]);
/** Routes authenticated by their own secret (alert sources, signed approval links, Slack's signature), not API tokens. */
const ALERT_ROUTE =
  /^\/api\/v1\/alerts|^\/v2\/enqueue|^\/api\/v1\/approval-links|^\/api\/v1\/ack-links|^\/api\/v1\/slack\//;
const concrete = (path: string) =>
  path
    .replace(':id', 'INC-1001')
    .replace(':approvalId', '1-undo')
    .replace(':runId', 'INC-1001-rb-1')
    .replace(':stepId', 'x')
    .replace(':token', 'not.a-token');

describe('every route in the router refuses callers without the right token', () => {
  it('walks the whole router', () => {
    expect(routes.length).toBeGreaterThanOrEqual(13);
    expect(routes.filter((r) => ALERT_ROUTE.test(r.path))).toHaveLength(10);
  });

  it('answers 401 to anonymous calls on every route except the open ones', async () => {
    for (const r of routes.filter((r) => !OPEN.has(`${r.method} ${r.path}`))) {
      const res = await engine.call(r.method, concrete(r.path), {
        token: null,
        body: r.method === 'GET' ? undefined : {},
      });
      expect({ route: `${r.method} ${r.path}`, status: res.status }).toEqual({
        route: `${r.method} ${r.path}`,
        status: 401,
      });
    }
  });

  it('answers 403 to a viewer on every mutating route, and 401 on alert routes (they take only their source secret)', async () => {
    for (const r of routes.filter((r) => r.method !== 'GET')) {
      const res = await engine.call(r.method, concrete(r.path), { token: 'viewer', body: {} });
      const expected = ALERT_ROUTE.test(r.path) ? 401 : 403;
      expect({ route: `${r.method} ${r.path}`, status: res.status }).toEqual({
        route: `${r.method} ${r.path}`,
        status: expected,
      });
    }
  });

  it('documents every route in the OpenAPI description (generated from the zod schemas)', async () => {
    const doc = (await engine.call('GET', '/api/v1/openapi.json', { token: null })).body;
    expect(doc.openapi).toBe('3.1.0');
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([p, ops]: [string, any]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
      ),
    );
    const served = routes
      .filter((r) => r.path !== '/api/v1/openapi.json')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(served.filter((r) => !documented.has(r))).toEqual([]);
    // Request bodies come from the same schemas that validate them.
    expect(
      doc.paths['/api/v1/incidents'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(expect.arrayContaining(['title', 'severity', 'affected_services']));
  });

  it('refuses a wrong token and accepts the right one', async () => {
    const res = await fetch(engine.url + '/api/v1/incidents', {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(res.status).toBe(401);
    expect((await engine.call('GET', '/api/v1/incidents', { token: 'viewer' })).status).toBe(200);
  });
});
