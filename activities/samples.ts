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

/** At most 5 readings, at most 5 s apart: the whole stays well inside the activity's 30 s timeout. */
export async function repeat<T>(count: number, gapSeconds: number, read: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < Math.max(1, Math.min(count, 5)); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, Math.min(gapSeconds, 5) * 1000));
    results.push(await read());
  }
  return results;
}

/** A check taken `count` times: how many failed. */
export async function sample(
  count: number,
  gapSeconds: number,
  check: () => Promise<Sample>,
): Promise<Samples> {
  const results = await repeat(count, gapSeconds, check);
  return { count: results.length, failed: results.filter((r) => !r.ok).length, results };
}
