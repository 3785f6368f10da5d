/**
 * ETA milestones: their names (stored as strings in the record, parsed into a typed union
 * here, nowhere else) and the plan a severity sets from the moment the incident opened.
 */
import { iso } from './clock';
import { dueAt, type EscalationConfig, type Milestone, type SeverityPolicy } from './escalation';
import type { Incident } from './incident';
import { hhmm } from './record';

const SEVERITY_MILESTONES = ['acknowledge', 'mitigate', 'resolve', 'update', 'handoff', 'commander'] as const;
type SeverityMilestone = (typeof SEVERITY_MILESTONES)[number];

export type MilestoneName =
  | { kind: 'severity'; name: SeverityMilestone }
  /** An earlier handoff, renamed `handoff#N` when a newer one replaced it. */
  | { kind: 'past-handoff'; n: number }
  | { kind: 'runbook'; runId: string }
  | { kind: 'step'; runId: string; stepId: string };

/** The stored name of a runbook's or a runbook step's ETA milestone. */
export const runbookMilestone = (runId: string) => `runbook:${runId}`;
export const stepMilestone = (runId: string, stepId: string) => `step:${runId}/${stepId}`;
export const pastHandoff = (n: number) => `handoff#${n}`;

export function parseMilestoneName(name: string): MilestoneName {
  if ((SEVERITY_MILESTONES as readonly string[]).includes(name)) {
    return { kind: 'severity', name: name as SeverityMilestone };
  }
  if (name.startsWith('handoff#')) return { kind: 'past-handoff', n: Number(name.slice('handoff#'.length)) };
  if (name.startsWith('runbook:')) return { kind: 'runbook', runId: name.slice('runbook:'.length) };
  if (name.startsWith('step:')) {
    const rest = name.slice('step:'.length);
    const slash = rest.indexOf('/');
    return { kind: 'step', runId: rest.slice(0, slash), stepId: rest.slice(slash + 1) };
  }
  throw new Error(`not a milestone name: ${name}`);
}

const SEVERITY_LABEL: Record<SeverityMilestone, string> = {
  acknowledge: 'Acknowledge',
  mitigate: 'Mitigate',
  resolve: 'Resolve',
  update: 'Status update',
  handoff: 'Handoff acknowledgement',
  commander: 'Incident commander',
};

/** How a milestone is named on the timeline and in pages. */
export function milestoneLabel(name: string): string {
  const m = parseMilestoneName(name);
  switch (m.kind) {
    case 'severity':
      return SEVERITY_LABEL[m.name];
    case 'past-handoff':
      return SEVERITY_LABEL.handoff;
    case 'runbook':
      return `Runbook ${m.runId}`;
    case 'step':
      return `Runbook step ${m.runId}/${m.stepId}`;
  }
}

/**
 * (Re)plans the severity's milestones from when the incident opened: pending ones move,
 * met and missed ones stay, ones no longer wanted (or already done) go.
 */
export function planSeverityMilestones(i: Incident, cfg: EscalationConfig, sp: SeverityPolicy): void {
  const milestones = i.milestones!;
  const opened = Date.parse(i.created_at);
  const set = (name: string, due: number | undefined, done: boolean) => {
    const m = milestones.find((x) => x.name === name);
    if (m && m.status !== 'pending') return;
    if (due === undefined || done) {
      if (m) milestones.splice(milestones.indexOf(m), 1);
      return;
    }
    if (m) m.due_at = iso(due);
    else milestones.push({ name, due_at: iso(due), status: 'pending' });
  };
  set('acknowledge', dueAt(cfg, opened, sp.acknowledge), !!i.acknowledged_at);
  set('mitigate', dueAt(cfg, opened, sp.mitigate), !!i.mitigated_at);
  set('resolve', dueAt(cfg, opened, sp.resolve), !!i.resolved_at);
  const lastUpdate = i.acknowledged_at ?? i.created_at;
  const update = sp.update_every ? Date.parse(lastUpdate) + sp.update_every * 1000 : undefined;
  set('update', update, !!i.resolved_at);
  // Configs read before this option existed have no `commander`: their runs plan no such milestone.
  set(
    'commander',
    sp.commander ? dueAt(cfg, opened, sp.commander) : undefined,
    !!i.roles?.commander || !!i.resolved_at,
  );
}

/** "acknowledge by 10:05 UTC, mitigate by 10:30 UTC": the severity milestones still pending. */
export function describePlan(milestones: Milestone[]): string {
  const pending = milestones.filter(
    (m) => m.status === 'pending' && parseMilestoneName(m.name).kind === 'severity',
  );
  return pending.length ? pending.map((m) => `${m.name} by ${hhmm(m.due_at)}`).join(', ') : 'no milestones';
}
