/**
 * What a runbook's code calls (`RunbookContext`): steps that pass the policy and the shared
 * limits before they act, manual checklist items, evidence and health for the incident.
 */
import { own } from '../../domain/own';
import * as wf from '@temporalio/workflow';
import { nowIso } from '../../domain/clock';
import type { GuardrailConfig } from '../../domain/guardrails';
import { DEFAULT_CAPS, type ServiceCaps } from '../../domain/services';
import type { StepRecord } from '../../domain/runbook';
import { manualStepUpdate } from '../definitions';
import { conflict, errorMessage, notFound } from '../failures';
import { PATCH } from '../patches';
import { RunbookCancelled, type RunbookContext, RunbookEscalation, type StepSpec } from '../runbook-sdk';
import { Gate } from './approval';
import type { RunbookRunInput } from './input';
import { SharedLimits } from './limits';
import { ENGINE_ACTOR } from './scope';
import type { RunRecord } from './record';
import { type RequestKeys, setKeyedUpdate } from '../request-keys';
import { awaitDecision } from './resume';
import { http, k8s, kafka, pg, prom } from './target-activities';

/** A human marks a manual step done over the API. */
export function registerManualStepHandler(r: RunRecord, done: Set<string>, keys: RequestKeys): void {
  setKeyedUpdate(
    keys,
    manualStepUpdate,
    ({ stepId, actor, note }) => {
      done.add(stepId);
      const s = r.run.steps.find((x) => x.id === stepId)!;
      s.result = `done by ${actor}${note ? `: ${note}` : ''}`;
      return s;
    },
    {
      validator: ({ stepId }) => {
        const s = r.run.steps.find((x) => x.id === stepId);
        if (!s || s.impact !== 'manual') throw notFound(`manual step ${stepId} not found`);
        if (s.status !== 'waiting') throw conflict(`step ${stepId} is ${s.status}, not waiting`);
      },
    },
  );
}

export function runbookContext(
  input: RunbookRunInput,
  params: Record<string, unknown>,
  r: RunRecord,
  guardrails: GuardrailConfig,
  manualDone: Set<string>,
  caps: ServiceCaps = DEFAULT_CAPS,
): RunbookContext {
  const service = input.service || own(input.params, 'service') || 'unknown';
  const dryRun = !!input.dryRun || guardrails.dryRun;
  const steps = new Steps(input, r, new Gate(input, r, guardrails, service), service);
  return {
    incidentId: input.incidentId,
    params,
    dryRun,
    service,
    alertsFiring: input.alertsFiring ?? 0,
    startedByAlert: input.startedBy === ENGINE_ACTOR,
    key: (stepId) => `${input.runId}/${stepId}`,
    step: <T>(spec: StepSpec, action: () => Promise<T>, check?: Check<T>) =>
      steps.step(spec, action, dryRun, check) as Promise<T>,
    async manual({ id, title, instructions }) {
      const s = r.begin({ id, title }, 'manual');
      s.status = 'waiting';
      s.result = instructions;
      await r.report();
      await wf.condition(() => manualDone.has(id) || r.withdrawn !== undefined);
      if (!manualDone.has(id)) {
        r.finish(s, 'skipped', { result: `not done: ${r.withdrawn}` });
        await r.report();
        throw new RunbookCancelled(r.withdrawn);
      }
      r.finish(s, 'succeeded', { result: s.result });
      await r.report();
    },
    evidence(title, data) {
      (r.run.evidence ??= []).push({ title, text: JSON.stringify(data), at: nowIso() });
    },
    health(service, health, note) {
      (r.run.health ??= []).push({ service, health, note, at: nowIso() });
    },
    escalate(reason) {
      throw new RunbookEscalation(reason);
    },
    caps,
    // Every target call says which service it acts for: the activity checks the target is that service's.
    k8s: scoped(k8s, service),
    pg: scoped(pg, service),
    http: scoped(http, service),
    prom: scoped(prom, service),
    kafka: scoped(kafka, service),
  };
}

/** The activities with `scope: service` added to each call's argument. */
function scoped<T extends object>(activities: T, service: string): T {
  return new Proxy(activities, {
    get: (target, name) => {
      const fn = (target as Record<string | symbol, (arg: object) => Promise<unknown>>)[name];
      return (arg: object) => fn({ ...arg, scope: service });
    },
  });
}

type Check<T> = (result: T) => string | undefined;

/** A step's check found a problem in its result (the step failed, its action did not). */
class StepCheckFailed extends Error {
  readonly name = 'StepCheckFailed';
}

class Steps {
  private readonly limits: SharedLimits;

  constructor(
    private readonly input: RunbookRunInput,
    private readonly r: RunRecord,
    private readonly gate: Gate,
    service: string,
  ) {
    this.limits = new SharedLimits(r, gate, service, input.incidentId);
  }

  /** A read runs; in dry-run a mutating step is skipped; otherwise policy, then shared limits, then the action. */
  async step<T>(
    spec: StepSpec,
    action: () => Promise<T>,
    dryRun: boolean,
    check?: Check<T>,
  ): Promise<T | undefined> {
    // A cancelled run (or one whose incident closed) starts no further step.
    if (this.r.resumable && this.r.withdrawn) throw new RunbookCancelled(this.r.withdrawn);
    const s = this.r.begin(spec, spec.impact);
    await this.r.report();
    if (spec.impact === 'read') return this.resumable(s, () => this.run(s, action, check));
    if (dryRun) {
      this.r.finish(s, 'skipped', { result: `dry-run: would ${spec.what}` });
      s.dry_run = true;
      await this.r.report();
      return undefined;
    }
    // An offered runbook asks a human for steps the policy would let run alone; it never lifts a stricter rule.
    const offered = this.input.approvalRequired && this.gate.decide(spec).decision === 'auto';
    const refusal = await this.gate.check(spec, s, offered ? this.input.approvalRequired : undefined);
    if (refusal) return this.skipAndEscalate(s, refusal, `step "${spec.title}": ${refusal}`);
    // Runs started before shared guardrails existed replay without them.
    if (!this.r.current && !wf.patched(PATCH.serviceGuardrails)) return this.run(s, action, check);
    // Approved once; each attempt (a retry too) takes a slot within the service's limits.
    return this.resumable(s, async () => {
      if (!spec.compensation) {
        const limited = await this.limits.acquire(spec, s);
        if (limited) return this.skipAndEscalate(s, limited, limited);
      }
      try {
        const result = await this.run(s, action, check);
        await this.limits.report(spec, true);
        return result;
      } catch (err) {
        await this.limits.report(spec, false);
        throw err;
      }
    });
  }

  /** The action, then its check: the step succeeds or fails. */
  private async run<T>(s: StepRecord, action: () => Promise<T>, check?: Check<T>): Promise<T> {
    try {
      const result = await action();
      const problem = check?.(result);
      if (problem) throw new StepCheckFailed(problem);
      this.r.finish(s, 'succeeded', { result: summarise(result) });
      await this.r.report();
      return result;
    } catch (err) {
      this.r.finish(s, 'failed', { error: errorMessage(err) });
      if (!this.r.resumable) await this.r.report(); // a resumable run reports with its decision pending
      throw err;
    }
  }

  /** A failed attempt of a resumable run waits for a human: retry (attempt again), skip, or cancel. */
  private async resumable<T>(s: StepRecord, attempt: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await attempt();
      } catch (err) {
        if (!this.r.resumable || s.status !== 'failed') throw err;
        const decision = await awaitDecision(this.r, s);
        // Cancelled by a person: the run says so; its incident resolved: it stays failed.
        if (!decision)
          throw this.r.run.decisions?.at(-1)?.action === 'cancel'
            ? new RunbookCancelled(this.r.withdrawn)
            : err;
        if (decision.action === 'skip') {
          delete s.error;
          this.r.finish(s, 'skipped', { result: `skipped by ${decision.actor}: ${decision.reason}` });
          await this.r.report();
          return undefined as T; // the runbook goes on without the step's result
        }
        this.retry(s);
        await this.r.report();
      }
    }
  }

  /** The same step runs again: same id, same idempotency key, one more attempt. */
  private retry(s: StepRecord): void {
    s.attempts = (s.attempts ?? 1) + 1;
    s.status = 'running';
    s.started_at = nowIso();
    delete s.error;
    delete s.finished_at;
    delete s.duration_ms;
  }

  /** A step that may not run: the run escalates, or stops when its incident was resolved meanwhile. */
  private async skipAndEscalate(s: StepRecord, result: string, reason: string): Promise<never> {
    this.r.finish(s, 'skipped', { result });
    await this.r.report();
    throw this.r.withdrawn ? new RunbookCancelled(this.r.withdrawn) : new RunbookEscalation(reason);
  }
}

function summarise(result: unknown): string | undefined {
  if (result === undefined) return undefined;
  const text = typeof result === 'string' ? result : JSON.stringify(result);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
