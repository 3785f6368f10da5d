/**
 * Severity on both scales the seeds use: SEV1..SEV4 and critical/high/medium/low.
 * The canonical form stored in workflows and search attributes is SEV1..SEV4.
 * Pure code: imported by workflows and the API alike.
 */
export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_LABELS = {
  SEV1: 'critical',
  SEV2: 'high',
  SEV3: 'medium',
  SEV4: 'low',
} as const satisfies Record<Severity, string>;
export type SeverityLabel = (typeof SEVERITY_LABELS)[Severity];

const FROM_LABEL = new Map<string, Severity>(
  Object.entries(SEVERITY_LABELS).map(([sev, label]) => [label, sev as Severity]),
);

/** Accepts `SEV1`/`sev1`/`critical`/…; returns undefined for anything else. */
export function parseSeverity(input: string): Severity | undefined {
  const upper = input.trim().toUpperCase();
  if ((SEVERITIES as readonly string[]).includes(upper)) return upper as Severity;
  return FROM_LABEL.get(input.trim().toLowerCase());
}

/** 1 for SEV1 (most severe) … 4 for SEV4. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity) + 1;
}
