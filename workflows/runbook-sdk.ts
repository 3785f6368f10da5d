/**
 * The runbook authoring SDK. A runbook is one file in runbooks/ that default-exports
 * `defineRunbook({ meta, run })`. `run` is workflow code (deterministic, no Node I/O): it
 * acts only through `ctx.step(...)`, which records every step on the incident timeline and
 * passes every non-read step through the guardrails (approval by impact, dry-run).
 */
import type { HttpActivities } from '../activities/http';
import type { KubernetesActivities } from '../activities/kubernetes';
import type { PostgresActivities } from '../activities/postgres';
import type { Impact, RunbookMeta } from '../domain/runbook';
import type { Health } from '../domain/record';
import type { ServiceCaps } from '../domain/services';

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

export interface RunbookContext {
  incidentId: string;
  /** Its declared parameters: given by the person who started it or the service's catalogue defaults; targets resolved inside the catalogue entry. */
  params: Readonly<Record<string, string>>;
  dryRun: boolean;
  /** The affected service this run acts for (its guardrails apply), or "unknown". */
  service: string;
  /** The engine started this run for an alert (not a person). */
  startedByAlert: boolean;
  /** Alerts of the incident still firing when the runbook started (0 for a declared incident). */
  alertsFiring: number;
  /** A required parameter, or a clear failure naming it. */
  param(name: string): string;
  /** Key for idempotent actions: stable across retries of this step in this run. */
  key(stepId: string): string;
  /**
   * Runs an automated step. Non-read steps pass the guardrails first (they may wait for
   * approval); in dry-run they do not run and resolve to undefined.
   */
  step<T>(spec: StepSpec, action: () => Promise<T>): Promise<T | undefined>;
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
  pg: PostgresActivities;
  http: HttpActivities;
}

export interface RunbookDefinition {
  meta: RunbookMeta;
  /** Returns a one-line outcome for the timeline. */
  run(ctx: RunbookContext): Promise<string>;
}

export function defineRunbook(def: RunbookDefinition): RunbookDefinition {
  return def;
}

/** Thrown by ctx.escalate: the runbook stops and the incident pages the escalation target. */
export class RunbookEscalation extends Error {
  readonly name = 'RunbookEscalation';
}

/** The engine stops a waiting run: its incident was resolved or closed (not for runbook code to throw). */
export class RunbookCancelled extends Error {
  readonly name = 'RunbookCancelled';
}
