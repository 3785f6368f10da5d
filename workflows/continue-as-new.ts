/**
 * When a run may hand over to the next. Temporal delays the first task of a run that
 * continued as new less than a second after it started (ContinueAsNewMinInterval), and
 * repeated quick hand-overs have made that delay grow to many seconds
 * (temporalio/temporal#11839): a run lives at least MIN_RUN_MS before it continues as new.
 */
import * as wf from '@temporalio/workflow';

export const MIN_RUN_MS = 1_500;

/** Workflow time: deterministic in replay. */
export const oldEnoughToContinue = (): boolean =>
  Date.now() - wf.workflowInfo().runStartTime.getTime() >= MIN_RUN_MS;
