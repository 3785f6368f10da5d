import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { AlertEvent, AlertPolicy, AlertSource } from '../../domain/alerts';
import { boundAlert } from '../../domain/limits';
import { alertsSignal, AlertGroupInput } from '../../workflows/definitions';
import type { alertGroup } from '../../workflows';
import { temporalCall } from '../temporal-errors';

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
  constructor(
    private readonly o: { client: Client; taskQueue: string; alertPolicy: AlertPolicy; timeoutMs?: number },
  ) {}

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
          [...groups].map(([workflowId, batch]) => {
            const input: AlertGroupInput = {
              source: batch[0].source,
              dedup_key: batch[0].dedup_key,
              taskQueue: this.o.taskQueue,
              alertPolicy: this.o.alertPolicy,
            };
            return this.o.client.workflow.signalWithStart<typeof alertGroup, [AlertEvent[]]>('alertGroup', {
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
