import { defineRunbook, durationParam, parseDuration, z } from 'tourniquet/runbook';

/** A Prometheus label value or metric name: quoted into PromQL, so only these characters. */
const promName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:.-]*$/, 'letters, digits, _ : . -');

const ms = (seconds: number | null | undefined) =>
  seconds === null || seconds === undefined ? 'n/a' : `${Math.round(seconds * 1000)} ms`;

/**
 * "AI Service: high latency investigation" (seed 004, runbook integration). Read-only: p99 by
 * route now against before, the error ratio, the slowest dependencies (each with its PromQL),
 * the Deployment's recent revisions — and a one-paragraph diagnosis on the timeline.
 */
export default defineRunbook({
  meta: {
    name: 'high-latency-investigation',
    owner: 'platform',
    description:
      "Read-only: query the service's Prometheus for p99 latency by route (recent window vs the one before), the error ratio and the slowest dependencies, read the Deployment's recent revisions, and write a one-paragraph diagnosis.",
    version: '1.0.0',
    triggers: [
      { labels: { runbook: 'high-latency-investigation' } },
      { labels: { alertname: 'HighLatency' } },
    ],
    escalation: 'platform-oncall',
    eta: '5m',
    params: z.object({
      prometheus: z.string().describe("the service's Prometheus (catalogue services.<name>.prometheus)"),
      job: promName.describe('the scrape job of the service'),
      namespace: z.string().describe('namespace of the app'),
      deployment: z.string().describe('the app Deployment (its recent revisions)'),
      window: durationParam().default('15m').describe('the recent window (default 15m)'),
      baseline: durationParam().default('1h').describe('the window before it to compare with (default 1h)'),
      latency_metric: promName
        .default('http_request_duration_seconds')
        .describe('request latency histogram (labels route, status_code)'),
      dependency_metric: promName
        .default('dependency_request_duration_seconds')
        .describe('outgoing call latency histogram (label dependency)'),
    }),
    targets: { prometheus: 'prometheus', namespace: 'namespace', deployment: 'deployment' },
  },
  async run(ctx) {
    const { prometheus, job, window, baseline, latency_metric: m, dependency_metric: dep } = ctx.params;
    const query = (id: string, title: string, promql: string) =>
      ctx.step({ id, title, impact: 'read', what: `PromQL: ${promql}` }, () =>
        ctx.prom.promQuery({ prometheus, query: promql }),
      );
    const p99 = (range: string, offset?: string) =>
      `histogram_quantile(0.99, sum by (route, le) (rate(${m}_bucket{job="${job}"}[${range}]${offset ? ` offset ${offset}` : ''})))`;
    const now = await query('p99-now', `p99 by route, last ${window}`, p99(window));
    ctx.evidence(`p99 by route, last ${window}`, now);
    const before = await query('p99-before', `p99 by route, the ${baseline} before`, p99(baseline, window));
    ctx.evidence(`p99 by route, the ${baseline} before`, before);
    const errors = await query(
      'errors',
      `error ratio, last ${window}`,
      `(sum(rate(${m}_count{job="${job}",status_code=~"5.."}[${window}])) or vector(0)) / sum(rate(${m}_count{job="${job}"}[${window}]))`,
    );
    ctx.evidence(`5xx ratio, last ${window}`, errors);
    const deps = await query(
      'dependencies',
      `slowest dependencies, last ${window}`,
      `topk(5, histogram_quantile(0.99, sum by (dependency, le) (rate(${dep}_bucket{job="${job}"}[${window}]))))`,
    );
    ctx.evidence(`slowest dependencies by p99, last ${window}`, deps);
    const revisions = await ctx.step(
      {
        id: 'deploys',
        title: 'Recent deploys',
        impact: 'read',
        what: `read ${ctx.params.deployment}'s ReplicaSet history`,
      },
      () =>
        ctx.k8s.k8sRolloutHistory({ namespace: ctx.params.namespace, name: ctx.params.deployment, limit: 5 }),
    );
    ctx.evidence('recent revisions (ReplicaSets)', revisions);

    // The diagnosis: the route that got slowest, how the error ratio stands, the slowest
    // dependency, and whether the newest revision went out inside the window.
    const was = new Map(before.samples.map((s) => [s.labels.route, s.value]));
    const worst = now.samples
      .filter((s) => s.value !== null)
      .map((s) => ({ route: s.labels.route, now: s.value!, was: was.get(s.labels.route) ?? null }))
      .sort((a, b) => b.now / (b.was || b.now) - a.now / (a.was || a.now))[0];
    const ratio = errors.samples[0]?.value ?? null;
    const slowest = deps.samples.filter((s) => s.value !== null).sort((a, b) => b.value! - a.value!)[0];
    const latest = revisions[0];
    // A deploy inside the compared span (the baseline and the window) is a suspect.
    const span = parseDuration(window)! + parseDuration(baseline)!;
    const suspect =
      latest && revisions.length > 1 && Date.parse(latest.created_at) >= Date.now() - span * 1000;
    return [
      worst
        ? `p99 of ${worst.route} is ${ms(worst.now)} over the last ${window}, against ${ms(worst.was)} the ${baseline} before${worst.was ? ` (×${(worst.now / worst.was).toFixed(1)})` : ''}.`
        : `No request latency for job ${job} over the last ${window}.`,
      ratio === null
        ? 'No error ratio (no requests).'
        : `${(ratio * 100).toFixed(1)}% of requests failed (5xx).`,
      slowest
        ? `The slowest dependency is ${slowest.labels.dependency} at p99 ${ms(slowest.value)}.`
        : 'No dependency latency recorded.',
      suspect
        ? `Revision ${latest.revision} (${latest.image}) went out ${latest.created_at}, within the last ${baseline} + ${window}: a suspect.`
        : `No deploy within the last ${baseline} + ${window}${latest ? ` (newest: revision ${latest.revision}, ${latest.created_at})` : ''}.`,
    ].join(' ');
  },
});
