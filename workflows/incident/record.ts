/**
 * The incident's record handlers: evidence, service health, status updates, the postmortem
 * (its action items are in action-items.ts); and what runbook runs add to the record.
 */
import { nowIso } from '../../domain/clock';
import { updateResult } from '../../domain/incident-view';
import { overLimit, RECORD_LIMITS } from '../../domain/limits';
import { setOwn } from '../../domain/own';
import type { RunbookRunRecord } from '../../domain/runbook';
import {
  evidenceUpdate,
  postmortemEditUpdate,
  postmortemPublishUpdate,
  serviceHealthUpdate,
  statusUpdateUpdate,
  type UpdateInput,
} from '../definitions';
import { conflict, invalid } from '../failures';
import { maybeClose, notClosed, openWithRoom } from './guards';
import type { IncidentState } from './state';
import { setKeyedUpdate } from '../request-keys';

/** Evidence and service health that a runbook run attached since its last report. */
export function runbookFindings(s: IncidentState, run: RunbookRunRecord, before?: RunbookRunRecord): void {
  const i = s.incident;
  const by = `runbook:${run.name}`;
  for (const e of (run.evidence ?? []).slice(before?.evidence?.length ?? 0)) {
    i.evidence ??= [];
    const id = `ev-${i.evidence.length + 1}`;
    const evidence = { id, kind: 'log' as const, title: e.title, text: e.text, added_by: by, added_at: e.at };
    const refusal = overLimit('evidence', i.evidence, RECORD_LIMITS.evidence, evidence);
    if (refusal) {
      s.record(by, 'evidence', `Evidence "${e.title}" not kept: ${refusal}`);
      continue;
    }
    i.evidence.push(evidence);
    s.record(by, 'evidence', `Evidence (log): ${e.title}`, { evidence_id: id });
  }
  for (const h of (run.health ?? []).slice(before?.health?.length ?? 0)) {
    i.service_health ??= {};
    setOwn(i.service_health, h.service, { health: h.health, note: h.note, updated_by: by, updated_at: h.at });
  }
}

export function registerRecordHandlers(s: IncidentState): void {
  const i = s.incident;
  const postmortemDrafted = () => {
    if (!i.postmortem) throw conflict('the postmortem is drafted when the incident is resolved');
  };

  setKeyedUpdate(
    s.keys,
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
    {
      validator: openWithRoom(s, 'evidence', () => i.evidence, RECORD_LIMITS.evidence),
      again: (id) => i.evidence?.find((e) => e.id === id),
    },
  );

  setKeyedUpdate(
    s.keys,
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

  setKeyedUpdate(
    s.keys,
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
      // Numbered (the list only grows, up to its limit): each update is sent once.
      const n = i.status_updates.length;
      s.esc?.statusUpdatePosted(s.publishesUpdates ? { ...u, n } : undefined);
      s.changed();
      return u;
    },
    { validator: openWithRoom(s, 'status_updates', () => i.status_updates, RECORD_LIMITS.statusUpdates) },
  );

  setKeyedUpdate(
    s.keys,
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
      again: () => i.postmortem,
    },
  );

  setKeyedUpdate(
    s.keys,
    postmortemPublishUpdate,
    ({ actor }) => {
      const pm = i.postmortem!;
      pm.status = 'published';
      pm.published_by = actor;
      pm.published_at = nowIso();
      s.record(actor, 'postmortem', 'Postmortem published');
      if (i.status === 'resolved') s.transition({ actor, to: 'postmortem' });
      maybeClose(s);
      s.changed();
      return updateResult(i);
    },
    {
      validator: (_update: unknown) => {
        postmortemDrafted();
        if (i.postmortem!.status === 'published') throw conflict('the postmortem is already published');
        if (!i.postmortem!.root_cause.trim())
          throw invalid('root_cause: write the root cause before publishing');
      },
      again: () => updateResult(i),
    },
  );
}
