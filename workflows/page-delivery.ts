/**
 * One notification through one notifier, as a workflow of its own whose id is the page's
 * key: a delivery the incident's previous run left in flight is never started twice by the
 * next (chat services ignore Idempotency-Key, so a second start would be a second message).
 * It outlives continue-as-new and tells the incident's current run how it went.
 */
import * as wf from '@temporalio/workflow';
import type { NotifyActivities } from '../activities/notify';
import type { Notification } from '../domain/notification';
import { pageDeliveryInputProblem } from '../domain/workflow-inputs';
import { pageDeliveredSignal } from './definitions';
import { checkInput, errorMessage } from './failures';

/** Failures retrying would not mend: the receiver refused the notification, or it made no sense. */
const NOT_RETRIED = ['NotifierRefused', 'InvalidInput'];

// A receiver that is down delays a page, it does not lose it: retry with backoff for a day.
export const notifier = wf.proxyActivities<NotifyActivities>({
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: NOT_RETRIED,
  },
});

/**
 * A first attempt inside the workflow task that sends the page: no activity task and no
 * second workflow task when the receiver answers at once (most pages, and every storm's).
 * One attempt, briefly: a receiver that is slow or down gets `notifier`'s day of retries.
 */
export const quickNotifier = wf.proxyLocalActivities<NotifyActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumAttempts: 1 },
});

/**
 * A delivery the notifier refused (or could not make sense of): retrying it would not help.
 * A failed local activity may reach the workflow as the error itself, unwrapped (SDK 1.24).
 */
export function refused(err: unknown): boolean {
  const failure = err instanceof wf.ActivityFailure ? err.cause : err;
  return (
    failure instanceof wf.ApplicationFailure &&
    (failure.nonRetryable || NOT_RETRIED.includes(failure.type ?? ''))
  );
}

export interface PageDeliveryInput {
  incidentId: string;
  notifier: string;
  notification: Notification;
}

/** The workflow id: one delivery per (notifier, page key) for as long as Temporal keeps it. */
export const pageDeliveryId = (notifierName: string, key: string) => `deliver/${notifierName}/${key}`;

export async function pageDelivery(input: PageDeliveryInput): Promise<void> {
  checkInput('pageDelivery', pageDeliveryInputProblem(input));
  const { incidentId, notification } = input;
  const key = notification.idempotency_key;
  let outcome: { delivered_at?: string; error?: string };
  try {
    outcome = await notifier.deliverNotification({ notifier: input.notifier, notification });
  } catch (err) {
    outcome = { error: errorMessage(err) };
  }
  // The incident may have closed meanwhile: then nobody is waiting to hear.
  await wf
    .getExternalWorkflowHandle(incidentId)
    .signal(pageDeliveredSignal, { key, notifier: input.notifier, ...outcome })
    .catch(() => undefined);
}
