/**
 * Starting a service's guard workflow on first use (Update-with-Start), for the guard
 * activities and the automation routes alike.
 */
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client';
import { guardWorkflowId, idTaskQueue } from '../workflows/definitions';
import type { serviceGuard } from '../workflows';

export function guardStart(taskQueue: string, service: string) {
  return new WithStartWorkflowOperation<typeof serviceGuard>('serviceGuard', {
    workflowId: guardWorkflowId(service),
    // The control queue: guards answer promptly even while an alert storm fills the main queue.
    taskQueue: idTaskQueue(taskQueue),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [],
  });
}
