import type { Incident, TimelineEntry } from './incident';

/** What a change says on the timeline; the time is added when it is appended. */
export type Entry = Omit<TimelineEntry, 'at'>;

/** Appends to the incident's append-only timeline. */
export function addEntry(i: Incident, at: string, e: Entry): void {
  i.timeline.push({
    at,
    actor: e.actor,
    kind: e.kind,
    message: e.message,
    ...(e.data ? { data: e.data } : {}),
  });
}

/** A timeline entry as reads return it, with its place in the incident's whole timeline. */
export type NumberedEntry = TimelineEntry & { seq: number };

export const TIMELINE = {
  /** Bytes of the newest entries a read of the incident returns. */
  pageBytes: 64_000,
  /** Most entries one page holds. */
  pageEntries: 200,
  /** Bytes of the newest entries carried into the next run; older ones stay in earlier runs' history. */
  carryBytes: 64_000,
} as const;

/** Where the entries before this run's first one live: earlier runs of the same workflow. */
export interface TimelineArchive {
  run_id: string;
  /** Seq of its first and one past its last entry. */
  from: number;
  to: number;
}

/** How many of the newest entries fit in `bytes` (and `max`), at least one. */
export function tailCount(
  entries: readonly TimelineEntry[],
  bytes: number,
  max: number = entries.length,
): number {
  let size = 0;
  let n = 0;
  for (let k = entries.length - 1; k >= 0 && n < max; k--) {
    size += JSON.stringify(entries[k]).length + 1;
    if (size > bytes && n > 0) break;
    n++;
  }
  return n;
}

/**
 * One page of a timeline held as `entries` numbered from `offset`: the entries before seq
 * `before` (default: the end), newest last, within the page limits.
 */
export function timelinePage(
  entries: readonly TimelineEntry[],
  offset: number,
  before = offset + entries.length,
  limit: number = TIMELINE.pageEntries,
): NumberedEntry[] {
  const end = Math.max(0, Math.min(entries.length, before - offset));
  const slice = entries.slice(0, end);
  const n = tailCount(slice, TIMELINE.pageBytes, Math.min(limit, TIMELINE.pageEntries));
  return slice.slice(end - n).map((e, k) => ({ ...e, seq: offset + end - n + k }));
}
