import type { Severity } from '../../domain/severity';

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
