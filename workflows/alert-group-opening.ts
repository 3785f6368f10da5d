/**
 * How an alert group opens an incident: what it opens with (the request from its alerts, the
 * runbook the first alert picks), then the incident and that run started together.
 */
import * as wf from '@temporalio/workflow';
import type { AlertEvent } from '../domain/alerts';
import type { RunConfig } from '../domain/guardrails';
import { SEVERITIES, Severity } from '../domain/severity';
import type { AlertGroupInput, NewIncident } from './definitions';
import { incident } from './incident';
import { openingRunbook, runbookInput } from './incident/runbooks';
import { runbookRun } from './runbook';
import { configService } from './runbook/input';
import { ENGINE_ACTOR } from './runbook/scope';
import { GENERATION } from './patches';

/**
 * What a new incident opens with: its request and (`startsRun`: a group on #18's code) the
 * runbook its first alert picks, with the service that runbook's run reads its config for.
 */
export function planOpening(batch: AlertEvent[], startsRun: boolean) {
  const request = incidentFromAlerts(batch);
  const labels = batch.find((e) => e.action === 'trigger')?.labels ?? {};
  const meta = startsRun
    ? openingRunbook(labels, { services: request.affected_services, severity: request.severity })
    : undefined;
  return { request, run: meta && { name: meta.name, service: configService(request.affected_services[0]) } };
}

/**
 * Starts the incident for `batch` and the runbook its plan picked, in the same workflow task:
 * the run does not wait for the incident's first task. `config` (a third generation group):
 * what the run reads at its start, read by the local activity that numbered the incident.
 */
export async function openIncident(
  input: AlertGroupInput,
  id: string,
  batch: AlertEvent[],
  { request, run: planned }: ReturnType<typeof planOpening>,
  { replaces, config }: { replaces?: string; config?: RunConfig },
) {
  const run = planned && { run_id: `${id}-rb-1`, name: planned.name };
  const started: Promise<unknown>[] = [];
  if (run) {
    // Asked for first: the server starts children in order, and the run is the hot path
    // (its first report waits, briefly, for the incident if it comes second).
    const on = { ...request, id, alertsFiring: firingCount(batch) };
    const start = { actor: ENGINE_ACTOR, name: run.name, params: {} };
    started.push(
      wf.startChild(runbookRun, {
        workflowId: run.run_id,
        taskQueue: input.taskQueue,
        parentClosePolicy: 'ABANDON',
        args: [{ ...runbookInput(on, run.run_id, start), ...(config ? { config } : {}) }],
      }),
    );
  }
  started.push(
    wf.startChild(incident, {
      workflowId: id,
      taskQueue: input.taskQueue,
      parentClosePolicy: 'ABANDON', // the incident outlives this group
      args: [
        {
          id,
          request,
          actor: `alert:${input.source}`,
          alertGroupId: wf.workflowInfo().workflowId,
          alerts: batch,
          alertPolicy: input.alertPolicy,
          historyLimit: input.historyLimit,
          generation: GENERATION,
          ...(replaces ? { replaces } : {}),
          ...(run ? { openingRun: run } : {}),
        },
      ],
    }),
  );
  await Promise.all(started);
}

/** Distinct alerts whose latest event in the batch fires. */
function firingCount(batch: AlertEvent[]): number {
  const last = new Map(batch.map((e) => [e.fingerprint, e.action]));
  return [...last.values()].filter((a) => a === 'trigger').length;
}

function incidentFromAlerts(batch: AlertEvent[]): NewIncident {
  const firing = batch.filter((e) => e.action === 'trigger');
  const first = firing[0];
  const severity = SEVERITIES.find((s: Severity) => firing.some((e) => e.severity === s)) ?? first.severity;
  const labels = Object.entries(first.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return {
    title: first.summary,
    description: `Opened by ${first.source} alert (dedup key ${first.dedup_key}).${labels ? ` Labels: ${labels}.` : ''}`,
    severity,
    affected_services: [...new Set(firing.flatMap((e) => e.services))].slice(0, 20),
    related_alerts: [],
  };
}
