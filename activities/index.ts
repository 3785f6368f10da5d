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
import { createPostgresQueryActivities } from './postgres-queries';
import { createPostgresReplicationActivities } from './postgres-replication';
import { createPrometheusActivities } from './prometheus';
import { createKafkaActivities } from './kafka';
import type { Logger } from 'pino';
import { IncidentNumbers } from '../common/incident-numbers';
import { DEFAULT_GUARDRAILS, GuardrailConfig } from '../domain/guardrails';
import { DEFAULT_ESCALATION, EscalationConfig } from '../domain/escalation';
import { createNotifyActivities, NotifierConfig } from './notify';
import { createPageLoadActivities } from './page-load';
import { createSlackActivities } from './slack';
import type { SlackConfig } from '../config/schema';
import { createEngineHealthActivities } from './engine-health';
import { TargetScope } from './scope';
import type { ServiceCatalogue, ServiceEntry } from '../domain/services';
import type { RunConfig } from '../domain/guardrails';

export interface ActivityDeps {
  logger: Logger;
  /** For activities that talk to Temporal itself (allocating incident ids). */
  client: Client;
  taskQueue: string;
  /** The cluster runbooks act on; absent = Kubernetes steps stop with a clear message. */
  kubeconfig?: KubeConfig;
  /** The service catalogue: what runbooks may touch, per service (absent = nothing). */
  services?: ServiceCatalogue;
  /** The policy envelope, from config; absent = the safe defaults. */
  guardrails?: GuardrailConfig;
  /** Severity policy, schedules and escalation policies; absent = the seeds' defaults, pages to the log. */
  escalation?: EscalationConfig;
  /** Notifier endpoints and secrets (never written to workflow history). */
  notifiers?: NotifierConfig[];
  /** Identities holding the approver role (from the tokens): only they get approval links in pages. */
  approvers?: readonly string[];
  /** Signs approve/reject links in pages. */
  linkSecret?: string;
  /** Slack's Web API (incident channels); absent = no channels. */
  slack?: SlackConfig;
}

export function createActivities(deps: ActivityDeps) {
  // Alert groups take spare numbers: most new incidents in a storm need no Update on the sequence.
  const numbers = new IncidentNumbers(deps.client, deps.taskQueue, 10);
  const escalation = deps.escalation ?? DEFAULT_ESCALATION;
  const scope = new TargetScope(deps.services?.entries ?? []);
  const serviceEntry = (service: string) => scope.entry(service) ?? null;
  const guardrails = () => deps.guardrails ?? DEFAULT_GUARDRAILS;
  const notify = createNotifyActivities({
    logger: deps.logger,
    notifiers: deps.notifiers ?? [{ name: 'log', type: 'log' }],
    linkSecret: deps.linkSecret,
    ...(deps.approvers ? { approvers: new Set(deps.approvers) } : {}),
  });
  return {
    ...createKubernetesActivities({ kubeconfig: deps.kubeconfig, scope }),
    ...createPostgresActivities({ urls: deps.services?.postgres ?? {}, scope }),
    ...createPostgresQueryActivities({ urls: deps.services?.postgres ?? {}, scope }),
    ...createPostgresReplicationActivities({ urls: deps.services?.postgres ?? {}, scope }),
    ...createHttpActivities({ scope }),
    ...createPrometheusActivities({ scope }),
    ...createKafkaActivities({ scope }),
    /** Read once at the start of each runbook run: the service's targets, caps and runbooks (no secrets). */
    serviceEntry: async (service: string): Promise<ServiceEntry | null> => serviceEntry(service),
    ...createGuardActivities(deps),
    /** Read once at the start of each runbook run, so the run keeps one policy throughout. */
    guardrailConfig: async (): Promise<GuardrailConfig> => guardrails(),
    ...notify,
    ...createPageLoadActivities(deps),
    ...createSlackActivities(deps.slack),
    ...createEngineHealthActivities({ ...deps, escalation, deliver: (a) => notify.deliverNotification(a) }),
    /** Read once per incident run, so a run keeps one escalation plan. */
    escalationConfig: async (): Promise<EscalationConfig> => escalation,
    /** Used by alert groups to open an incident with a fresh INC- id. */
    allocateIncidentNumber: () => numbers.next(),
    /**
     * Used by alert groups (third generation) to open an incident: a fresh INC- number and,
     * when the group starts a runbook with it, what that run reads at its start — one local
     * activity in the group's task instead of two more in the run's.
     */
    incidentOpening: async (runService?: string): Promise<IncidentOpening> => ({
      number: await numbers.next(),
      ...(runService === undefined
        ? {}
        : { run: { guardrails: guardrails(), entry: serviceEntry(runService) } }),
    }),
  };
}
export type Activities = ReturnType<typeof createActivities>;

/** A new incident's number, and the config of the run its alert group starts with it. */
export interface IncidentOpening {
  number: number;
  run?: RunConfig;
}
