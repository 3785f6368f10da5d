/**
 * Runbooks on an incident: the one an opening alert's labels pick, runs started by people
 * or by escalation, and each run's progress folded back into the incident's record.
 */
import * as wf from '@temporalio/workflow';
import { nowIso } from '../../domain/clock';
import { pickRunbook, type RunbookRunRecord } from '../../domain/runbook';
import { runbookProgressEntries } from '../../domain/runbook-timeline';
import { addEntry } from '../../domain/timeline';
import { runbookRun } from '../runbook';
import { ENGINE_ACTOR } from '../runbook/scope';
import { RUNBOOKS } from '../runbook-registry';
import { runbookFindings } from './record';
import type { IncidentState } from './state';

export interface RunbookStart {
  actor: string;
  name: string;
  params: Record<string, string>;
  dryRun?: boolean;
  /** Every mutating step waits for one approval whatever the policy, with this reason. */
  approvalRequired?: string;
}

/** Starts a runbook as a child workflow; its progress comes back as signals. Returns the run id. */
export async function startRunbook(s: IncidentState, start: RunbookStart): Promise<string> {
  const { actor, name, params, dryRun, approvalRequired } = start;
  const i = s.incident;
  const runId = `${i.id}-rb-${i.runbooks.length + 1}`;
  i.runbooks.push({
    run_id: runId,
    name,
    started_by: actor,
    status: 'running',
    params,
    steps: [],
    approvals: [],
    started_at: nowIso(),
  });
  const how = `${dryRun ? ' (dry-run)' : ''}${approvalRequired ? ` for approval: ${approvalRequired}` : ''}`;
  s.record(actor, 'runbook', `Runbook ${name} started${how}`, { run_id: runId, params });
  await wf.startChild(runbookRun, {
    workflowId: runId,
    parentClosePolicy: 'ABANDON', // survives the incident's continue-as-new
    args: [
      {
        incidentId: i.id,
        runId,
        name,
        params,
        startedBy: actor,
        severity: i.severity,
        dryRun,
        alertsFiring: i.alerts.filter((a) => a.status === 'firing').length,
        service: i.affected_services[0] || params.service,
        ...(approvalRequired ? { approvalRequired } : {}),
      },
    ],
  });
  return runId;
}

/** A new incident: the runbook whose triggers match its first alert best runs by itself (or none). */
export async function startOpeningRunbook(s: IncidentState): Promise<void> {
  const i = s.incident;
  const labels = s.input.alerts?.find((a) => a.action === 'trigger')?.labels ?? {};
  const meta = pickRunbook(
    Object.values(RUNBOOKS).map((r) => r.meta),
    { labels, services: i.affected_services, severity: i.severity },
  );
  if (meta) {
    // Labels pick the runbook, never what it touches: its parameters come from the service's catalogue entry.
    await startRunbook(s, { actor: ENGINE_ACTOR, name: meta.name, params: {} });
  }
}

/** A run's whole record arrived: timeline entries, evidence and health, milestones, visibility. */
export function runbookProgress(s: IncidentState, run: RunbookRunRecord): void {
  const i = s.incident;
  const index = i.runbooks.findIndex((r) => r.run_id === run.run_id);
  const before = index >= 0 ? i.runbooks[index] : undefined;
  const now = nowIso();
  const escalation = RUNBOOKS[run.name]?.meta.escalation;
  for (const e of runbookProgressEntries(run, before, escalation)) addEntry(i, now, e);
  if (index >= 0) i.runbooks[index] = run;
  else i.runbooks.push(run);
  runbookFindings(s, run, before);
  s.esc?.runbookProgress(run, before);
  // Approvals pending are in the memo; runs from before it published nothing here.
  if (s.richMemo) s.changed();
}
