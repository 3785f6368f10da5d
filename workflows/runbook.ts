import * as wf from '@temporalio/workflow';
import type { GuardActivities } from '../activities/guard';
import type { HttpActivities } from '../activities/http';
import type { KubernetesActivities } from '../activities/kubernetes';
import type { PostgresActivities } from '../activities/postgres';
import type { Activities } from '../activities';
import { decide, DEFAULT_GUARDRAILS, GuardrailConfig } from '../domain/guardrails';
import type { ApprovalRecord, RunbookRunRecord, StepRecord } from '../domain/runbook';
import type { Severity } from '../domain/severity';
import {
  approvalUpdate,
  FailureType,
  manualStepUpdate,
  type MetricsSinks,
  runbookProgressSignal,
  runbookQuery,
} from './definitions';
import { RUNBOOKS } from './runbook-registry';
import { RunbookContext, RunbookEscalation, StepSpec } from './runbook-sdk';
import { parseDuration } from '../domain/escalation';

export interface RunbookRunInput {
  incidentId: string;
  runId: string;
  name: string;
  params: Record<string, string>;
  startedBy: string;
  severity: Severity;
  dryRun?: boolean;
  alertsFiring?: number;
  /** The service whose guardrails (rate limits, breaker, pause) govern this run. */
  service?: string;
  /** Every mutating step waits for one approval whatever the policy, with this reason (offered by escalation). */
  approvalRequired?: string;
}

// Reads retry freely; mutating actions are idempotent (keyed) but still capped, never unbounded.
const retry: wf.ActivityOptions['retry'] = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  maximumAttempts: 5,
};
// Long waits (rollouts) heartbeat; a call silent for 30 s is considered lost and retried.
const k8s = wf.proxyActivities<KubernetesActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '30 seconds',
  retry,
});
const pg = wf.proxyActivities<PostgresActivities>({ startToCloseTimeout: '30 seconds', retry });
const http = wf.proxyActivities<HttpActivities>({ startToCloseTimeout: '30 seconds', retry });
const guard = wf.proxyActivities<GuardActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});

const { metrics } = wf.proxySinks<MetricsSinks>();
const config = wf.proxyActivities<Pick<Activities, 'guardrailConfig'>>({
  startToCloseTimeout: '10 seconds',
  retry,
});

/**
 * One run of one runbook for one incident, as a child workflow of the incident. It keeps
 * the run's record (steps, approvals) and sends it to the incident after every change.
 */
export async function runbookRun(input: RunbookRunInput): Promise<RunbookRunRecord> {
  const def = RUNBOOKS[input.name];
  const now = () => new Date().toISOString();
  const record: RunbookRunRecord = {
    run_id: input.runId,
    name: input.name,
    started_by: input.startedBy,
    status: 'running',
    params: input.params,
    steps: [],
    approvals: [],
    started_at: now(),
  };
  const manualDone = new Set<string>();
  const incident = wf.getExternalWorkflowHandle(input.incidentId);
  const report = async () => {
    // The incident may have continued as new; the external handle follows the latest run.
    await incident.signal(runbookProgressSignal, record).catch(() => undefined);
  };
  const refuse = (message: string) =>
    wf.ApplicationFailure.create({ type: FailureType.conflict, message, nonRetryable: true });

  wf.setHandler(runbookQuery, () => record);
  wf.setHandler(
    approvalUpdate,
    ({ approvalId, approve, actor, comment }) => {
      const a = record.approvals.find((x) => x.id === approvalId)!;
      if (!approve) {
        a.status = 'rejected';
        a.decided_by = actor;
        a.decided_at = now();
        a.comment = comment;
      } else {
        a.approved_by.push(actor);
        a.comment = comment ?? a.comment;
        if (a.approved_by.length >= a.approvals_needed) {
          a.status = 'approved';
          a.decided_by = a.approved_by.join(', ');
          a.decided_at = now();
        }
      }
      return a;
    },
    {
      validator: ({ approvalId, actor }) => {
        const a = record.approvals.find((x) => x.id === approvalId);
        if (!a)
          throw wf.ApplicationFailure.create({
            type: FailureType.notFound,
            message: `approval ${approvalId} not found`,
            nonRetryable: true,
          });
        if (a.status !== 'pending') throw refuse(`approval ${approvalId} is already ${a.status}`);
        if (actor === a.requested_by)
          throw wf.ApplicationFailure.create({
            type: FailureType.forbidden,
            message: 'you cannot approve your own request',
            nonRetryable: true,
          });
        if (a.approved_by.includes(actor)) {
          throw wf.ApplicationFailure.create({
            type: FailureType.forbidden,
            message: `${actor} has already approved; this step needs a second, different approver`,
            nonRetryable: true,
          });
        }
      },
    },
  );
  wf.setHandler(
    manualStepUpdate,
    ({ stepId, actor, note }) => {
      manualDone.add(stepId);
      const s = record.steps.find((x) => x.id === stepId)!;
      s.result = `done by ${actor}${note ? `: ${note}` : ''}`;
      return s;
    },
    {
      validator: ({ stepId }) => {
        const s = record.steps.find((x) => x.id === stepId);
        if (!s || s.impact !== 'manual')
          throw wf.ApplicationFailure.create({
            type: FailureType.notFound,
            message: `manual step ${stepId} not found`,
            nonRetryable: true,
          });
        if (s.status !== 'waiting') throw refuse(`step ${stepId} is ${s.status}, not waiting`);
      },
    },
  );

  const begin = (
    spec: { id: string; title: string; eta?: string },
    impact: StepRecord['impact'],
  ): StepRecord => {
    const s: StepRecord = { id: spec.id, title: spec.title, impact, status: 'running', started_at: now() };
    const eta = parseDuration(spec.eta);
    if (eta !== undefined) s.due_at = new Date(Date.now() + eta * 1000).toISOString();
    record.steps.push(s);
    return s;
  };
  const finish = (
    s: StepRecord,
    status: StepRecord['status'],
    detail: { result?: string; error?: string },
  ) => {
    metrics.stepFinished(input.name, status);
    s.status = status;
    s.finished_at = now();
    s.duration_ms = Date.parse(s.finished_at) - Date.parse(s.started_at);
    Object.assign(s, detail);
  };

  /**
   * The policy envelope: auto, forbidden, or pause for the approvals it demands (`force`:
   * one approval whatever the policy, e.g. with the breaker open). Undecided approvals
   * escalate at their deadline and are rejected at 4× it, never approved by default.
   * Returns a refusal, or undefined when the step may run.
   */
  async function gate(spec: StepSpec, s: StepRecord, force?: string): Promise<string | undefined> {
    const d = force
      ? { decision: 'approval' as const, approvals: 1, reason: force }
      : decide(guardrails, { impact: spec.impact, severity: input.severity, service, now: new Date() });
    if (d.decision === 'forbidden') return `forbidden by ${d.reason}`;
    if (d.decision === 'auto') return undefined;
    const timeoutMs = guardrails.approvalTimeoutSeconds[input.severity] * 1000;
    const approval: ApprovalRecord = {
      id: `${input.runId.split('-rb-')[1]}-${spec.id}${force ? '-override' : ''}`,
      step_id: spec.id,
      title: spec.title,
      impact: spec.impact,
      what: force ? `${spec.what} (${force})` : spec.what,
      // Whoever started the run asked for this step: they cannot approve it themselves.
      requested_by: input.startedBy,
      requested_at: now(),
      reason: d.reason,
      approvals_needed: d.approvals,
      approved_by: [],
      escalates_at: new Date(Date.now() + timeoutMs).toISOString(),
      expires_at: new Date(Date.now() + 4 * timeoutMs).toISOString(),
      status: 'pending',
    };
    record.approvals.push(approval);
    metrics.approval('requested');
    s.status = 'waiting';
    record.status = 'waiting';
    await report();
    const decided = () => approval.status !== 'pending';
    if (!wf.patched('approval-expiry'))
      await wf.condition(decided); // runs from before deadlines existed
    else if (!(await wf.condition(decided, timeoutMs))) {
      approval.escalated_at = now();
      await report();
      if (!(await wf.condition(decided, 3 * timeoutMs))) {
        approval.status = 'rejected';
        approval.decided_by = 'tourniquet';
        approval.decided_at = now();
        approval.comment = 'expired without a decision';
      }
    }
    metrics.approval(
      approval.status === 'approved'
        ? 'approved'
        : approval.comment === 'expired without a decision'
          ? 'expired'
          : 'rejected',
    );
    record.status = 'running';
    s.status = 'running';
    return approval.status === 'approved'
      ? undefined
      : `approval ${approval.comment === 'expired without a decision' ? 'expired' : 'rejected'}`;
  }

  const service = input.service || input.params.service || 'unknown';
  // One policy for the whole run, read once from the worker's config (recorded in history).
  const guardrails: GuardrailConfig = wf.patched('guardrail-config')
    ? await config.guardrailConfig()
    : DEFAULT_GUARDRAILS;
  const dryRun = !!input.dryRun || guardrails.dryRun;

  async function runAction<T>(s: StepRecord, action: () => Promise<T>): Promise<T> {
    try {
      const result = await action();
      finish(s, 'succeeded', { result: summarise(result) });
      await report();
      return result;
    } catch (err) {
      finish(s, 'failed', { error: errorMessage(err) });
      await report();
      throw err;
    }
  }

  async function skipAndEscalate(s: StepRecord, result: string, reason: string): Promise<never> {
    finish(s, 'skipped', { result });
    await report();
    throw new RunbookEscalation(reason);
  }

  /**
   * Shared limits across incidents: a paused service waits (durably) until resumed; a rate
   * limit refuses the step; an open circuit breaker hands the decision to a human.
   * Returns the refusal, or undefined when the step may run.
   */
  async function sharedLimits(spec: StepSpec, s: StepRecord): Promise<string | undefined> {
    const action = spec.action ?? spec.id;
    let waitingSaid = false;
    for (;;) {
      const d = await guard.guardAcquire({ service, action, incident: input.incidentId });
      if (d.decision === 'allowed') break;
      if (d.decision === 'rate_limited') return d.reason;
      if (d.decision === 'breaker_open') {
        const refusal = await gate(spec, s, d.reason);
        return refusal ? `${refusal} (${d.reason})` : undefined;
      }
      if (!waitingSaid) {
        s.status = 'waiting';
        s.result = d.reason;
        record.status = 'waiting';
        await report();
        waitingSaid = true;
      }
      await wf.sleep('3 seconds');
    }
    if (waitingSaid) {
      s.status = 'running';
      s.result = undefined;
      record.status = 'running';
      await report();
    }
    return undefined;
  }

  const ctx: RunbookContext = {
    incidentId: input.incidentId,
    params: input.params,
    dryRun,
    service,
    alertsFiring: input.alertsFiring ?? 0,
    param(name) {
      const v = input.params[name];
      if (!v)
        throw new RunbookEscalation(`missing parameter "${name}"; start the runbook with params.${name}`);
      return v;
    },
    key: (stepId) => `${input.runId}/${stepId}`,
    async step(spec, action) {
      const s = begin(spec, spec.impact);
      await report();
      if (spec.impact === 'read') return runAction(s, action);
      if (dryRun) {
        finish(s, 'skipped', { result: `dry-run: would ${spec.what}` });
        s.dry_run = true;
        await report();
        return undefined;
      }
      // An offered runbook asks a human for steps the policy would let run alone; it never lifts a stricter rule.
      const offered =
        input.approvalRequired &&
        decide(guardrails, { impact: spec.impact, severity: input.severity, service, now: new Date() })
          .decision === 'auto';
      const refusal = await gate(spec, s, offered ? input.approvalRequired : undefined);
      if (refusal) return skipAndEscalate(s, refusal, `step "${spec.title}": ${refusal}`);
      // Runs started before shared guardrails existed replay without them.
      if (!wf.patched('service-guardrails')) return runAction(s, action);
      if (!spec.compensation) {
        const limited = await sharedLimits(spec, s);
        if (limited) return skipAndEscalate(s, limited, limited);
      }
      const actionName = spec.action ?? spec.id;
      try {
        const result = await runAction(s, action);
        await guard.guardReport({ service, action: actionName, incident: input.incidentId, ok: true });
        return result;
      } catch (err) {
        await guard.guardReport({ service, action: actionName, incident: input.incidentId, ok: false });
        throw err;
      }
    },
    async manual({ id, title, instructions }) {
      const s = begin({ id, title }, 'manual');
      s.status = 'waiting';
      s.result = instructions;
      await report();
      await wf.condition(() => manualDone.has(id));
      finish(s, 'succeeded', { result: s.result });
      await report();
    },
    evidence(title, data) {
      const s = begin({ id: `evidence-${record.steps.length}`, title: `Evidence: ${title}` }, 'read');
      finish(s, 'succeeded', { result: JSON.stringify(data) });
    },
    health(service, health, note) {
      (record.health ??= []).push({ service, health, note, at: now() });
    },
    escalate(reason) {
      throw new RunbookEscalation(reason);
    },
    k8s,
    pg,
    http,
  };

  try {
    if (!def) throw new RunbookEscalation(`no runbook named ${input.name}`);
    record.outcome = await def.run(ctx);
    record.status = 'succeeded';
  } catch (err) {
    record.status = err instanceof RunbookEscalation ? 'escalated' : 'failed';
    record.outcome = `${record.status === 'escalated' ? 'Escalating' : 'Failed'}: ${errorMessage(err)}; page ${def?.meta.escalation ?? 'the incident commander'}`;
  }
  record.finished_at = now();
  await report();
  return record;
}

function errorMessage(err: unknown): string {
  if (err instanceof wf.ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

function summarise(result: unknown): string | undefined {
  if (result === undefined) return undefined;
  const text = typeof result === 'string' ? result : JSON.stringify(result);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
