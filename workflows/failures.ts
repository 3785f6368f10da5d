/**
 * The failures workflow code throws to refuse a message, one builder per kind. The API maps
 * each `FailureType` to its HTTP status (api/temporal-errors.ts); non-retryable, because a
 * refusal is an answer, not an outage.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from './definitions';

const failure = (type: string) => (message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

export const conflict = failure(FailureType.conflict);
export const notFound = failure(FailureType.notFound);
export const invalid = failure(FailureType.invalid);
export const forbidden = failure(FailureType.forbidden);
