/**
 * The run's own record (steps, approvals, evidence, health) and how it reaches the
 * incident: the whole record, signalled after every change.
 */
import * as wf from '@temporalio/workflow';
import { iso, nowIso } from '../../domain/clock';
import { parseDuration } from '../../domain/duration';
import type { RunbookRunRecord, RunDecision, StepRecord } from '../../domain/runbook';
import { type MetricsSinks, runbookProgressSignal } from '../definitions';
import type { RunbookRunInput } from './input';
import { generationPatch, PATCH } from '../patches';

const { metrics } = wf.proxySinks<MetricsSinks>();

export class RunRecord {
  readonly run: RunbookRunRecord;
  /** Set when the incident was resolved or closed: whatever the run waits for, it stops. */
  withdrawn?: string;
  private readonly incident: wf.ExternalWorkflowHandle;
  /** A run on today's code: one marker (none from GENERATION 4) implies every patch below (patches.ts). */
  readonly gen2: boolean;
  /** A run on #18's code (PATCH.hotPathRun): every earlier run patch in force; reports in the background. */
  readonly current: boolean;
  /** A failed step waits for a decision (resume.ts); runs from before fail at once. */
  readonly resumable: boolean;
  /** The latest retry or skip for the failed step waiting (resume.ts). */
  decided?: RunDecision;
  private sending?: Promise<void>;
  private dirty = false;
  private reached = false;

  constructor(private readonly input: RunbookRunInput) {
    this.gen2 = generationPatch(input.generation, PATCH.runGen2);
    this.current = this.gen2 || wf.patched(PATCH.hotPathRun);
    this.resumable = this.gen2 || wf.patched(PATCH.resumableRuns);
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

  /**
   * Sends the whole record to the incident; the handle follows the incident across
   * continue-as-new. The next command (a step's activity) goes out in the same workflow task:
   * records arrive in order, and a newer one replaces any not yet sent.
   */
  async report(): Promise<void> {
    if (!this.current) return this.send();
    this.dirty = true;
    this.sending ??= this.flush();
  }

  /** Resolves once the incident has been sent the latest record (the run awaits it before it ends). */
  async settled(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async flush(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      await this.send();
    }
    this.sending = undefined;
  }

  private async send(): Promise<void> {
    // A run started by the alert group may report before its incident exists: until one
    // report has reached it, a failed one is tried again (briefly; an incident gone for good stays gone).
    for (let attempt = 1; ; attempt++) {
      try {
        // The record is serialised now, as this command is made: later changes go in the next report.
        await this.incident.signal(runbookProgressSignal, this.run);
        this.reached = true;
        return;
      } catch {
        if (!this.current || this.reached || attempt >= 5) return;
        await wf.sleep(attempt * 200);
      }
    }
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
