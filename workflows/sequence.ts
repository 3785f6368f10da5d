import { sequenceInputProblem } from '../domain/workflow-inputs';
import { checkInput } from './failures';
import * as wf from '@temporalio/workflow';
import { allocateIdUpdate } from './definitions';
import { FIRST_INCIDENT_NUMBER } from '../domain/incident';
import type { KeyBook } from '../domain/request-keys';
import { RequestKeys, setKeyedUpdate } from './request-keys';

/**
 * Hands out increasing incident numbers. One long-running workflow is the only source of
 * truth, so several API replicas never hand out the same id. Updates run one at a time
 * on the workflow thread, so the counter needs no lock.
 */
export async function incidentSequence(
  next: number = FIRST_INCIDENT_NUMBER,
  carried?: KeyBook,
): Promise<void> {
  checkInput('incidentSequence', sequenceInputProblem(next));
  let allocated = 0;
  // A keyed declare (Idempotency-Key) gets its first number again, also after continue-as-new.
  const keys = new RequestKeys(carried);
  setKeyedUpdate(
    keys,
    allocateIdUpdate,
    (count = 1) => {
      const first = next;
      next += count;
      allocated++;
      return first;
    },
    {
      validator: (count = 1) => {
        if (!Number.isInteger(count) || count < 1 || count > 10_000)
          throw new Error(`count must be 1..10000, not ${count}`);
      },
    },
  );
  await wf.condition(() => allocated >= 500 || wf.workflowInfo().continueAsNewSuggested);
  await wf.condition(wf.allHandlersFinished);
  await wf.continueAsNew<typeof incidentSequence>(next, keys.book);
}
