/**
 * Activities: all I/O lives here (Kubernetes, PostgreSQL, HTTP, notifications).
 * Built by a factory so tests pass real dependencies without module mocking.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { allocateIncidentNumber } from './incident-sequence';

export interface ActivityDeps {
  logger: Logger;
  /** For activities that talk to Temporal itself (allocating incident ids). */
  client: Client;
  taskQueue: string;
}

export function createActivities(deps: ActivityDeps) {
  return {
    /** Used by alert groups to open an incident with a fresh INC- id. */
    allocateIncidentNumber: () => allocateIncidentNumber(deps.client, deps.taskQueue),
  };
}
export type Activities = ReturnType<typeof createActivities>;
