/** HTTP health checks for runbooks: is the service answering, and how fast. */
import { ApplicationFailure } from '@temporalio/common';
import { sample, type Sample, type Samples } from './samples';
import { type Scoped, TargetScope } from './scope';

export function createHttpActivities({ scope }: { scope: TargetScope }) {
  /** GET `url`; `ok` when the status is 2xx/3xx within `timeoutMs`. Never throws for a down service. */
  async function httpCheck({
    url,
    timeoutMs = 5000,
    scope: service,
  }: Scoped & { url: string; timeoutMs?: number }): Promise<Sample> {
    // Only the service's catalogued health checks: never a URL from a label or a request (SSRF).
    scope.check(service, 'url', url);
    if (!/^https?:\/\//.test(url))
      throw ApplicationFailure.nonRetryable(`not an http(s) URL: ${url}`, 'InvalidInput');
    const start = Date.now();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await res.arrayBuffer();
      return { ok: res.status < 400, status: res.status, latency_ms: Date.now() - start };
    } catch (err) {
      return { ok: false, latency_ms: Date.now() - start, error: (err as Error).message };
    }
  }
  return {
    httpCheck,
    /** The same check `count` times, `gapSeconds` apart (an error rate after a fix). */
    async httpSamples(o: Scoped & { url: string; count: number; gapSeconds: number }): Promise<Samples> {
      return sample(o.count, o.gapSeconds, () => httpCheck({ url: o.url, timeoutMs: 3000, scope: o.scope }));
    },
  };
}
export type HttpActivities = ReturnType<typeof createHttpActivities>;
