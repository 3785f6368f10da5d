/**
 * Runbook metadata and step records: pure types shared by workflows, API and worker.
 * Metadata follows the seeds' "actionable runbook": owner, triggers, escalation, ETA, version.
 */
import type { TargetKind } from './services';
import { own } from './own';
import type { Severity } from './severity';
import type { Health } from './record';

/** What a step can do to the world; guardrails decide per impact whether it may run alone. */
export const IMPACTS = ['read', 'low', 'high', 'destructive'] as const;
export type Impact = (typeof IMPACTS)[number];

/** Selects a runbook automatically; every given condition must hold. More conditions = more specific. */
export interface RunbookTrigger {
  /** Alert labels that must all be equal (e.g. alertname). */
  labels?: Record<string, string>;
  /** One of these services must be affected. */
  services?: string[];
  severities?: Severity[];
}

export interface RunbookMeta {
  name: string;
  owner: string;
  description: string;
  version: string;
  triggers: RunbookTrigger[];
  /** Who to page when the runbook cannot fix the problem. */
  escalation: string;
  /** Expected time to mitigate, e.g. "10m". */
  eta: string;
  /** Parameters the runbook reads, with what each means (shown in the catalogue). */
  params: Record<string, string>;
  /** Parameters that name something to act on: each must resolve inside the service's catalogue entry. */
  targets?: Record<string, TargetKind>;
  /**
   * The more aggressive mitigation to offer (as a pending approval) when this runbook has not
   * mitigated by the mitigate milestone, e.g. failover instead of restart. Param values may
   * name this run's params in braces: "{deployment}-standby".
   */
  stronger?: { runbook: string; params?: Record<string, string> };
}

export interface StepRecord {
  id: string;
  title: string;
  impact: Impact | 'manual';
  status: 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped';
  started_at: string;
  /** The step's ETA: running past it pages the runbook's escalation target. */
  due_at?: string;
  finished_at?: string;
  duration_ms?: number;
  result?: string;
  error?: string;
  dry_run?: boolean;
  /** A failed step waits for a human: retry it, skip it (with a reason) or cancel the run. */
  decision?: 'pending';
  /** How many times it ran (more than 1 after a retry). */
  attempts?: number;
}

/** What a human decided for a run: retry or skip its failed step, or cancel it. */
export const RUN_DECISIONS = ['retry', 'skip', 'cancel'] as const;
export type RunDecisionAction = (typeof RUN_DECISIONS)[number];

export interface RunDecision {
  action: RunDecisionAction;
  step_id?: string;
  actor: string;
  reason?: string;
  at: string;
}

/** The newest decisions a run keeps (a human may retry a flaky step many times); older ones are counted. */
export const MAX_RUN_DECISIONS = 50;

export interface ApprovalRecord {
  id: string;
  step_id: string;
  title: string;
  impact: Impact;
  what: string;
  requested_by: string;
  requested_at: string;
  /** Why approval is needed (policy rule, freeze window, open breaker). */
  reason: string;
  approvals_needed: number;
  approved_by: string[];
  /** When it escalates if undecided, and when it is rejected by default (never auto-approved). */
  escalates_at: string;
  expires_at: string;
  escalated_at?: string;
  status: 'pending' | 'approved' | 'rejected';
  decided_by?: string;
  decided_at?: string;
  comment?: string;
}

export interface RunEvidence {
  title: string;
  /** The data as JSON. */
  text: string;
  at: string;
}

export interface RunbookRunRecord {
  run_id: string;
  name: string;
  started_by: string;
  /** cancelled: the incident was resolved or closed while the run waited for a human. */
  status: 'running' | 'waiting' | 'succeeded' | 'failed' | 'escalated' | 'cancelled';
  params: Record<string, string>;
  steps: StepRecord[];
  approvals: ApprovalRecord[];
  started_at: string;
  finished_at?: string;
  outcome?: string;
  /** Service health the runbook reported (ctx.health), in order. */
  health?: { service: string; health: Health; note?: string; at: string }[];
  /** Diagnostics the run attached (`ctx.evidence`); the incident lists them under its evidence. */
  evidence?: RunEvidence[];
  /** Retries, skips and cancels, newest MAX_RUN_DECISIONS; `decisions_omitted` counts older ones. */
  decisions?: RunDecision[];
  decisions_omitted?: number;
}

/** How many conditions a trigger sets: the most specific matching trigger wins. */
export function triggerSpecificity(t: RunbookTrigger): number {
  return Object.keys(t.labels ?? {}).length + (t.services?.length ? 1 : 0) + (t.severities?.length ? 1 : 0);
}

export function triggerMatches(
  t: RunbookTrigger,
  on: { labels: Record<string, string>; services: string[]; severity: Severity },
): boolean {
  if (t.labels && !Object.entries(t.labels).every(([k, v]) => own(on.labels, k) === v)) return false;
  if (t.services?.length && !t.services.some((s) => on.services.includes(s))) return false;
  if (t.severities?.length && !t.severities.includes(on.severity)) return false;
  return triggerSpecificity(t) > 0;
}

/** The best runbook for an incident: the one whose most specific matching trigger is most specific. */
export function pickRunbook(
  metas: RunbookMeta[],
  on: { labels: Record<string, string>; services: string[]; severity: Severity },
): RunbookMeta | undefined {
  let best: { meta: RunbookMeta; score: number } | undefined;
  for (const meta of metas) {
    for (const t of meta.triggers) {
      if (!triggerMatches(t, on)) continue;
      const score = triggerSpecificity(t);
      if (!best || score > best.score) best = { meta, score };
    }
  }
  return best?.meta;
}
