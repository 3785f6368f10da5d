import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { AlertEvent, AlertPolicy, AlertSource } from '../../domain/alerts';
import { boundAlert } from '../../domain/limits';
import { alertsSignal, AlertGroupInput } from '../../workflows/definitions';
import { GENERATION } from '../../workflows/patches';
import type { alertGroup } from '../../workflows';
import { UnavailableError } from '../errors';
import { temporalCall } from '../temporal-errors';

/** History bytes past which a group's senders are asked to wait (a run continues as new at 8 MB). */
export const GROUP_BACKPRESSURE_BYTES = 24_000_000;

/** The alert group workflow of a (source, dedup key); keys can be long, so they are hashed. */
export function alertGroupId(source: AlertSource, dedupKey: string): string {
  return `alerts-${source}-${createHash('sha256').update(dedupKey).digest('hex').slice(0, 32)}`;
}

/**
 * Records alerts durably: one signal-with-start per (source, dedup key). It returns only
 * after Temporal has accepted every signal, so a 2xx to the sender means nothing is lost;
 * when Temporal is unreachable it throws UnavailableError (503) and the sender retries.
 */
export class AlertIntake {
  /** Each group's last known history size: a hint for back-pressure, re-read at most once a second. */
  private readonly sizes = new Map<string, { bytes: number; at: number; hits: number }>();

  constructor(
    private readonly o: { client: Client; taskQueue: string; alertPolicy: AlertPolicy; timeoutMs?: number },
  ) {}

  /**
   * A group far behind in a storm (its run's history past GROUP_BACKPRESSURE_BYTES while it
   * catches up to continue as new) gets no more signals for a moment: 503 with Retry-After,
   * and the sender retries, rather than a run that outgrows Temporal's 50 MB and is terminated.
   */
  private async backpressure(workflowId: string): Promise<void> {
    const now = Date.now();
    const known = this.sizes.get(workflowId) ?? { bytes: 0, at: now, hits: 0 };
    known.hits++;
    // Only a group hit often in the last second can be in a storm: others cost no extra call.
    if (now - known.at > 1000) {
      const hot = known.hits > 20 || known.bytes > GROUP_BACKPRESSURE_BYTES;
      if (hot) known.bytes = await this.historyBytes(workflowId);
      known.at = now;
      known.hits = 0;
    }
    if (this.sizes.size > 10_000) this.sizes.clear(); // a hint, not a record: forgetting is safe
    this.sizes.set(workflowId, known);
    if (known.bytes > GROUP_BACKPRESSURE_BYTES) {
      throw new UnavailableError('this alert group is catching up with a storm; retry in a second');
    }
  }

  private historyBytes(workflowId: string): Promise<number> {
    return this.o.client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        (d) => Number(d.raw.workflowExecutionInfo?.historySizeBytes ?? 0),
        () => 0,
      );
  }

  async record(events: AlertEvent[]): Promise<string[]> {
    const groups = new Map<string, AlertEvent[]>();
    for (const e of events) {
      // The group id hashes the whole key; the event itself carries values within LIMITS.
      const id = alertGroupId(e.source, e.dedup_key);
      const batch = groups.get(id) ?? [];
      batch.push(boundAlert(e));
      groups.set(id, batch);
    }
    await temporalCall(
      this.o.client,
      'alert group',
      () =>
        Promise.all(
          [...groups].map(async ([workflowId, batch]) => {
            await this.backpressure(workflowId);
            const input: AlertGroupInput = {
              source: batch[0].source,
              dedup_key: batch[0].dedup_key,
              taskQueue: this.o.taskQueue,
              alertPolicy: this.o.alertPolicy,
              generation: GENERATION,
            };
            await this.o.client.workflow.signalWithStart<typeof alertGroup, [AlertEvent[]]>('alertGroup', {
              workflowId,
              taskQueue: this.o.taskQueue,
              args: [input],
              signal: alertsSignal,
              signalArgs: [batch],
            });
          }),
        ),
      this.o.timeoutMs,
    );
    return [...groups.keys()];
  }
}
