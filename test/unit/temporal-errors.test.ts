/**
 * How Temporal's "not found" answers map to HTTP: an Update that reaches a workflow as it
 * closes (a decision sent while the run ends) is a 409 like one to a closed workflow, not a
 * 404 (CI saw a retry after cancel answered 404: "workflow update was aborted by closing workflow").
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { ConflictError, NotFoundError } from '../../api/errors';
import { fromTemporal } from '../../api/temporal-errors';

const notFound = (message: string) =>
  fromTemporal(new WorkflowNotFoundError(message, 'INC-1-rb-1', undefined), 'run');

it('a closed or closing workflow is a conflict; an unknown one is not found', () => {
  expect(notFound('workflow execution already completed')).toBeInstanceOf(ConflictError);
  expect(notFound('workflow update was aborted by closing workflow')).toBeInstanceOf(ConflictError);
  expect(notFound('workflow not found for ID: INC-1-rb-1')).toBeInstanceOf(NotFoundError);
});
