/**
 * The incident's record handlers: evidence, service health, status updates, the postmortem
 * and its action items; and what runbook runs add to the record. State changes only;
 * reminders ride on the escalation's timers.
 */
import { setOwn } from '../../domain/own';
import * as wf from '@temporalio/workflow';
import { iso, nowIso } from '../../domain/clock';
import { type ActionItem, isOpenItem } from '../../domain/record';
import type { RunbookRunRecord } from '../../domain/runbook';
import {
  actionItemChangeUpdate,
  actionItemCreateUpdate,
  actionItemDeleteUpdate,
  evidenceUpdate,
  postmortemEditUpdate,
  postmortemPublishUpdate,
  serviceHealthUpdate,
  statusUpdateUpdate,
  type UpdateInput,
} from '../definitions';
import { conflict, invalid, notFound } from '../failures';
import type { IncidentState } from './state';

/** Refuses any change to a closed incident. */
export function notClosed(s: IncidentState): void {
  if (s.incident.status === 'closed') throw conflict('incident is closed');
}

/** Why the incident may not close yet, if so. */
export function refuseClose(s: IncidentState): string | undefined {
  const open = (s.incident.action_items ?? []).filter(isOpenItem);
  if (!open.length) return undefined;
  return `${open.length} action item(s) still open (${open.map((a) => a.id).join(', ')}); close them or mark them done first`;
}

/** Evidence and service health that a runbook run attached since its last report. */
export function runbookFindings(s: IncidentState, run: RunbookRunRecord, before?: RunbookRunRecord): void {
  const i = s.incident;
  const by = `runbook:${run.name}`;
  for (const e of (run.evidence ?? []).slice(before?.evidence?.length ?? 0)) {
    i.evidence ??= [];
    const id = `ev-${i.evidence.length + 1}`;
    i.evidence.push({ id, kind: 'log', title: e.title, text: e.text, added_by: by, added_at: e.at });
    s.record(by, 'evidence', `Evidence (log): ${e.title}`, { evidence_id: id });
  }
  for (const h of (run.health ?? []).slice(before?.health?.length ?? 0)) {
    i.service_health ??= {};
    setOwn(i.service_health, h.service, { health: h.health, note: h.note, updated_by: by, updated_at: h.at });
  }
}

export function registerRecordHandlers(s: IncidentState): void {
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
  const postmortemDrafted = () => {
    if (!i.postmortem) throw conflict('the postmortem is drafted when the incident is resolved');
  };
  /** Published postmortem and every action item done: the incident closes by itself. */
  const maybeClose = () => {
    const settled = i.status === 'resolved' || i.status === 'postmortem';
    if (i.postmortem?.status === 'published' && !refuseClose(s) && settled) {
      s.transition({
        actor: 'tourniquet',
        to: 'closed',
        note: 'postmortem published and every action item closed',
      });
    }
  };
  const firstReminder = (a: ActionItem) =>
    isOpenItem(a) ? iso(Math.max(Date.parse(a.due), Date.now())) : undefined;

  wf.setHandler(
    evidenceUpdate,
    ({ actor, kind, title, url, text }) => {
      i.evidence ??= [];
      const e = {
        id: `ev-${i.evidence.length + 1}`,
        kind,
        title,
        url,
        text,
        added_by: actor,
        added_at: nowIso(),
      };
      i.evidence.push(e);
      s.record(actor, 'evidence', `Evidence (${kind}): ${title}`, { evidence_id: e.id });
      s.changed();
      return e;
    },
    { validator: (_update: unknown) => notClosed(s) },
  );

  wf.setHandler(
    serviceHealthUpdate,
    ({ actor, service, health, note }) => {
      i.service_health ??= {};
      const h = { health, note, updated_by: actor, updated_at: nowIso() };
      setOwn(i.service_health, service, h);
      s.record(actor, 'edit', `${service} is ${health.replace(/_/g, ' ')}${note ? `: ${note}` : ''}`);
      s.changed();
      return h;
    },
    {
      validator: ({ service }: UpdateInput<typeof serviceHealthUpdate>) => {
        notClosed(s);
        if (!i.affected_services.includes(service)) {
          throw invalid(
            `service: ${service} is not an affected service of ${i.id} (add it with PATCH affected_services)`,
          );
        }
      },
    },
  );

  wf.setHandler(
    statusUpdateUpdate,
    ({ actor, message, status, visibility }) => {
      i.status_updates ??= [];
      const u = {
        incident_id: i.id,
        message,
        status: status ?? i.status,
        visibility,
        created_by: actor,
        created_at: nowIso(),
      };
      i.status_updates.push(u);
      s.record(actor, 'communication', `Status update (${visibility}): ${message.split('\n')[0]}`);
      s.esc?.statusUpdatePosted();
      s.changed();
      return u;
    },
    { validator: (_update: unknown) => notClosed(s) },
  );

  wf.setHandler(
    postmortemEditUpdate,
    ({ actor, sections }) => {
      const pm = i.postmortem!;
      Object.assign(pm, sections, {
        impact: { ...pm.impact, ...sections.impact },
        lessons: { ...pm.lessons, ...sections.lessons },
        edited_by: actor,
      });
      s.record(actor, 'postmortem', `Postmortem edited: ${Object.keys(sections).join(', ')}`);
      s.changed();
      return pm;
    },
    {
      validator: (_update: unknown) => {
        postmortemDrafted();
        if (i.postmortem!.status === 'published') throw conflict('the postmortem is published');
      },
    },
  );

  wf.setHandler(
    postmortemPublishUpdate,
    ({ actor }) => {
      const pm = i.postmortem!;
      pm.status = 'published';
      pm.published_by = actor;
      pm.published_at = nowIso();
      s.record(actor, 'postmortem', 'Postmortem published');
      if (i.status === 'resolved') s.transition({ actor, to: 'postmortem' });
      maybeClose();
      s.changed();
      return i;
    },
    {
      validator: (_update: unknown) => {
        postmortemDrafted();
        if (i.postmortem!.status === 'published') throw conflict('the postmortem is already published');
        if (!i.postmortem!.root_cause.trim())
          throw invalid('root_cause: write the root cause before publishing');
      },
    },
  );

  wf.setHandler(
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
    { validator: (_update: unknown) => notClosed(s) },
  );

  wf.setHandler(
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
      maybeClose();
      s.changed();
      return a;
    },
    { validator: openItem },
  );

  wf.setHandler(
    actionItemDeleteUpdate,
    ({ actor, id }) => {
      const a = item(id);
      i.action_items = i.action_items!.filter((x) => x.id !== id);
      s.record(actor, 'postmortem', `Action item ${id} deleted: ${a.title}`);
      maybeClose();
      s.changed();
      return a;
    },
    { validator: openItem },
  );
}
