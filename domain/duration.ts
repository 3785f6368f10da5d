/**
 * The one duration syntax, shared by the config file, runbook ETAs and the runbook
 * catalogue: a whole number and a unit, "90s", "10m", "1h", "2d".
 */
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
export const DURATION_PATTERN = /^(\d+)(s|m|h|d)$/;
export const DURATION_HINT = 'a duration like "90s", "10m", "1h" or "2d"';

/** Seconds, or undefined for anything that is not a duration (absent included). */
export function parseDuration(s: string | undefined): number | undefined {
  const m = DURATION_PATTERN.exec(s ?? '');
  return m ? Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS] : undefined;
}
