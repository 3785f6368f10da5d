/**
 * Runbooks on an incident: the one an opening alert's labels pick, runs started by people
 * or by escalation, and each run's progress folded back into the incident's record.
 */
import * as wf from '@temporalio/workflow';
import { nowIso } from '../../domain/clock';
import { pickRunbook, type RunbookMeta, type RunbookRunRecord } from '../../domain/runbook';
import type { Severity } from '../../domain/severity';
import { runbookProgressEntries } from '../../domain/runbook-timeline';
import { addEntry } from '../../domain/timeline';
import { runbookRun, type RunbookRunInput } from '../runbook';
import { ENGINE_ACTOR } from '../runbook/scope';
import { RUNBOOKS } from '../runbook-registry';
import { GENERATION } from '../patches';
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
  const i = s.incident;
  const runId = `${i.id}-rb-${i.runbooks.length + 1}`;
  recordRunStarted(s, start, runId);
  await wf.startChild(runbookRun, {
    workflowId: runId,
    parentClosePolicy: 'ABANDON', // survives the incident's continue-as-new
    args: [
      runbookInput(
        { ...i, alertsFiring: i.alerts.filter((a) => a.status === 'firing').length },
        runId,
        start,
      ),
    ],
  });
  return runId;
}

/** The incident a run acts for, as its input needs it. */
export interface RunFor {
  id: string;
  severity: Severity;
  affected_services: string[];
  alertsFiring: number;
}

/** What a run of `start` is started with (by the incident, or by its alert group). */
export function runbookInput(i: RunFor, runId: string, start: RunbookStart): RunbookRunInput {
  const { actor, name, params, dryRun, approvalRequired } = start;
  return {
    incidentId: i.id,
    runId,
    name,
    params,
    startedBy: actor,
    severity: i.severity,
    dryRun,
    alertsFiring: i.alertsFiring,
    service: i.affected_services[0] || params.service,
    generation: GENERATION,
    ...(approvalRequired ? { approvalRequired } : {}),
  };
}

/** The run on the incident's record and timeline (once: its first report may have come first). */
function recordRunStarted(s: IncidentState, start: RunbookStart, runId: string): void {
  const { actor, name, params, dryRun, approvalRequired } = start;
  if (!s.incident.runbooks.some((r) => r.run_id === runId))
    s.incident.runbooks.push({
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
}

/** The runbook an opening alert's labels pick (or none): the best-matching trigger. */
export function openingRunbook(
  labels: Record<string, string>,
  on: { services: string[]; severity: Severity },
): RunbookMeta | undefined {
  return pickRunbook(
    Object.values(RUNBOOKS).map((r) => r.meta),
    { labels, ...on },
  );
}

/**
 * A new incident: the runbook whose triggers match its first alert best runs by itself (or
 * none). Its alert group may have started it already, in the same task that started the incident.
 */
export async function startOpeningRunbook(s: IncidentState): Promise<void> {
  const i = s.incident;
  // Labels pick the runbook, never what it touches: its parameters come from the service's catalogue entry.
  const opening = { actor: ENGINE_ACTOR, params: {} };
  if (s.input.openingRun) {
    recordRunStarted(s, { ...opening, name: s.input.openingRun.name }, s.input.openingRun.run_id);
    return;
  }
  const labels = s.input.alerts?.find((a) => a.action === 'trigger')?.labels ?? {};
  const meta = openingRunbook(labels, { services: i.affected_services, severity: i.severity });
  if (meta) await startRunbook(s, { ...opening, name: meta.name });
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
