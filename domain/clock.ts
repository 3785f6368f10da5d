/**
 * The one clock helper. In workflow code `Date` is Temporal's deterministic workflow clock
 * (the time of the current workflow task), so these are replay-safe there too.
 */
export const nowIso = (): string => new Date().toISOString();
export const iso = (ms: number): string => new Date(ms).toISOString();
