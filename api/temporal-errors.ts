/**
 * Maps Temporal client failures to the API's typed errors: unknown workflow → 404,
 * a refused update → 409/400 with the workflow's own reason, Temporal unreachable → 503.
 */
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../workflows/definitions';
import {
  ConflictError,
  HttpError,
  InputError,
  KeyReusedError,
  NotAllowedError,
  NotFoundError,
  UnavailableError,
} from './errors';

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
const grpcStatus = {
  CANCELLED: 1,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNAVAILABLE: 14,
} as const;

/**
 * An Update sent to a finished workflow (a closed incident) also reports "not found", and so
 * does one that reached it as it closed ("workflow update was aborted by closing workflow").
 */
const CLOSED = /completed|closed|closing/i;

export function fromTemporal(err: unknown, what: string): unknown {
  if (err instanceof HttpError) return err;
  if (err instanceof WorkflowNotFoundError) {
    return CLOSED.test(err.message)
      ? new ConflictError(`${what} is closed`)
      : new NotFoundError(`${what} not found`);
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    if (err.cause.type === FailureType.invalid) return new InputError(err.cause.message);
    if (err.cause.type === FailureType.notFound) return new NotFoundError(err.cause.message);
    if (err.cause.type === FailureType.forbidden) return new NotAllowedError(err.cause.message);
    if (err.cause.type === FailureType.unprocessable) return new KeyReusedError(err.cause.message);
    return new ConflictError(err.cause.message);
  }
  const code = grpcCode(err);
  if (code === grpcStatus.NOT_FOUND) {
    const message = String((err as Error).message);
    return CLOSED.test(message)
      ? new ConflictError(`${what} is closed`)
      : new NotFoundError(`${what} not found`);
  }
  // Its workflow task keeps failing: the engine health watch reports it and pages the engine's owner.
  if (/Workflow Task in failed state/i.test(causeMessages(err))) {
    return new UnavailableError(
      `the engine cannot run ${what} right now (its workflow task is failing); GET /api/v1/engine/health says why — the engine's owner is paged`,
    );
  }
  // Temporal sheds load (RESOURCE_EXHAUSTED) or a run hit a per-run limit: the sender retries.
  if (code === grpcStatus.RESOURCE_EXHAUSTED || /exceeded workflow execution limit/i.test(String(err))) {
    return new UnavailableError('Temporal is busy (a rate or per-run limit); retry shortly');
  }
  if (
    code === grpcStatus.UNAVAILABLE ||
    code === grpcStatus.DEADLINE_EXCEEDED ||
    code === grpcStatus.CANCELLED
  ) {
    return new UnavailableError(
      'Temporal is unreachable or slow; retry shortly (is the Temporal server running?)',
    );
  }
  return err;
}

/** Every message along the error's cause chain (the SDK wraps gRPC errors). */
function causeMessages(err: unknown): string {
  const out: string[] = [];
  for (let e = err as { message?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e)
    out.push(String(e.message));
  return out.join('\n');
}

function grpcCode(err: unknown): number | undefined {
  type Coded = { code?: unknown; cause?: unknown } | undefined;
  for (let e = err as Coded; e; e = e.cause as Coded) if (typeof e.code === 'number') return e.code;
  return undefined;
}

/** Runs a Temporal call with a deadline (default 10 s), mapping failures to typed HTTP errors. */
export function temporalCall<T>(
  client: Client,
  what: string,
  fn: () => Promise<T>,
  timeoutMs = 10_000,
): Promise<T> {
  return client
    .withDeadline(Date.now() + timeoutMs, () => retryTransient(fn))
    .catch((err) => {
      throw fromTemporal(err, what);
    });
}

/**
 * Moments when Temporal refuses a call that will succeed when repeated: a query that reaches
 * a run before its first workflow task (just started, or just continued as new), and an
 * Update whose workflow task failed for a reason of the server's own — e.g. a signal arrived
 * while the task was completing the workflow (the Update was not applied; sending it again is safe).
 */
const TRANSIENT = /workflow task is not scheduled yet|unexpected workflow task failure/i;

async function retryTransient<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 50 || !TRANSIENT.test(causeMessages(err))) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
