/**
 * One run of one runbook for one incident, as a child workflow of the incident. It keeps
 * the run's record (steps, approvals, evidence) and sends it to the incident after every
 * change. The steps themselves run through steps.ts: policy, shared limits, then the action.
 */
import { runbookRunInputProblem } from '../../domain/workflow-inputs';
import { checkInput, errorMessage } from '../failures';
import * as wf from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { nowIso } from '../../domain/clock';
import { DEFAULT_GUARDRAILS, type GuardrailConfig } from '../../domain/guardrails';
import type { RunbookRunRecord } from '../../domain/runbook';
import { runbookQuery } from '../definitions';
import { ALL_RUNBOOK_PATCHES, PATCH, RUNBOOK_PATCHES } from '../patches';
import { RUNBOOKS } from '../runbook-registry';
import { parseParams, RunbookCancelled, RunbookEscalation } from '../runbook-sdk';
import { registerApprovalHandler } from './approval';
import { configService, type RunbookRunInput } from './input';
import { RunRecord } from './record';
import { RequestKeys } from '../request-keys';
import { scopeRun } from './scope';
import { registerDecisionHandler } from './resume';
import { registerManualStepHandler, runbookContext } from './steps';
import { ACTION_RETRY } from './target-activities';

export type { RunbookRunInput };

type ConfigReads = Pick<Activities, 'guardrailConfig' | 'serviceEntry'>;
const config = wf.proxyActivities<ConfigReads>({ startToCloseTimeout: '10 seconds', retry: ACTION_RETRY });
const local = wf.proxyLocalActivities<ConfigReads>({
  startToCloseTimeout: '10 seconds',
  retry: ACTION_RETRY,
});

export async function runbookRun(input: RunbookRunInput): Promise<RunbookRunRecord> {
  checkInput('runbookRun', runbookRunInputProblem(input));
  const def = Object.hasOwn(RUNBOOKS, input.name) ? RUNBOOKS[input.name] : undefined;
  const r = new RunRecord(input);
  const manualDone = new Set<string>();
  wf.setHandler(runbookQuery, () => r.run);
  const keys = new RequestKeys(); // a run never continues as new: Temporal's own dedup plus 422s
  registerApprovalHandler(r, keys);
  registerManualStepHandler(r, manualDone, keys);
  if (r.resumable) registerDecisionHandler(r, keys);

  const { guardrails, entry, catalogued } = await readConfig(input, r);
  const scoped = catalogued ? scopeRun(input, def?.meta, entry) : { input };
  r.run.params = scoped.input.params;
  const run = r.run;
  try {
    if (!def) throw new RunbookEscalation(`no runbook named ${input.name}`);
    if (scoped.refusal) throw new RunbookEscalation(scoped.refusal);
    const parsed = parseParams(def.params, scoped.input.params);
    if ('problem' in parsed)
      throw new RunbookEscalation(`${parsed.problem}; start the runbook with valid params`);
    run.outcome = await def.run(
      runbookContext(scoped.input, parsed.params, r, guardrails, manualDone, entry?.caps),
    );
    run.status = 'succeeded';
  } catch (err) {
    if (err instanceof RunbookCancelled) {
      run.status = 'cancelled';
      run.outcome = `Cancelled: ${err.message}`;
      run.finished_at = nowIso();
      await r.report();
      await r.settled();
      return run;
    }
    run.status = err instanceof RunbookEscalation ? 'escalated' : 'failed';
    const verb = run.status === 'escalated' ? 'Escalating' : 'Failed';
    run.outcome = `${verb}: ${errorMessage(err)}; page ${def?.meta.escalation ?? 'the incident commander'}`;
  }
  run.finished_at = nowIso();
  await r.report();
  await r.settled();
  return run;
}

// A run finishes on the code it started with (Worker Versioning, worker/versions.ts): editing
// a runbook never changes the commands of a run in flight, so runbooks need no patched().
wf.setWorkflowOptions({ versioningBehavior: 'PINNED' }, runbookRun);

/**
 * One policy for the whole run and the service's catalogue entry (what this run may touch
 * and how), read once at its start and recorded in history: handed over in the input by the
 * alert group that opened the run, or read by local activities, together, in its first task.
 */
async function readConfig(input: RunbookRunInput, { current, gen2 }: RunRecord) {
  const service = configService(input.service);
  if (current) {
    // Before the local activities (patches.ts): the runbook's own, or (first generation) all of them.
    const patches = gen2 ? (RUNBOOK_PATCHES.get(input.name) ?? []) : ALL_RUNBOOK_PATCHES;
    for (const patch of patches) wf.patched(patch);
    const [guardrails, entry] = input.config
      ? [input.config.guardrails, input.config.entry]
      : await Promise.all([local.guardrailConfig(), local.serviceEntry(service)]);
    return { guardrails, entry: entry ?? undefined, catalogued: true };
  }
  const guardrails: GuardrailConfig = wf.patched(PATCH.guardrailConfig)
    ? await config.guardrailConfig()
    : DEFAULT_GUARDRAILS;
  const catalogued = wf.patched(PATCH.serviceCatalogue);
  const entry = catalogued ? ((await config.serviceEntry(service)) ?? undefined) : undefined;
  return { guardrails, entry, catalogued };
}
