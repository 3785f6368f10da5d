/**
 * A missed mitigate milestone offers the runbook's stronger alternative (its metadata names
 * it), started by Tourniquet but with every mutating step waiting for a human's approval.
 */
import { own } from '../../domain/own';
import { RUNBOOKS } from '../runbook-registry';
import { startRunbook } from './runbooks';
import type { IncidentState } from './state';

export async function offerStronger(s: IncidentState): Promise<void> {
  const i = s.incident;
  const run = [...i.runbooks].reverse().find((r) => RUNBOOKS[r.name]?.meta.stronger);
  const stronger = run && RUNBOOKS[run.name].meta.stronger;
  if (!run || !stronger) return;
  const offeredAlready = i.runbooks.some(
    (r) => r.name === stronger.runbook && r.started_by === 'tourniquet' && r.started_at > run.started_at,
  );
  if (offeredAlready) return;
  const fill = (v: string) => v.replace(/\{(\w+)\}/g, (_, p: string) => own(run.params, p) ?? '');
  const params = Object.fromEntries(Object.entries(stronger.params ?? {}).map(([k, v]) => [k, fill(v)]));
  await startRunbook(s, {
    actor: 'tourniquet',
    name: stronger.runbook,
    params: { ...run.params, ...params },
    dryRun: false,
    approvalRequired: `mitigate milestone missed: ${run.name} did not mitigate in time; suggested instead of it`,
  });
}
