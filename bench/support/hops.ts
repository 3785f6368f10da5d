/**
 * Per-hop breakdowns from the server's own event times: where a hot path spends its time,
 * so a benchmark that misses its goal says which step costs what.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { percentile, round } from './common';

const { EventType } = temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface TimedEvent {
  type: string;
  at: number;
  event: HistoryEvent;
}

/** A workflow's history as (type, server time in ms) pairs, oldest first. */
export async function timedEvents(client: Client, workflowId: string): Promise<TimedEvent[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((event) => ({
    type: EventType[event.eventType ?? 0].replace('EVENT_TYPE_', ''),
    at: Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6),
    event,
  }));
}

/** The time of the first event of `type` (matching `where`) at or after `after`; throws if none. */
export function timeOf(
  events: TimedEvent[],
  type: string,
  where: (e: HistoryEvent) => boolean = () => true,
): number {
  const found = events.find((e) => e.type === type && where(e.event));
  if (!found) throw new Error(`no ${type} event`);
  return found.at;
}

/** Named hop → one duration per sample; summarised as p50/p99 per hop, in path order. */
export class Hops {
  private readonly samples = new Map<string, number[]>();

  add(hops: Record<string, number>): void {
    for (const [name, ms] of Object.entries(hops)) {
      const list = this.samples.get(name) ?? [];
      list.push(ms);
      this.samples.set(name, list);
    }
  }

  summary(): Record<string, { p50_ms: number; p99_ms: number }> {
    return Object.fromEntries(
      [...this.samples].map(([name, v]) => [
        name,
        { p50_ms: round(percentile(v, 50)), p99_ms: round(percentile(v, 99)) },
      ]),
    );
  }

  /** One line for RESULTS.md: `hop p50/p99, …`. */
  line(): string {
    return Object.entries(this.summary())
      .map(([name, s]) => `${name} ${s.p50_ms}/${s.p99_ms}`)
      .join(', ');
  }
}
