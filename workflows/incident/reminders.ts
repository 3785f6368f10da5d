/**
 * Reminders: overdue action items remind their owner at due, then every interval until done;
 * the communications lead is reminded of the next status update before it is due.
 */
import { iso } from '../../domain/clock';
import type { EscalationConfig } from '../../domain/escalation';
import { hhmm } from '../../domain/record';
import type { Pager } from './paging';
import type { IncidentState } from './state';

function remindActionItems(s: IncidentState, cfg: EscalationConfig, pager: Pager, now: number): void {
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

/** Every reminder still to send, when (ms): overdue action items and the next status update. */
export function reminderTimes(s: IncidentState, cfg: EscalationConfig): number[] {
  const times = (s.incident.action_items ?? []).flatMap((a) =>
    a.next_reminder_at ? [Date.parse(a.next_reminder_at)] : [],
  );
  const update = updateReminder(s, cfg);
  return update ? [...times, update.at] : times;
}

/** Sends every reminder due by `now`. */
export function remind(s: IncidentState, cfg: EscalationConfig, pager: Pager, now: number): void {
  remindActionItems(s, cfg, pager, now);
  const update = updateReminder(s, cfg);
  if (!update || update.at > now) return;
  const reason = `the next status update is due by ${hhmm(update.due_at)}`;
  pager.send(
    { person: update.lead, via: 'incident role communications' },
    { kind: 'reminder', reason, cause: update.cause, due: update.at },
  );
}

/**
 * The communications lead's reminder of the pending update milestone, a fifth of the cadence
 * (at most 5 min) before it is due; once sent (its page key), none until the next milestone.
 */
function updateReminder(s: IncidentState, cfg: EscalationConfig) {
  const i = s.incident;
  const m = i.milestones?.find((x) => x.name === 'update' && x.status === 'pending');
  const lead = i.roles?.communications?.person;
  if (!s.remindsUpdates || !m || !lead) return undefined;
  const cause = `update-reminder-${m.due_at}`;
  if (i.pages?.some((p) => p.key === `${i.id}/${cause}/${lead}`)) return undefined;
  const every = cfg.severities[i.severity].update_every ?? 0;
  return { at: Date.parse(m.due_at) - Math.min(300_000, every * 200), due_at: m.due_at, lead, cause };
}
