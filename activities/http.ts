/** HTTP checks for runbooks: is the service answering, how fast, and what it says about itself. */
import { ApplicationFailure } from '@temporalio/common';
import { repeat, sample, type Sample, type Samples } from './samples';
import { type Scoped, TargetScope } from './scope';

/** A status document bigger than this is not one: it would only bloat the run's history. */
const JSON_BYTES = 16_000;

export function createHttpActivities({ scope }: { scope: TargetScope }) {
  /** Only the service's catalogued health checks: never a URL from a label or a request (SSRF). */
  const checked = (service: string | undefined, url: string) => {
    scope.check(service, 'url', url);
    if (!/^https?:\/\//.test(url))
      throw ApplicationFailure.nonRetryable(`not an http(s) URL: ${url}`, 'InvalidInput');
  };

  /** GET `url`; `ok` when the status is 2xx/3xx within `timeoutMs`. Never throws for a down service. */
  async function httpCheck({
    url,
    timeoutMs = 5000,
    scope: service,
  }: Scoped & { url: string; timeoutMs?: number }): Promise<Sample> {
    checked(service, url);
    const start = Date.now();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await res.arrayBuffer();
      return { ok: res.status < 400, status: res.status, latency_ms: Date.now() - start };
    } catch (err) {
      return { ok: false, latency_ms: Date.now() - start, error: (err as Error).message };
    }
  }

  /**
   * GET `url` for a JSON document an app serves about itself (its pool's counters, say), at
   * most JSON_BYTES of it. Throws (retryable) when it does not answer 2xx.
   */
  async function httpJson({ url, scope: service }: Scoped & { url: string }): Promise<unknown> {
    checked(service, url);
    const res = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'manual' });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
    if (text.length > JSON_BYTES)
      throw ApplicationFailure.nonRetryable(`GET ${url}: over ${JSON_BYTES} bytes`, 'TooLarge');
    return JSON.parse(text) as unknown;
  }

  return {
    httpCheck,
    httpJson,
    /** The same check `count` times, `gapSeconds` apart (an error rate after a fix). */
    async httpSamples(o: Scoped & { url: string; count: number; gapSeconds: number }): Promise<Samples> {
      return sample(o.count, o.gapSeconds, () => httpCheck({ url: o.url, timeoutMs: 3000, scope: o.scope }));
    },
    /** The document `count` times, `gapSeconds` apart: how a state settles after a fix. */
    async httpJsonSamples(
      o: Scoped & { url: string; count: number; gapSeconds: number },
    ): Promise<unknown[]> {
      return repeat(o.count, o.gapSeconds, () => httpJson(o));
    },
  };
}
export type HttpActivities = ReturnType<typeof createHttpActivities>;
