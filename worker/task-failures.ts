/**
 * Workers hear of a failing workflow task only through the SDK's logs: the TypeScript
 * side's "Workflow failed" (an error thrown by workflow code, with its ids) and Core's
 * "Failing workflow task" (also non-determinism; run id only). Each becomes a hint to the
 * engine-health workflow, which checks it with Temporal — the logs are a trigger, never the truth.
 */
import type { LogEntry } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { TaskFailureHint } from '../domain/engine-health';
import { ENGINE_HEALTH_WORKFLOW_ID, taskFailureSignal } from '../workflows/definitions';

type Listener = (hint: TaskFailureHint & { namespace?: string }) => void;
const listeners = new Set<Listener>();
/** Run id → when last reported: a failing task retries, one hint a minute is plenty. */
const lastReported = new Map<string, number>();
const REPORT_EVERY_MS = 60_000;
const REMEMBERED = 1_000;

/** Feed every SDK log entry here (the Runtime's logger does). */
export function observeSdkLog({ message, meta }: LogEntry): void {
  const m = (meta ?? {}) as Record<string, unknown>;
  const str = (k: string) => (typeof m[k] === 'string' ? m[k] : undefined);
  let hint: (TaskFailureHint & { namespace?: string }) | undefined;
  if (message === 'Workflow failed' && str('runId'))
    hint = {
      runId: str('runId')!,
      workflowId: str('workflowId'),
      workflowType: str('workflowType'),
      namespace: str('namespace'),
      reason: errorText(m.error) ?? 'the workflow code threw',
    };
  else if (message === 'Failing workflow task' && str('runId'))
    hint = { runId: str('runId')!, reason: failureText(str('failure')) };
  if (!hint || hint.workflowId === ENGINE_HEALTH_WORKFLOW_ID || !due(hint.runId)) return;
  for (const l of listeners) l(hint);
}

function due(runId: string): boolean {
  const now = Date.now();
  if (now - (lastReported.get(runId) ?? 0) < REPORT_EVERY_MS) return false;
  lastReported.delete(runId); // re-insert: the Map's order is oldest report first
  lastReported.set(runId, now);
  if (lastReported.size > REMEMBERED) lastReported.delete(lastReported.keys().next().value!);
  return true;
}

/** The workflow's error comes from the sandbox's realm: `instanceof Error` is false there. */
const errorText = (e: unknown) =>
  typeof (e as { message?: unknown })?.message === 'string' ? (e as { message: string }).message : undefined;
/** Core's Debug text of the failure: its message is what a person needs. */
const failureText = (f?: string) => /message: "((?:[^"\\]|\\.)*)"/.exec(f ?? '')?.[1] ?? f ?? 'unknown';

/** A worker's namespace reports hints to its engine-health workflow; returns the unsubscribe. */
export function reportTaskFailures(client: Client, namespace: string, taskQueue: string, logger: Logger) {
  const listener: Listener = ({ namespace: ns, ...hint }) => {
    if (ns && ns !== namespace) return;
    client.workflow
      .signalWithStart('engineHealth', {
        workflowId: ENGINE_HEALTH_WORKFLOW_ID,
        taskQueue,
        args: [],
        signal: taskFailureSignal,
        signalArgs: [hint],
      })
      .catch((err: unknown) => logger.warn({ err, hint }, 'could not report a failing workflow task'));
  };
  listeners.add(listener);
  return () => listeners.delete(listener);
}
