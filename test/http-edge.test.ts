/**
 * The HTTP edge: security headers on the API and the console, and rate limits that answer
 * 429 with Retry-After — per caller, and stricter on failed authentication — while other
 * callers keep being served.
 */
import { request } from 'node:http';
import { startEngine, TestEngine, TOKENS } from './support/engine';

let engine: TestEngine;
beforeAll(async () => {
  engine = await startEngine({ edgeLimits: { perMinute: 150, failedAuthPerMinute: 20 } });
});
afterAll(() => engine?.close());

/** A GET from a chosen loopback address (127.0.0.x are all this machine). */
function get(
  path: string,
  from: string,
  token?: string,
): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, engine.url);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        localAddress: from,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

it('sends security headers with the API and the console', async () => {
  for (const path of ['/api/v1/me', '/', '/incidents/INC-1']) {
    const { headers } = await get(path, '127.0.0.1', TOKENS.viewer);
    expect(headers['content-security-policy']).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
  }
});

it('1,000 failed authentications from one address are cut off with 429; other callers are still served', async () => {
  const statuses: number[] = [];
  for (let n = 0; n < 1000; n++)
    statuses.push((await get('/api/v1/incidents', '127.0.0.2', `guess-${n}`)).status);
  expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
  expect(statuses.filter((s) => s === 429)).toHaveLength(980);
  const limited = await get('/api/v1/incidents', '127.0.0.2', TOKENS.viewer);
  expect(limited.status).toBe(429); // even a good token waits at that address
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  expect((await get('/api/v1/incidents', '127.0.0.3', TOKENS.viewer)).status).toBe(200);
});

it('one caller past its per-minute budget gets 429 with Retry-After; another token is served', async () => {
  let status = 0;
  for (let n = 0; n < 200 && status !== 429; n++)
    status = (await get('/api/v1/me', '127.0.0.4', TOKENS.responder)).status;
  expect(status).toBe(429);
  expect((await get('/api/v1/me', '127.0.0.4', TOKENS.approver)).status).toBe(200);
});
