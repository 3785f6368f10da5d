/**
 * The policy envelope: which steps automation may run alone. Pure, so the runbook workflow
 * evaluates it deterministically (with workflow time for freeze windows).
 */
import type { Impact } from './runbook';
import type { Severity } from './severity';
import type { ServiceEntry } from './services';

export interface PolicyRule {
  impact: Impact;
  severities?: Severity[];
  services?: string[];
  decision: 'auto' | 'approval' | 'forbidden';
  /** Distinct approvers needed when decision is approval (default 1). */
  approvals?: number;
}

export interface FreezeWindow {
  from: string;
  to: string;
  /** Services frozen; absent = every service. */
  services?: string[];
  reason?: string;
}

export interface GuardrailConfig {
  policy: PolicyRule[];
  freezes: FreezeWindow[];
  /** Seconds before an undecided approval escalates, per severity; it is rejected at 4× that. */
  approvalTimeoutSeconds: Record<Severity, number>;
  /** Every runbook runs in dry-run. */
  dryRun: boolean;
  /** Mutating actions the whole engine may take per window, across every service (absent = the default). */
  engineBudget?: EngineBudget;
}

export interface EngineBudget {
  count: number;
  windowMs: number;
}

/** A storm of incidents across many services still cannot change more than this many things at once. */
export const DEFAULT_ENGINE_BUDGET: EngineBudget = { count: 100, windowMs: 15 * 60_000 };

/** Safe defaults: read/low alone, high one approval, destructive two approvers on SEV1/SEV2. */
export const DEFAULT_POLICY: PolicyRule[] = [
  { impact: 'read', decision: 'auto' },
  { impact: 'low', decision: 'auto' },
  { impact: 'high', decision: 'approval', approvals: 1 },
  { impact: 'destructive', severities: ['SEV1', 'SEV2'], decision: 'approval', approvals: 2 },
  { impact: 'destructive', decision: 'approval', approvals: 1 },
];

export const DEFAULT_GUARDRAILS: GuardrailConfig = {
  policy: [],
  freezes: [],
  approvalTimeoutSeconds: { SEV1: 300, SEV2: 900, SEV3: 3600, SEV4: 14_400 },
  dryRun: false,
};

export interface Decision {
  decision: 'auto' | 'approval' | 'forbidden';
  approvals: number;
  reason: string;
}

/** Configured rules first (first match wins), then the defaults; a freeze turns `auto` into one approval. */
export function decide(
  cfg: GuardrailConfig,
  step: { impact: Impact; severity: Severity; service: string; now: Date },
): Decision {
  const matches = (r: PolicyRule) =>
    r.impact === step.impact &&
    (!r.severities || r.severities.includes(step.severity)) &&
    (!r.services || r.services.includes(step.service));
  const rule = cfg.policy.find(matches) ?? DEFAULT_POLICY.find(matches)!;
  const base: Decision = {
    decision: rule.decision,
    approvals: rule.decision === 'approval' ? (rule.approvals ?? 1) : 0,
    reason: `policy: ${step.impact} on ${step.severity} → ${rule.decision}`,
  };
  if (step.impact === 'read' || base.decision !== 'auto') return base;
  const t = step.now.getTime();
  const freeze = cfg.freezes.find(
    (f) =>
      Date.parse(f.from) <= t && t < Date.parse(f.to) && (!f.services || f.services.includes(step.service)),
  );
  if (freeze)
    return {
      decision: 'approval',
      approvals: 1,
      reason: `change freeze until ${freeze.to}${freeze.reason ? ` (${freeze.reason})` : ''}`,
    };
  return base;
}

/** What a run reads at its start: one policy for the whole run, and its service's catalogue entry. */
export interface RunConfig {
  guardrails: GuardrailConfig;
  entry: ServiceEntry | null;
}
