/**
 * What reads of an incident return: the record without its alert index, with the newest
 * page of its timeline (numbered) and how long the whole timeline is. Bounded whatever the
 * incident holds, so a Query or Update result stays far under Temporal's 2 MB.
 */
import type { Incident } from './incident';
import { type NumberedEntry, timelinePage, type TimelineArchive } from './timeline';

export interface IncidentView extends Omit<Incident, 'timeline' | 'alert_index'> {
  /** The newest entries (at most TIMELINE.pageEntries / pageBytes); GET …/timeline pages back. */
  timeline: NumberedEntry[];
  /** Entries in the whole timeline, earlier runs included. */
  timeline_total: number;
}

/** `entries`: how many of the newest timeline entries to include (Update results take a few). */
export function incidentView(i: Incident, entries?: number): IncidentView {
  const { alert_index: _index, timeline, ...rest } = i;
  const offset = i.timeline_offset ?? 0;
  const page = timelinePage(timeline, offset, undefined, entries);
  return { ...rest, timeline: page, timeline_total: offset + timeline.length };
}

/** An Update's answer: the record with only its newest entries, so history does not grow with the record. */
export const updateResult = (i: Incident): IncidentView => incidentView(i, 20);

/** A page of the timeline and where to read on. */
export interface TimelinePage {
  entries: NumberedEntry[];
  total: number;
  /** Seq of this run's first entry: older ones are in `archive`. */
  offset: number;
  archive: TimelineArchive[];
}

export function timelinePageOf(i: Incident, before?: number, limit?: number): TimelinePage {
  const offset = i.timeline_offset ?? 0;
  return {
    entries: timelinePage(i.timeline, offset, before, limit),
    total: offset + i.timeline.length,
    offset,
    archive: i.timeline_archive ?? [],
  };
}
