/** Overdue action items: the owner is reminded at due, then every interval until it is done. */
import { iso } from '../../domain/clock';
import type { EscalationConfig } from '../../domain/escalation';
import type { Pager } from './paging';
import type { IncidentState } from './state';

export function remindActionItems(s: IncidentState, cfg: EscalationConfig, pager: Pager, now: number): void {
  for (const a of s.incident.action_items ?? []) {
    if (!a.next_reminder_at || Date.parse(a.next_reminder_at) > now) continue;
    if (a.status !== 'open' && a.status !== 'in_progress') {
      a.next_reminder_at = undefined;
      continue;
    }
    a.reminders++;
    const due = Date.parse(a.next_reminder_at);
    const reason = `action item ${a.id} is due (${a.due}): ${a.title}`;
    pager.pageTargets([{ person: a.owner }], {
      kind: 'reminder',
      reason,
      cause: `action-${a.id}-${a.reminders}`,
      due,
    });
    a.next_reminder_at = iso(due + cfg.action_item_reminder_seconds * 1000);
  }
}
