/**
 * The postmortem's action items: created, changed, deleted; an open item past its due date
 * is reminded on the escalation's timers (reminders.ts). Closing the last one may close the incident.
 */
import { iso, nowIso } from '../../domain/clock';
import { RECORD_LIMITS } from '../../domain/limits';
import { type ActionItem, isOpenItem } from '../../domain/record';
import { actionItemChangeUpdate, actionItemCreateUpdate, actionItemDeleteUpdate } from '../definitions';
import { notFound } from '../failures';
import { maybeClose, notClosed, openWithRoom } from './guards';
import type { IncidentState } from './state';
import { setKeyedUpdate } from '../request-keys';

const firstReminder = (a: ActionItem) =>
  isOpenItem(a) ? iso(Math.max(Date.parse(a.due), Date.now())) : undefined;

export function registerActionItemHandlers(s: IncidentState): void {
  const i = s.incident;
  const item = (id: string) => {
    const a = i.action_items?.find((x) => x.id === id);
    if (!a) throw notFound(`action item ${id} not found`);
    return a;
  };
  const openItem = ({ id }: { id: string }) => {
    notClosed(s);
    item(id);
  };

  setKeyedUpdate(
    s.keys,
    actionItemCreateUpdate,
    ({ actor, title, owner, due }) => {
      i.action_items ??= [];
      const now = nowIso();
      const a: ActionItem = {
        id: `AI-${i.action_items.length + 1}`,
        title,
        owner,
        due,
        status: 'open',
        created_by: actor,
        created_at: now,
        updated_at: now,
        reminders: 0,
      };
      a.next_reminder_at = firstReminder(a);
      i.action_items.push(a);
      s.record(actor, 'postmortem', `Action item ${a.id} for ${owner}, due ${due}: ${title}`);
      s.replanned = true; // its reminder is a deadline
      s.changed();
      return a;
    },
    {
      validator: openWithRoom(s, 'action_items', () => i.action_items, RECORD_LIMITS.actionItems),
      again: (id) => i.action_items?.find((a) => a.id === id),
    },
  );

  setKeyedUpdate(
    s.keys,
    actionItemChangeUpdate,
    ({ actor, id, ...change }) => {
      const a = item(id);
      const changes = Object.entries(change).filter(
        ([k, v]) => v !== undefined && v !== (a as unknown as Record<string, unknown>)[k],
      );
      Object.assign(a, Object.fromEntries(changes), { updated_at: nowIso() });
      if (change.due !== undefined || change.status !== undefined) a.next_reminder_at = firstReminder(a);
      if (changes.length) {
        const what = changes.map(([k, v]) => `${k} → ${String(v)}`).join(', ');
        s.record(actor, 'postmortem', `Action item ${id}: ${what}`);
      }
      s.replanned = true; // its reminder is a deadline
      maybeClose(s);
      s.changed();
      return a;
    },
    { validator: openItem, again: (id) => i.action_items?.find((a) => a.id === id) },
  );

  setKeyedUpdate(
    s.keys,
    actionItemDeleteUpdate,
    ({ actor, id }) => {
      const a = item(id);
      i.action_items = i.action_items!.filter((x) => x.id !== id);
      s.record(actor, 'postmortem', `Action item ${id} deleted: ${a.title}`);
      maybeClose(s);
      s.changed();
      return a;
    },
    { validator: openItem, again: (id) => i.action_items?.find((a) => a.id === id) },
  );
}
