/**
 * PromQL for investigations: instant queries against the service's catalogued Prometheus
 * (HTTP API /api/v1/query), answered as a few labelled numbers — bounded, for evidence.
 */
import { ApplicationFailure } from '@temporalio/common';
import { type Scoped, TargetScope } from './scope';

/** Series kept from one answer: evidence, not a dashboard. */
const MAX_SERIES = 20;

export interface PromSample {
  labels: Record<string, string>;
  /** NaN and ±Inf (an empty histogram, a ratio of nothing) become null. */
  value: number | null;
}

export interface PromAnswer {
  query: string;
  samples: PromSample[];
  /** Series past MAX_SERIES, left out. */
  omitted: number;
}

interface VectorResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

export function createPrometheusActivities({ scope }: { scope: TargetScope }) {
  return {
    /** One instant query at `prometheus` (a catalogued target of the run's service). */
    async promQuery(o: Scoped & { prometheus: string; query: string }): Promise<PromAnswer> {
      scope.check(o.scope, 'prometheus', o.prometheus);
      const url = new URL('/api/v1/query', o.prometheus);
      url.searchParams.set('query', o.query);
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const body = (await res.json()) as VectorResponse;
      if (res.status === 400 || res.status === 422)
        throw ApplicationFailure.nonRetryable(`PromQL refused: ${body.error} (${o.query})`, 'InvalidQuery');
      if (!res.ok || body.status !== 'success')
        throw new Error(`Prometheus answered ${res.status}: ${body.error}`);
      const result = body.data?.resultType === 'vector' ? body.data.result : [];
      const samples = result.slice(0, MAX_SERIES).map((r) => {
        const v = Number(r.value[1]);
        return { labels: r.metric, value: Number.isFinite(v) ? v : null };
      });
      return { query: o.query, samples, omitted: result.length - samples.length };
    },
  };
}
export type PrometheusActivities = ReturnType<typeof createPrometheusActivities>;
