/**
 * The incident lifecycle from the seed page "Incident Management":
 * triggered → acknowledged → investigating → mitigating → resolved → postmortem → closed.
 * Responders may skip forward (a false alarm goes triggered → resolved), step back from
 * mitigating to investigating when a fix did not hold, and reopen a resolved incident.
 */
export const STATUSES = [
  'triggered',
  'acknowledged',
  'investigating',
  'mitigating',
  'resolved',
  'postmortem',
  'closed',
] as const;
export type Status = (typeof STATUSES)[number];

const NEXT: Record<Status, readonly Status[]> = {
  triggered: ['acknowledged', 'investigating', 'mitigating', 'resolved'],
  acknowledged: ['investigating', 'mitigating', 'resolved'],
  investigating: ['mitigating', 'resolved'],
  mitigating: ['investigating', 'resolved'],
  resolved: ['postmortem', 'closed', 'investigating'],
  postmortem: ['closed'],
  closed: [],
};

/** Where an incident may go from `from` (the console offers these as actions). */
export const nextStatuses = (from: Status): readonly Status[] => NEXT[from];

/** Statuses in which the incident is still being worked on (shown first in lists). */
export function isActive(status: Status): boolean {
  return STATUSES.indexOf(status) < STATUSES.indexOf('resolved');
}

/** Why `from → to` is refused, or undefined when it is legal. */
export function transitionRefusal(from: Status, to: Status, rootCause?: string): string | undefined {
  if (from === to) return `incident is already ${to}`;
  if (!NEXT[from].includes(to)) {
    const allowed = NEXT[from];
    return (
      `cannot move from ${from} to ${to}` +
      (allowed.length ? `; allowed: ${allowed.join(', ')}` : '; the incident is closed')
    );
  }
  if (to === 'resolved' && !rootCause?.trim()) return 'root_cause is required to resolve an incident';
  return undefined;
}

export interface Transition {
  actor: string;
  to: Status;
  note?: string;
  root_cause?: string;
}
