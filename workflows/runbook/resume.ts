/**
 * Resume: a failed step (its action threw after its retries, or its check found a problem)
 * fails its run as before, but the run stays resumable until its incident is resolved: retry
 * runs the step again; skip goes on without it (an approver, with a reason); cancel ends it.
 * Steps that succeeded never run again, and later mutating steps still pass the guardrails
 * (approvals as policy says).
 */
import * as wf from '@temporalio/workflow';
import { nowIso } from '../../domain/clock';
import { MAX_RUN_DECISIONS, type RunDecision, type StepRecord } from '../../domain/runbook';
import { runDecisionUpdate, type UpdateInput } from '../definitions';
import { conflict, invalid, notFound } from '../failures';
import { withdrawRun } from './approval';
import type { RunRecord } from './record';
import { type RequestKeys, setKeyedUpdate } from '../request-keys';

type DecisionInput = UpdateInput<typeof runDecisionUpdate>;

export function registerDecisionHandler(r: RunRecord, keys: RequestKeys): void {
  setKeyedUpdate(
    keys,
    runDecisionUpdate,
    (d) => {
      const decision: RunDecision = {
        action: d.action,
        step_id: d.stepId,
        actor: d.actor,
        reason: d.reason,
        at: nowIso(),
      };
      remember(r, decision);
      if (d.action === 'cancel')
        withdrawRun(r, `cancelled by ${d.actor}${d.reason ? `: ${d.reason}` : ''}`, d.actor);
      else r.decided = decision;
      return r.run;
    },
    { validator: (d) => check(r, d) },
  );
}

function check(r: RunRecord, d: DecisionInput): void {
  const waiting = r.run.steps.some((s) => s.decision === 'pending');
  if (r.run.finished_at && !waiting) throw conflict(`run ${r.run.run_id} has ended (${r.run.status})`);
  if (d.action === 'cancel') return;
  if (d.action === 'skip' && !d.reason?.trim()) throw invalid('reason: say why the step may be skipped');
  const step = r.run.steps.find((s) => s.id === d.stepId);
  if (!step) throw notFound(`step ${d.stepId} not found in run ${r.run.run_id}`);
  if (step.decision !== 'pending')
    throw conflict(`step ${d.stepId} is ${step.status}, not a failed step waiting for a decision`);
}

function remember(r: RunRecord, d: RunDecision): void {
  const list = (r.run.decisions ??= []);
  list.push(d);
  if (list.length > MAX_RUN_DECISIONS) {
    list.shift();
    r.run.decisions_omitted = (r.run.decisions_omitted ?? 0) + 1;
  }
}

/**
 * The failed step's run ends as failed (the incident pages its escalation target, as for any
 * failed run) but stays resumable: it waits for a decision until its incident is resolved.
 * Resolves with the decision, or undefined once the incident no longer wants one.
 */
export async function awaitDecision(r: RunRecord, s: StepRecord): Promise<RunDecision | undefined> {
  s.decision = 'pending';
  r.run.status = 'failed';
  r.run.outcome = `Failed at step "${s.title}": ${s.error}; retry, skip or cancel it`;
  r.run.finished_at = nowIso();
  r.decided = undefined;
  await r.report();
  await wf.condition(() => r.decided?.step_id === s.id || r.withdrawn !== undefined);
  delete s.decision;
  if (r.withdrawn) return undefined;
  r.run.status = 'running';
  delete r.run.outcome;
  delete r.run.finished_at;
  return r.decided;
}
