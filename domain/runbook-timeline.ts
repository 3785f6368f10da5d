/**
 * What a runbook run's progress says on the incident timeline: each step that started or
 * finished, each new approval request, an approval's escalation and decision, the outcome.
 * Pure: compares the run's new record with the one the incident had before.
 */
import type { RunbookRunRecord, StepRecord } from './runbook';
import type { Entry } from './timeline';

const VERB: Record<StepRecord['status'], string> = {
  running: 'started',
  waiting: 'waiting',
  succeeded: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
};

/** `escalation`: who the runbook pages when stuck (its metadata), for the approval-escalated entry. */
export function runbookProgressEntries(
  run: RunbookRunRecord,
  before: RunbookRunRecord | undefined,
  escalation = 'the incident commander',
): Entry[] {
  const entries: Entry[] = [];
  const actor = `runbook:${run.name}`;
  for (const step of run.steps) {
    const old = before?.steps.find((s) => s.id === step.id);
    if (old?.status === step.status && old.decision === step.decision) continue;
    const detail = step.error ?? (step.status === 'running' ? undefined : step.result);
    const retried = step.status === 'running' && (step.attempts ?? 1) > (old?.attempts ?? 1);
    const verb = retried
      ? `retried by ${lastDecider(run, step.id)} (attempt ${step.attempts})`
      : VERB[step.status];
    const waits =
      step.decision === 'pending' ? '; it waits for a decision: retry, skip or cancel the run' : '';
    entries.push({
      actor,
      kind: 'runbook',
      message: `Step "${step.title}" ${verb}${step.dry_run ? ' (dry-run)' : ''}${detail ? `: ${detail}` : ''}${waits}`,
      data: { run_id: run.run_id, step: step.id, impact: step.impact, duration_ms: step.duration_ms },
    });
  }
  for (const a of run.approvals) {
    const old = before?.approvals.find((x) => x.id === a.id);
    const data = { approval_id: a.id };
    if (!old) {
      const message = `Approval requested for "${a.title}" (${a.impact}; ${a.reason}): ${a.what}`;
      entries.push({ actor, kind: 'approval', message, data });
    }
    if (a.escalated_at && !old?.escalated_at) {
      const message = `Approval for "${a.title}" not decided by ${a.escalates_at}: escalating to ${escalation}; rejected at ${a.expires_at} if still undecided`;
      entries.push({ actor: 'tourniquet', kind: 'approval', message, data });
    }
    if (old && old.status !== a.status) {
      const message = `Approval ${a.status} for "${a.title}"${a.comment ? `: ${a.comment}` : ''}`;
      entries.push({ actor: a.decided_by ?? 'unknown', kind: 'approval', message, data });
    }
  }
  if (run.finished_at && !before?.finished_at) {
    const message = `Runbook ${run.name} ${run.status}: ${run.outcome}`;
    entries.push({ actor, kind: 'runbook', message, data: { run_id: run.run_id } });
  }
  return entries;
}

const lastDecider = (run: RunbookRunRecord, stepId: string) =>
  [...(run.decisions ?? [])].reverse().find((d) => d.step_id === stepId)?.actor ?? 'someone';
