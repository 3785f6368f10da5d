import { Client, WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client';
import { allocateIdUpdate, idTaskQueue, SEQUENCE_WORKFLOW_ID } from '../workflows/definitions';
import type { incidentSequence } from '../workflows';

/** How long one batch's allocation may take (the API's own calls allow 10 s). */
const BATCH_DEADLINE_MS = 10_000;

/**
 * Incident numbers from the one sequence workflow (started on first use). Callers that
 * arrive while an allocation is in flight are served together by the next one: a single
 * workflow takes only a few concurrent Updates (the server answers RESOURCE_EXHAUSTED
 * beyond that), and one Update per burst keeps an alert storm from queueing behind it.
 * Nothing is cached: a number exists only once the sequence workflow has handed it out.
 * A retry after a lost reply skips numbers: ids stay unique and increasing, with gaps.
 */
export class IncidentNumbers {
  private waiting: { resolve(n: number): void; reject(e: unknown): void }[] = [];
  private busy = false;

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /**
   * A number for one keyed request (an `Idempotency-Key`): its own allocation under that
   * Update id, so a retry gets the same number (Temporal deduplicates within the sequence's run).
   */
  forKey(updateId: string): Promise<number> {
    return this.allocate(1, updateId);
  }

  next(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.busy || this.waiting.length === 0) return;
    this.busy = true;
    const batch = this.waiting.splice(0);
    try {
      // Its own deadline: the pump runs on in the first caller's context, whose deadline may have passed.
      const first = await this.client.withDeadline(Date.now() + BATCH_DEADLINE_MS, () =>
        this.allocate(batch.length),
      );
      batch.forEach((w, i) => w.resolve(first + i));
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
