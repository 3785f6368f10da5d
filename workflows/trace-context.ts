/**
 * Workflow interceptors (bundled with every build, worker/bundle.ts) that carry the trace
 * context of the latest message a workflow received — its start, a signal (an alert), an
 * Update (an approval) — onto the activities and child workflows it schedules next, so one
 * trace runs from the alert's HTTP request to the runbook step (common/tracing.ts).
 *
 * Headers only, synchronously: no spans, no awaits, no sinks. The SDK's own OpenTelemetry
 * workflow interceptors wrap handlers in asynchronous spans, which reorders an Update's
 * completion against the commands of the same task: recorded histories stop replaying.
 */
import type { Payload } from '@temporalio/common';
import type { WorkflowInterceptors } from '@temporalio/workflow';

/** The OpenTelemetry client and activity interceptors' header (@temporalio/interceptors-opentelemetry). */
const TRACE_HEADER = '_tracer-data';

export const interceptors = (): WorkflowInterceptors => {
  let carried: Payload | undefined; // per workflow: the SDK calls this factory for each one
  const remember = (headers: Record<string, Payload>) => {
    carried = headers[TRACE_HEADER] ?? carried;
  };
  const withTrace = <T extends { headers: Record<string, Payload> }>(input: T): T =>
    carried && !input.headers[TRACE_HEADER]
      ? { ...input, headers: { ...input.headers, [TRACE_HEADER]: carried } }
      : input;
  return {
    inbound: [
      {
        execute: (input, next) => (remember(input.headers), next(input)),
        handleSignal: (input, next) => (remember(input.headers), next(input)),
        handleUpdate: (input, next) => (remember(input.headers), next(input)),
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next(withTrace(input)),
        scheduleLocalActivity: (input, next) => next(withTrace(input)),
        startChildWorkflowExecution: (input, next) => next(withTrace(input)),
      },
    ],
  };
};
