/**
 * Runbook progress as milestones: a run's and each step's ETA are milestones (missed ones
 * page the runbook's escalation target), and a failed run or an undecided approval pages it.
 */
import { iso } from '../../domain/clock';
import { parseDuration } from '../../domain/duration';
import { type EscalationConfig, targetsNamed } from '../../domain/escalation';
import { runbookMilestone, stepMilestone } from '../../domain/milestones';
import { hhmm } from '../../domain/record';
import type { RunbookRunRecord } from '../../domain/runbook';
import { RUNBOOKS } from '../runbook-registry';
import type { Pager } from './paging';
import type { IncidentState } from './state';

export function trackRunbook(
  s: IncidentState,
  cfg: EscalationConfig,
  pager: Pager,
  run: RunbookRunRecord,
  before: RunbookRunRecord | undefined,
): void {
  const meta = RUNBOOKS[run.name]?.meta;
  const target = meta?.escalation ?? 'incident_commander';
  const eta = parseDuration(meta?.eta);
  const runDue = eta === undefined ? undefined : Date.parse(run.started_at) + eta * 1000;
  track(s, runbookMilestone(run.run_id), target, runDue, !run.finished_at);
  for (const step of run.steps) {
    const open = step.status === 'running' || step.status === 'waiting';
    const due = step.due_at ? Date.parse(step.due_at) : undefined;
    track(s, stepMilestone(run.run_id, step.id), target, due, open);
  }
  const targets = targetsNamed(cfg, target);
  if (run.finished_at && !before?.finished_at && (run.status === 'escalated' || run.status === 'failed')) {
    const reason = `runbook ${run.name} ${run.status}: ${run.outcome}`;
    pager.pageTargets(targets, { kind: 'page', reason, cause: `rb-${run.run_id}`, due: Date.now() });
  }
  for (const a of run.approvals) {
    if (a.status === 'pending' && !before?.approvals.some((x) => x.id === a.id))
      s.chat?.post(`${run.run_id}/${a.id}`, `Approval needed: ${a.title} — ${a.what}`);
    if (!a.escalated_at || before?.approvals.find((x) => x.id === a.id)?.escalated_at) continue;
    const reason = `approval for "${a.title}" undecided since ${hhmm(a.requested_at)}`;
    const cause = `approval-${run.run_id}-${a.id}`;
    pager.pageTargets(targets, { kind: 'page', reason, cause, due: Date.parse(a.escalates_at) });
  }
}

/** A runbook ETA: a milestone while `open`, met once it is not. */
function track(
  s: IncidentState,
  name: string,
  target: string,
  dueMs: number | undefined,
  open: boolean,
): void {
  const milestones = s.incident.milestones!;
  const m = milestones.find((x) => x.name === name);
  if (open && !m && dueMs !== undefined) {
    milestones.push({ name, due_at: iso(dueMs), status: 'pending', target });
    s.replanned = true;
  } else if (!open && m?.status === 'pending') {
    m.status = 'met';
    m.at = iso(Date.now());
    s.replanned = true;
  }
}
