import { Client, WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client';
import { allocateIdUpdate, SEQUENCE_WORKFLOW_ID } from '../workflows/definitions';
import type { incidentSequence } from '../workflows';

/**
 * The next incident number, from the one sequence workflow (started on first use).
 * A retry after a lost reply skips a number: ids stay unique and increasing, gaps allowed.
 */
export function allocateIncidentNumber(client: Client, taskQueue: string): Promise<number> {
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof incidentSequence>('incidentSequence', {
    workflowId: SEQUENCE_WORKFLOW_ID,
    taskQueue,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [],
  });
  return client.workflow.executeUpdateWithStart(allocateIdUpdate, { startWorkflowOperation });
}
