/**
 * The failures workflow code throws to refuse a message, one builder per kind. The API maps
 * each `FailureType` to its HTTP status (api/temporal-errors.ts); non-retryable, because a
 * refusal is an answer, not an outage.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { FailureType } from './definitions';

const failure = (type: string) => (message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

export const conflict = failure(FailureType.conflict);
export const notFound = failure(FailureType.notFound);
export const invalid = failure(FailureType.invalid);
export const forbidden = failure(FailureType.forbidden);
export const unprocessable = failure(FailureType.unprocessable);

/** What went wrong, as a person reads it: an activity's own message rather than "Activity task failed". */
export function errorMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Fails the workflow itself (not its task) when its input is bad: the reason is visible in
 * Temporal and to the engine's health watch, and nothing retries a start that cannot work.
 */
export function checkInput(workflow: string, problem: string | undefined): void {
  if (problem) throw invalid(`${workflow} cannot start with this input: ${problem}`);
}
