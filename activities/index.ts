/**
 * Activities: all I/O lives here (Kubernetes, PostgreSQL, HTTP, notifications).
 * Built by a factory so tests pass real dependencies without module mocking.
 * The runbook, guardrail and escalation features add their activities to this record.
 */
import type { Logger } from 'pino';

export interface ActivityDeps {
  logger: Logger;
}

export function createActivities(_deps: ActivityDeps) {
  return {};
}
export type Activities = ReturnType<typeof createActivities>;
