/**
 * The runbook authoring SDK, imported as `tourniquet/runbook` (the only import a runbook
 * needs). A runbook is one file that default-exports `defineRunbook({ meta, run })`. `run`
 * is workflow code (deterministic, no Node I/O): it acts only through `ctx.step(...)`, which
 * records every step on the incident timeline and passes every non-read step through the
 * guardrails (approval by impact, dry-run). A run stays on the code it started with (Worker
 * Versioning pins it), so editing a runbook never breaks a run in flight.
 */
import { z } from 'zod';
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from '../domain/duration';
import type { HttpActivities } from '../activities/http';
import type { PrometheusActivities } from '../activities/prometheus';
import type { KafkaActivities } from '../activities/kafka';
import type { KubernetesActivities } from '../activities/kubernetes';
import type { DatabaseActivities } from '../activities/database';
import type { Impact, RunbookMeta } from '../domain/runbook';
import type { Health } from '../domain/record';
import type { ServiceCaps } from '../domain/services';

export { z };
export { parseDuration };

/**
 * A parameter in the engine's duration syntax ("90s", "15m", "1h", "2d"). A fresh RegExp per
 * schema: this module is shared and frozen, and zod resets a pattern's lastIndex as it parses.
 */
export const durationParam = () => z.string().regex(new RegExp(DURATION_PATTERN.source), DURATION_HINT);
// Runs are pinned to their code, so a runbook needs no patches; the built-ins keep the ones
// they had before pinning for the runs recorded then (test/histories).
export { patched } from '@temporalio/workflow';
export { PATCH } from './patches';

/** A runbook's parameters: a zod object over string values (`z.coerce.number()`, `z.stringbool()`), each `.describe()`d. */
export type ParamsSchema = z.ZodObject;

export interface StepSpec {
  /** Unique within the runbook; part of the idempotency key (incident id + run + step id). */
  id: string;
  title: string;
  impact: Impact;
  /** What will happen, in words a human approving it understands. */
  what: string;
  /** Rate-limit class shared across incidents (rollback, restart, failover, scale, …); default: the step id. */
  action?: string;
  /** Restores a known-good state after a failed verification: never held back by rate limits or the breaker. */
  compensation?: boolean;
  /** Expected duration ("90s", "5m"): running past it pages the runbook's escalation target. */
  eta?: string;
}

/** A step that only reads: it always runs, also in dry-run. */
export type ReadStep = StepSpec & { impact: 'read' };

export interface RunbookContext<P = Record<string, unknown>> {
  incidentId: string;
  /** Its declared parameters, parsed by `meta.params`: given by the person who started it or the service's catalogue defaults; targets resolved inside the catalogue entry. */
  params: Readonly<P>;
  dryRun: boolean;
  /** The affected service this run acts for (its guardrails apply), or "unknown". */
  service: string;
  /** The engine started this run for an alert (not a person). */
  startedByAlert: boolean;
  /** Alerts of the incident still firing when the runbook started (0 for a declared incident). */
  alertsFiring: number;
  /** Key for idempotent actions: stable across retries of this step in this run. */
  key(stepId: string): string;
  /**
   * Runs an automated step. A read always runs and resolves to its result. Non-read steps
   * pass the guardrails first (they may wait for approval); in dry-run they do not run and
   * resolve to undefined. `check` judges the result (a verification): a problem it returns
   * fails the step. A failed step waits for a human to retry it, skip it or cancel the run;
   * a skipped step resolves to undefined.
   */
  step<T>(spec: ReadStep, action: () => Promise<T>, check?: (result: T) => string | undefined): Promise<T>;
  step<T>(
    spec: StepSpec,
    action: () => Promise<T>,
    check?: (result: T) => string | undefined,
  ): Promise<T | undefined>;
  /** A checklist item a human performs and marks done over the API; resolves when done. */
  manual(spec: { id: string; title: string; instructions: string }): Promise<void>;
  /** Attaches diagnostics to the incident (listed under its evidence). */
  evidence(title: string, data: unknown): void;
  /** Reports a service's health on the incident (e.g. "recovering" after a fix). */
  health(service: string, health: Health, note?: string): void;
  /** Ends the runbook: it could not fix the problem, page its escalation target. */
  escalate(reason: string): never;
  /** The service's caps (from its catalogue entry): never from parameters. */
  caps: ServiceCaps;
  k8s: KubernetesActivities;
  pg: DatabaseActivities;
  http: HttpActivities;
  /** PromQL against the service's catalogued Prometheus. */
  prom: PrometheusActivities;
  /** Consumer groups on the service's catalogued Kafka. */
  kafka: KafkaActivities;
}

/** What an author writes: the catalogue's metadata with its parameters as a zod object. */
export type AuthoredMeta<S extends ParamsSchema> = Omit<RunbookMeta, 'params'> & { params: S };

/** A runbook as the engine holds it: catalogue metadata (parameters by description) and the schema. */
export interface RunbookDefinition {
  meta: RunbookMeta;
  params: ParamsSchema;
  /** Returns a one-line outcome for the timeline. */
  run(ctx: RunbookContext): Promise<string>;
}

export function defineRunbook<S extends ParamsSchema>(def: {
  meta: AuthoredMeta<S>;
  run(ctx: RunbookContext<z.output<S>>): Promise<string>;
}): RunbookDefinition {
  const params = def.meta.params;
  const shape = params.shape as Record<string, z.ZodType>;
  const described = Object.fromEntries(
    Object.entries(shape).map(([name, schema]) => [name, schema.description ?? '']),
  );
  return {
    meta: { ...def.meta, params: described },
    params,
    // The engine passes what `params` parsed: the context's type is the author's.
    run: (ctx) => def.run(ctx as RunbookContext<z.output<S>>),
  };
}

/** The runbook's parameters parsed from `given`, or why they do not fit (naming the first bad one). */
export function parseParams(
  schema: ParamsSchema,
  given: Record<string, string>,
): { params: Record<string, unknown> } | { problem: string } {
  const parsed = schema.safeParse(given);
  if (parsed.success) return { params: parsed.data };
  const issue = parsed.error.issues[0];
  return { problem: `parameter "${issue.path.join('.')}": ${issue.message}` };
}

/** Thrown by ctx.escalate: the runbook stops and the incident pages the escalation target. */
export class RunbookEscalation extends Error {
  readonly name = 'RunbookEscalation';
}

/** The engine stops a waiting run: its incident was resolved or closed (not for runbook code to throw). */
export class RunbookCancelled extends Error {
  readonly name = 'RunbookCancelled';
}
