/**
 * Activities: all I/O lives here (Kubernetes, PostgreSQL, HTTP, notifications).
 * Built by a factory so tests pass real dependencies without module mocking.
 */
import type { Client } from '@temporalio/client';
import type { KubeConfig } from '@kubernetes/client-node';
import { createGuardActivities } from './guard';
import { createHttpActivities } from './http';
import { createKubernetesActivities } from './kubernetes';
import { createPostgresActivities } from './postgres';
import type { Logger } from 'pino';
import { IncidentNumbers } from './incident-sequence';
import { DEFAULT_GUARDRAILS, GuardrailConfig } from '../domain/guardrails';

export interface ActivityDeps {
  logger: Logger;
  /** For activities that talk to Temporal itself (allocating incident ids). */
  client: Client;
  taskQueue: string;
  /** The cluster runbooks act on; absent = Kubernetes steps stop with a clear message. */
  kubeconfig?: KubeConfig;
  /** PostgreSQL connection URL per service. */
  postgres?: Record<string, string>;
  /** The policy envelope, from config; absent = the safe defaults. */
  guardrails?: GuardrailConfig;
}

export function createActivities(deps: ActivityDeps) {
  const numbers = new IncidentNumbers(deps.client, deps.taskQueue);
  return {
    ...createKubernetesActivities({ kubeconfig: deps.kubeconfig }),
    ...createPostgresActivities({ urls: deps.postgres ?? {} }),
    ...createHttpActivities(),
    ...createGuardActivities(deps),
    /** Read once at the start of each runbook run, so the run keeps one policy throughout. */
    guardrailConfig: async (): Promise<GuardrailConfig> => deps.guardrails ?? DEFAULT_GUARDRAILS,
    /** Used by alert groups to open an incident with a fresh INC- id. */
    allocateIncidentNumber: () => numbers.next(),
  };
}
export type Activities = ReturnType<typeof createActivities>;
