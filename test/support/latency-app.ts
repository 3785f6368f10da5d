/**
 * A small service for high-latency-investigation: routes /checkout (calls the "payments"
 * dependency) and /search (calls "search-index"), each call's latency recorded in prom-client
 * histograms served at /metrics — http_request_duration_seconds{route,status_code} and
 * dependency_request_duration_seconds{dependency} — and dependency latencies set by the test.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Histogram, Registry } from 'prom-client';

export interface LatencyApp {
  /** host:port, for a scrape config. */
  address: string;
  url: string;
  /** Milliseconds each dependency takes from now on. */
  dependencies: Map<string, number>;
  close(): Promise<void>;
}

const ROUTES = new Map([
  ['/checkout', 'payments'],
  ['/search', 'search-index'],
]);

export async function startLatencyApp(): Promise<LatencyApp> {
  const registry = new Registry();
  const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
  const requests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'request latency',
    labelNames: ['route', 'status_code'],
    buckets,
    registers: [registry],
  });
  const calls = new Histogram({
    name: 'dependency_request_duration_seconds',
    help: 'outgoing call latency',
    labelNames: ['dependency'],
    buckets,
    registers: [registry],
  });
  const dependencies = new Map([...ROUTES.values()].map((d) => [d, 5]));
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
      return;
    }
    const dependency = ROUTES.get(req.url ?? '');
    if (!dependency) return void res.writeHead(404).end();
    const done = requests.startTimer({ route: req.url });
    const call = calls.startTimer({ dependency });
    setTimeout(() => {
      call();
      done({ status_code: '200' });
      res.writeHead(200).end('ok');
    }, dependencies.get(dependency));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    address,
    url: `http://${address}`,
    dependencies,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
