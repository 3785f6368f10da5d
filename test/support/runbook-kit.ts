/**
 * The runbook test kit, `import { startKit } from 'tourniquet/testkit'`: the real engine (a
 * worker and the API on the run's Temporal server), the Kubernetes test plane and a catalogued
 * service of the test's own, so a runbook's test runs it exactly as an incident would —
 * through the guardrails, approvals and the timeline — and asserts on the steps and on the
 * objects it changed. Runs under `npm test` (built-ins) and `npm run runbook:test -- DIR`.
 */
import type { GuardrailConfig } from '../../domain/guardrails';
import type { StepRecord } from '../../domain/runbook';
import { eventually, startEngine, type TestEngine } from './engine';
import { declare, detail } from './incidents';
import { deployment, kube, type Kube } from './kube';
import { catalogueOf, ensureNamespace, testService, type TestService } from './services';

export interface KitOptions {
  /** Runbook directories beside the built-ins (an author's `runbooks/`). */
  runbookDirs?: string[];
  /** What the test service's runbooks may touch in its namespace. */
  deployments?: string[];
  services?: string[];
  /** The runbooks the service may run (the catalogue entry's): parameter defaults, `automatic`. */
  runbooks?: Record<string, { params?: Record<string, string>; automatic?: boolean }>;
  caps?: Record<string, number>;
  /** URLs its runbooks may check (the catalogue entry's health_checks). */
  health_checks?: string[];
  guardrails?: GuardrailConfig;
  /** Where the worker keeps each version's bundle (the upgrade test). */
  bundleDir?: string;
  /** A Temporal namespace of its own (one of TEST_NAMESPACES), else the Jest worker's. */
  namespace?: string;
}

/** A run as the incident shows it, with its incident. */
export interface KitRun {
  incidentId: string;
  run_id: string;
  name: string;
  status: string;
  outcome?: string;
  steps: StepRecord[];
  approvals: { id: string; step_id: string; status: string }[];
  params: Record<string, string>;
}

export interface RunbookKit {
  engine: TestEngine;
  k: Kube;
  service: TestService;
  /** The service's Kubernetes namespace (created for the test). */
  namespace: string;
  /** Creates a Deployment and waits for its pods to be ready. */
  deployment(name: string, replicas: number, labels?: Record<string, string>): Promise<void>;
  /** Starts the runbook on a new incident of the service; resolves once it ends or waits for a human. */
  run(name: string, params?: Record<string, string>, o?: { dryRun?: boolean }): Promise<KitRun>;
  /** Approves the run's pending approval (as an approver) and waits again. */
  approve(run: KitRun): Promise<KitRun>;
  /** After a decision on `run` (retry, skip, cancel, approve): waits until it ends or waits for a human again. */
  settle(run: KitRun): Promise<KitRun>;
  /** `id:status` of each step, in order: easy to compare. */
  steps(run: KitRun): string[];
  close(): Promise<void>;
}

const stateOf = (r: KitRun) =>
  JSON.stringify([r.status, r.steps.map((s) => [s.status, s.attempts]), r.approvals.map((a) => a.status)]);

/** Ended, or waiting for a human: an approval, a manual step, a decision on a failed step. */
const WAITING = (r: KitRun) =>
  ['succeeded', 'failed', 'escalated', 'cancelled', 'waiting'].includes(r.status) ||
  r.approvals.some((a) => a.status === 'pending');

export async function startKit(o: KitOptions = {}): Promise<RunbookKit> {
  const k = kube();
  const service = testService('kit', o);
  const namespace = await ensureNamespace(k, service);
  const engine = await startEngine({
    services: catalogueOf([service]),
    runbookDirs: o.runbookDirs,
    bundleDir: o.bundleDir,
    guardrails: o.guardrails,
    namespace: o.namespace,
  });
  const read = async (run: { incidentId: string; run_id: string }): Promise<KitRun | undefined> => {
    const found = (await detail(engine, run.incidentId)).runbooks?.find(
      (r: KitRun) => r.run_id === run.run_id,
    );
    return found && { ...found, incidentId: run.incidentId };
  };
  /** Until the run ends or waits for a human — in a state other than `run`'s, when one is given. */
  const settle = (run: { incidentId: string; run_id: string }, from?: KitRun) =>
    eventually(
      async () => {
        const now = await read(run);
        return now && WAITING(now) && (!from || stateOf(now) !== stateOf(from)) && now;
      },
      { timeoutMs: 90_000 },
    );
  return {
    engine,
    k,
    service,
    namespace,
    async deployment(name, replicas, labels = {}) {
      await k.apps.createNamespacedDeployment({ namespace, body: deployment(name, replicas, labels) });
      await eventually(
        async () =>
          ((await k.apps.readNamespacedDeployment({ name, namespace })).status?.readyReplicas ?? 0) ===
          replicas,
        { timeoutMs: 60_000 },
      );
    },
    async run(name, params = {}, { dryRun } = {}) {
      const incidentId = await declare(engine, service.name);
      const started = await engine.call('POST', `/api/v1/incidents/${incidentId}/runbooks`, {
        body: { name, params, ...(dryRun ? { dry_run: true } : {}) },
      });
      if (started.status !== 202) throw new Error(`starting ${name} failed: ${JSON.stringify(started.body)}`);
      return settle({ incidentId, run_id: started.body.run_id });
    },
    async approve(run) {
      const pending = run.approvals.find((a) => a.status === 'pending');
      if (!pending) throw new Error(`run ${run.run_id} waits for no approval`);
      const r = await engine.call(
        'POST',
        `/api/v1/incidents/${run.incidentId}/approvals/${pending.id}/approve`,
        { token: 'approver', body: {} },
      );
      if (r.status !== 200) throw new Error(`approving failed: ${JSON.stringify(r.body)}`);
      return settle(run, run);
    },
    settle: (run) => settle(run, run),
    steps: (run) => run.steps.map((s) => `${s.id}:${s.status}`),
    close: () => engine.close(),
  };
}
