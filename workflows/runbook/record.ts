/**
 * The run's own record (steps, approvals, evidence, health) and how it reaches the
 * incident: the whole record, signalled after every change.
 */
import * as wf from '@temporalio/workflow';
import { iso, nowIso } from '../../domain/clock';
import { parseDuration } from '../../domain/duration';
import type { RunbookRunRecord, StepRecord } from '../../domain/runbook';
import { type MetricsSinks, runbookProgressSignal } from '../definitions';
import type { RunbookRunInput } from './input';

const { metrics } = wf.proxySinks<MetricsSinks>();

export class RunRecord {
  readonly run: RunbookRunRecord;
  /** Set when the incident was resolved or closed: whatever the run waits for, it stops. */
  withdrawn?: string;
  private readonly incident: wf.ExternalWorkflowHandle;

  constructor(private readonly input: RunbookRunInput) {
    this.run = {
      run_id: input.runId,
      name: input.name,
      started_by: input.startedBy,
      status: 'running',
      params: input.params,
      steps: [],
      approvals: [],
      started_at: nowIso(),
    };
    this.incident = wf.getExternalWorkflowHandle(input.incidentId);
  }

  /** Sends the whole record to the incident; the handle follows the incident across continue-as-new. */
  async report(): Promise<void> {
    await this.incident.signal(runbookProgressSignal, this.run).catch(() => undefined);
  }

  /** A step starts running; its ETA (if any) becomes a due time the incident watches. */
  begin(spec: { id: string; title: string; eta?: string }, impact: StepRecord['impact']): StepRecord {
    const s: StepRecord = { id: spec.id, title: spec.title, impact, status: 'running', started_at: nowIso() };
    const eta = parseDuration(spec.eta);
    if (eta !== undefined) s.due_at = iso(Date.now() + eta * 1000);
    this.run.steps.push(s);
    return s;
  }

  finish(s: StepRecord, status: StepRecord['status'], detail: { result?: string; error?: string }): void {
    metrics.stepFinished(this.input.name, status);
    s.status = status;
    s.finished_at = nowIso();
    s.duration_ms = Date.parse(s.finished_at) - Date.parse(s.started_at);
    Object.assign(s, detail);
  }

  /** Marks the run (and a step) waiting for a human, or running again. */
  waiting(s: StepRecord, waiting: boolean): void {
    s.status = waiting ? 'waiting' : 'running';
    this.run.status = waiting ? 'waiting' : 'running';
  }
}
