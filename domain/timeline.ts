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
