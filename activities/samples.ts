/** A check taken several times, a few seconds apart: a spike passes, a sustained failure stays. */
export interface Sample {
  ok: boolean;
  latency_ms: number;
  status?: number;
  error?: string;
}

export interface Samples {
  count: number;
  failed: number;
  results: Sample[];
}

/** At most 5 samples, at most 5 s apart: the whole stays well inside the activity's 30 s timeout. */
export async function sample(
  count: number,
  gapSeconds: number,
  check: () => Promise<Sample>,
): Promise<Samples> {
  const n = Math.max(1, Math.min(count, 5));
  const results: Sample[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, Math.min(gapSeconds, 5) * 1000));
    results.push(await check());
  }
  return { count: n, failed: results.filter((r) => !r.ok).length, results };
}
