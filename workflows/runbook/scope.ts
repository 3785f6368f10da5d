/**
 * A run's scope: the service it acts for, from its incident (never from parameters), and
 * that service's catalogue entry. The entry decides whether the runbook may run at all,
 * which parameters it gets (declared ones only, targets inside the entry) and whether an
 * alert-started run may act without a human.
 */
import { own } from '../../domain/own';
import type { RunbookMeta } from '../../domain/runbook';
import { resolveRunParams, runbookRefusal, type ServiceEntry } from '../../domain/services';
import type { RunbookRunInput } from './input';

/** The actor of runs the engine starts itself (an alert's opening runbook). */
export const ENGINE_ACTOR = 'tourniquet';

export function scopeRun(
  input: RunbookRunInput,
  meta: RunbookMeta | undefined,
  entry: ServiceEntry | undefined,
): { input: RunbookRunInput; refusal?: string } {
  const service = input.service || 'unknown';
  const refusal = runbookRefusal(entry, service, input.name);
  if (refusal || !meta || !entry) return { input: { ...input, service }, refusal };
  const resolved = resolveRunParams(entry, meta, input.params);
  if ('refused' in resolved) return { input: { ...input, service }, refusal: resolved.refused };
  const alone = input.startedBy !== ENGINE_ACTOR || own(entry.runbooks, input.name)?.automatic;
  const approvalRequired =
    input.approvalRequired ??
    (alone
      ? undefined
      : `started by an alert, and ${service}'s catalogue entry does not let ${input.name} act alone`);
  return {
    input: { ...input, service, params: resolved.params, ...(approvalRequired ? { approvalRequired } : {}) },
  };
}
