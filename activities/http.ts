/** HTTP health checks for runbooks: is the service answering, and how fast. */
import { ApplicationFailure } from '@temporalio/common';

export function createHttpActivities() {
  return {
    /** GET `url`; `ok` when the status is 2xx/3xx within `timeoutMs`. Never throws for a down service. */
    async httpCheck({
      url,
      timeoutMs = 5000,
    }: {
      url: string;
      timeoutMs?: number;
    }): Promise<{ ok: boolean; status?: number; latency_ms: number; error?: string }> {
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
    },
  };
}
export type HttpActivities = ReturnType<typeof createHttpActivities>;
