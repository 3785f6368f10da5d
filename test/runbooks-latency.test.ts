/**
 * high-latency-investigation against a real Prometheus (Debian's) scraping a small service's
 * prom-client histograms every second: /checkout's dependency slows down right after a deploy
 * on the Kubernetes plane, and the runbook's evidence (each with its PromQL) and diagnosis say
 * so. Windows are seconds here (params), minutes in production.
 */
import { eventually, startEngine, TestEngine } from './support/engine';
import { keep } from './support/histories';
import { declare, runReaches } from './support/incidents';
import { deployment, kube } from './support/kube';
import { LatencyApp, startLatencyApp } from './support/latency-app';
import { Prometheus, startPrometheus } from './support/prometheus';
import { catalogueOf, ensureNamespace, testService } from './support/services';

const k = kube();
const checkout = testService('checkout', { deployments: ['checkout'] });
let app: LatencyApp;
let prometheus: Prometheus;
let engine: TestEngine;
let load = true;
let traffic: Promise<void>[] = [];

beforeAll(async () => {
  app = await startLatencyApp();
  prometheus = await startPrometheus({ checkout: app.address });
  checkout.config.prometheus = prometheus.url;
  checkout.config.runbooks = {
    'high-latency-investigation': { params: { job: 'checkout', window: '10s', baseline: '20s' } },
  };
  const namespace = await ensureNamespace(k, checkout);
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('checkout', 2) });
  engine = await startEngine({ services: catalogueOf([checkout]) });
  traffic = ['/checkout', '/search', '/checkout', '/search'].map(async (route) => {
    while (load) await fetch(`${app.url}${route}`).catch(() => undefined);
  });
});
afterAll(async () => {
  load = false;
  await Promise.all(traffic);
  await engine?.close();
  await prometheus?.stop();
  await app?.close();
});

/** /checkout's p99 over the last 10s, as Prometheus answers it now. */
async function checkoutP99() {
  const promql =
    'histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{job="checkout",route="/checkout"}[10s])))';
  const r = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const answer = (await r.json()) as { data: { result: { value: [number, string] }[] } };
  return Number(answer.data.result[0]?.value[1] ?? 0);
}

// The run must compare a slow last 10s with a fast 20s before. Rather than a fixed wait (the
// run starts seconds later on a loaded machine, and its "before" window then holds slow calls
// too), the run starts as soon as Prometheus itself sees the slowdown: a fast machine needs a
// few seconds of slow calls among its many fast ones, a slow machine one scrape.
it('compares p99 by route with the window before, finds the slow dependency and the deploy, and says so', async () => {
  const id = await declare(engine, checkout.name, 'high');
  await new Promise((r) => setTimeout(r, 22_000)); // the baseline: every call fast
  const d = await k.apps.readNamespacedDeployment({ namespace: checkout.namespace, name: 'checkout' });
  d.spec!.template.spec!.containers[0].image = 'registry.example/checkout:v2';
  await k.apps.replaceNamespacedDeployment({ namespace: checkout.namespace, name: 'checkout', body: d });
  app.dependencies.set('payments', 400);
  await eventually(async () => (await checkoutP99()) > 0.25, { timeoutMs: 15_000, intervalMs: 250 });

  await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'high-latency-investigation', params: {} },
  });
  const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
  keep(engine.namespace, `${id}-rb-1`, 'runbook-high-latency-investigation');
  expect(run).toMatchObject({ status: 'succeeded' });
  expect(run.steps.map((s: { impact: string }) => s.impact)).toEqual(Array(5).fill('read'));
  const evidence = Object.fromEntries(run.evidence.map((e: any) => [e.title, JSON.parse(e.text)]));
  const byRoute = (answer: any) =>
    Object.fromEntries(answer.samples.map((s: any) => [s.labels.route, s.value]));
  const now = byRoute(evidence['p99 by route, last 10s']);
  const before = byRoute(evidence['p99 by route, the 20s before']);
  expect(now['/checkout']).toBeGreaterThan(0.25);
  expect(before['/checkout']).toBeLessThan(0.05);
  expect(now['/search']).toBeLessThan(0.05);
  expect(evidence['p99 by route, last 10s'].query).toBe(
    'histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{job="checkout"}[10s])))',
  );
  expect(evidence['p99 by route, the 20s before'].query).toContain('[20s] offset 10s');
  const deps = evidence['slowest dependencies by p99, last 10s'].samples;
  expect(deps[0].labels.dependency).toBe('payments');
  expect(evidence['5xx ratio, last 10s'].samples[0].value).toBe(0);
  expect(evidence['recent revisions (ReplicaSets)'].map((r: any) => r.image)).toEqual([
    'registry.example/checkout:v2',
    'registry.example/checkout:v1',
  ]);
  expect(run.outcome).toMatch(
    /^p99 of \/checkout is \d+ ms over the last 10s, against \d+ ms the 20s before \(×\d+\.\d\)\./,
  );
  expect(run.outcome).toContain('0.0% of requests failed (5xx).');
  expect(run.outcome).toContain('The slowest dependency is payments at p99');
  expect(run.outcome).toMatch(
    /Revision 2 \(registry\.example\/checkout:v2\) went out .*, within the last 20s \+ 10s: a suspect\./,
  );
}, 90_000);

it('refuses a job name that would change the PromQL, naming the parameter', async () => {
  const id = await declare(engine, checkout.name, 'high');
  const r = await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'high-latency-investigation', params: { job: 'checkout"} or vector(1) #' } },
  });
  expect(r.status).toBe(400);
  expect(r.body.error.message).toContain('params.job');
});
