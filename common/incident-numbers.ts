import { Client, WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client';
import { allocateIdUpdate, idTaskQueue, SEQUENCE_WORKFLOW_ID } from '../workflows/definitions';
import type { incidentSequence } from '../workflows';

/** How long one batch's allocation may take (the API's own calls allow 10 s). */
const BATCH_DEADLINE_MS = 10_000;
/** Spare numbers are used within this long or dropped (a gap), so ids keep roughly to time order. */
const SPARE_MS = 30_000;

/**
 * Incident numbers from the one sequence workflow (started on first use). Callers that
 * arrive while an allocation is in flight are served together by the next one: a single
 * workflow takes only a few concurrent Updates (the server answers RESOURCE_EXHAUSTED
 * beyond that), and one Update per burst keeps an alert storm from queueing behind it.
 * A number exists only once the sequence workflow has handed it out. With `spare` (the
 * worker's alert groups), each allocation takes that many more for the next callers, so most
 * new incidents need no Update at all; spares a process dies with, or leaves unused for
 * SPARE_MS, are gaps. A retry after a lost reply skips numbers too: ids stay unique, with gaps
 * (and with spares, two workers' numbers interleave out of time order by up to SPARE_MS).
 */
export class IncidentNumbers {
  private waiting: { resolve(n: number): void; reject(e: unknown): void }[] = [];
  private busy = false;
  private spares = { next: 0, end: 0, until: 0 };

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly spare = 0,
  ) {}

  /**
   * A number for one keyed request (an `Idempotency-Key`): its own allocation under that
   * Update id, so a retry gets the same number (Temporal deduplicates within the sequence's run).
   */
  forKey(updateId: string): Promise<number> {
    return this.allocate(1, updateId);
  }

  next(): Promise<number> {
    if (this.hasSpare()) return Promise.resolve(this.spares.next++);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      void this.pump();
    });
  }

  private hasSpare(): boolean {
    const s = this.spares;
    return s.next < s.end && Date.now() < s.until;
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    while (this.waiting.length > 0 && this.hasSpare()) this.waiting.shift()!.resolve(this.spares.next++);
    if (this.waiting.length === 0) return;
    this.busy = true;
    const batch = this.waiting.splice(0);
    try {
      // Its own deadline: the pump runs on in the first caller's context, whose deadline may have passed.
      const count = batch.length + this.spare;
      const first = await this.client.withDeadline(Date.now() + BATCH_DEADLINE_MS, () =>
        this.allocate(count),
      );
      batch.forEach((w, i) => w.resolve(first + i));
      this.spares = { next: first + batch.length, end: first + count, until: Date.now() + SPARE_MS };
    } catch (err) {
      batch.forEach((w) => w.reject(err));
    } finally {
      this.busy = false;
      void this.pump();
    }
  }

  private allocate(count: number, updateId?: string): Promise<number> {
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof incidentSequence>(
      'incidentSequence',
      {
        workflowId: SEQUENCE_WORKFLOW_ID,
        taskQueue: idTaskQueue(this.taskQueue),
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        args: [],
      },
    );
    return this.client.workflow.executeUpdateWithStart(allocateIdUpdate, {
      args: [count],
      updateId,
      startWorkflowOperation,
    });
  }
}
