import type { RunConfig } from '../../domain/guardrails';
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
  /**
   * Read for it by the alert group's local activity that numbered the incident (an opening
   * run): the run's first task then needs no local activity of its own. Runs are pinned to
   * the code they start on, so which path a run takes follows from its input alone.
   */
  config?: RunConfig;
  /** The generation of the code that started it (patches.ts GENERATION): which changes it runs with. */
  generation?: number;
}

/** The service whose catalogue entry and guardrails a run reads (its input's, or 'unknown'). */
export const configService = (service: string | undefined): string => service || 'unknown';
