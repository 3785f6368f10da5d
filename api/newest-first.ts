/**
 * The newest incidents without reading them all. Visibility returns running executions by
 * StartTime and closed ones by CloseTime, newest first; an incident's created_at is never
 * later than either (later runs of a continued incident and imported ones start after it was
 * created). So both streams are upper bounds of created_at that only decrease: once k rows
 * are newer than both streams' current bounds, nothing further can enter the top k.
 * If a stream breaks that promise (another server, older data), the caller reads everything.
 */

export interface Bounded<R> {
  row: R;
  /** ms; never below the row's created time, never increasing along its stream. */
  bound: number;
}

/** Returns every row it read (a superset of the k newest; the caller sorts and cuts), or undefined. */
export async function newestFirst<R>(
  streams: AsyncIterable<Bounded<R>>[],
  k: number,
  createdOf: (r: R) => number,
): Promise<{ rows: R[]; read: number } | undefined> {
  const its = streams.map((s) => s[Symbol.asyncIterator]());
  const heads: (Bounded<R> | undefined)[] = await Promise.all(
    its.map(async (it) => (await it.next()).value as Bounded<R> | undefined),
  );
  const taken: R[] = [];
  const kth = () => [...taken].map(createdOf).sort((a, b) => b - a)[k - 1];
  let read = 0;
  for (;;) {
    const live = heads.map((h, i) => [h, i] as const).filter(([h]) => h) as [Bounded<R>, number][];
    if (!live.length) break;
    const [head, i] = live.reduce((a, b) => (b[0].bound > a[0].bound ? b : a));
    // Strictly newer than every bound still to come: a tie could still be beaten by a lower id.
    if (taken.length >= k && kth() > head.bound) break;
    if (createdOf(head.row) > head.bound) return undefined;
    taken.push(head.row);
    read++;
    const next = (await its[i].next()).value as Bounded<R> | undefined;
    if (next && next.bound > head.bound) return undefined;
    heads[i] = next;
  }
  for (const it of its) await it.return?.(undefined);
  return { rows: taken, read };
}
