/**
 * The incident's record handlers: evidence, service health, status updates, the postmortem
 * and its action items. Workflow code: state changes only; reminders ride on the
 * escalation's timers.
 */
import * as wf from '@temporalio/workflow';
import type { Incident, TimelineEntry } from '../domain/incident';
import type { Status } from '../domain/lifecycle';
import { ActionItem, draftPostmortem, isOpenItem } from '../domain/record';
import type { RunbookRunRecord } from '../domain/runbook';
import {
  actionItemChangeUpdate,
  actionItemCreateUpdate,
  actionItemDeleteUpdate,
  evidenceUpdate,
  FailureType,
  postmortemEditUpdate,
  postmortemPublishUpdate,
  serviceHealthUpdate,
  statusUpdateUpdate,
} from './definitions';
import type { Escalation } from './escalation';

export interface RecordHooks {
  record(actor: string, kind: TimelineEntry['kind'], message: string, data?: TimelineEntry['data']): void;
  publish(): void;
  transition(actor: string, to: Status, note?: string): void;
  escalation(): Escalation | undefined;
}

const nowIso = () => new Date().toISOString();
const fail = (type: string, message: string) =>
  wf.ApplicationFailure.create({ type, message, nonRetryable: true });
const conflict = (message: string) => fail(FailureType.conflict, message);

export function registerRecordHandlers(
  state: Incident,
  hooks: RecordHooks,
): {
  onResolved(): void;
  fromRunbook(run: RunbookRunRecord, before?: RunbookRunRecord): void;
  refuseClose(): string | undefined;
} {
  const { record, publish } = hooks;
  const notClosed = (_update: unknown) => {
    if (state.status === 'closed') throw conflict('incident is closed');
  };
  const item = (id: string) => {
    const a = state.action_items?.find((x) => x.id === id);
    if (!a) throw fail(FailureType.notFound, `action item ${id} not found`);
    return a;
  };
  const openItem = ({ id }: { id: string }) => {
    notClosed(undefined);
    item(id);
  };
  /** Published postmortem and every action item done: the incident closes by itself. */
  const maybeClose = () => {
    const open = (state.action_items ?? []).filter(isOpenItem).length;
    if (
      state.postmortem?.status === 'published' &&
      open === 0 &&
      (state.status === 'resolved' || state.status === 'postmortem')
    ) {
      hooks.transition('tourniquet', 'closed', 'postmortem published and every action item closed');
    }
  };
  const firstReminder = (a: ActionItem) =>
    isOpenItem(a) ? new Date(Math.max(Date.parse(a.due), Date.now())).toISOString() : undefined;

  wf.setHandler(
    evidenceUpdate,
    ({ actor, kind, title, url, text }) => {
      state.evidence ??= [];
      const e = {
        id: `ev-${state.evidence.length + 1}`,
        kind,
        title,
        url,
        text,
        added_by: actor,
        added_at: nowIso(),
      };
      state.evidence.push(e);
      record(actor, 'evidence', `Evidence (${kind}): ${title}`, { evidence_id: e.id });
      return e;
    },
    { validator: notClosed },
  );

  wf.setHandler(
    serviceHealthUpdate,
    ({ actor, service, health, note }) => {
      state.service_health ??= {};
      const h = { health, note, updated_by: actor, updated_at: nowIso() };
      state.service_health[service] = h;
      record(actor, 'edit', `${service} is ${health.replace(/_/g, ' ')}${note ? `: ${note}` : ''}`);
      return h;
    },
    {
      validator: ({ service }) => {
        notClosed(undefined);
        if (!state.affected_services.includes(service))
          throw fail(
            FailureType.invalid,
            `service: ${service} is not an affected service of ${state.id} (add it with PATCH affected_services)`,
          );
      },
    },
  );

  wf.setHandler(
    statusUpdateUpdate,
    ({ actor, message, status, visibility }) => {
      state.status_updates ??= [];
      const u = {
        incident_id: state.id,
        message,
        status: status ?? state.status,
        visibility,
        created_by: actor,
        created_at: nowIso(),
      };
      state.status_updates.push(u);
      record(actor, 'communication', `Status update (${visibility}): ${message.split('\n')[0]}`);
      hooks.escalation()?.statusUpdatePosted();
      return u;
    },
    { validator: notClosed },
  );

  wf.setHandler(
    postmortemEditUpdate,
    ({ actor, sections }) => {
      const pm = state.postmortem!;
      Object.assign(pm, sections, {
        impact: { ...pm.impact, ...sections.impact },
        lessons: { ...pm.lessons, ...sections.lessons },
        edited_by: actor,
      });
      record(actor, 'postmortem', `Postmortem edited: ${Object.keys(sections).join(', ')}`);
      return pm;
    },
    {
      validator: (_update) => {
        if (!state.postmortem) throw conflict('the postmortem is drafted when the incident is resolved');
        if (state.postmortem.status === 'published') throw conflict('the postmortem is published');
      },
    },
  );

  wf.setHandler(
    postmortemPublishUpdate,
    ({ actor }) => {
      const pm = state.postmortem!;
      pm.status = 'published';
      pm.published_by = actor;
      pm.published_at = nowIso();
      record(actor, 'postmortem', 'Postmortem published');
      if (state.status === 'resolved') hooks.transition(actor, 'postmortem');
      maybeClose();
      publish();
      return state;
    },
    {
      validator: (_update) => {
        if (!state.postmortem) throw conflict('the postmortem is drafted when the incident is resolved');
        if (state.postmortem.status === 'published') throw conflict('the postmortem is already published');
        if (!state.postmortem.root_cause.trim())
          throw fail(FailureType.invalid, 'root_cause: write the root cause before publishing');
      },
    },
  );

  wf.setHandler(
    actionItemCreateUpdate,
    ({ actor, title, owner, due }) => {
      state.action_items ??= [];
      const now = nowIso();
      const a: ActionItem = {
        id: `AI-${state.action_items.length + 1}`,
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
      state.action_items.push(a);
      record(actor, 'postmortem', `Action item ${a.id} for ${owner}, due ${due}: ${title}`);
      hooks.escalation()?.replan();
      publish();
      return a;
    },
    { validator: notClosed },
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
      if (changes.length)
        record(
          actor,
          'postmortem',
          `Action item ${id}: ${changes.map(([k, v]) => `${k} → ${v}`).join(', ')}`,
        );
      hooks.escalation()?.replan();
      maybeClose();
      publish();
      return a;
    },
    { validator: openItem },
  );

  wf.setHandler(
    actionItemDeleteUpdate,
    ({ actor, id }) => {
      const a = item(id);
      state.action_items = state.action_items!.filter((x) => x.id !== id);
      record(actor, 'postmortem', `Action item ${id} deleted: ${a.title}`);
      maybeClose();
      publish();
      return a;
    },
    { validator: openItem },
  );

  return {
    /** On resolution: draft the postmortem from the record (once; a reopened incident keeps it). */
    onResolved() {
      state.postmortem ??= draftPostmortem(state, nowIso());
    },
    /** Evidence and service health that runbook steps attached. */
    fromRunbook(run, before) {
      for (const s of run.steps) {
        if (!s.id.startsWith('evidence-') || before?.steps.some((b) => b.id === s.id)) continue;
        state.evidence ??= [];
        state.evidence.push({
          id: `ev-${state.evidence.length + 1}`,
          kind: 'log',
          title: s.title.replace(/^Evidence: /, ''),
          text: s.result,
          added_by: `runbook:${run.name}`,
          added_at: s.finished_at ?? nowIso(),
        });
      }
      for (const h of (run.health ?? []).slice(before?.health?.length ?? 0)) {
        state.service_health ??= {};
        state.service_health[h.service] = {
          health: h.health,
          note: h.note,
          updated_by: `runbook:${run.name}`,
          updated_at: h.at,
        };
      }
    },
    /** Why the incident may not close yet, if so. */
    refuseClose() {
      const open = (state.action_items ?? []).filter(isOpenItem);
      return open.length
        ? `${open.length} action item(s) still open (${open.map((a) => a.id).join(', ')}); close them or mark them done first`
        : undefined;
    },
  };
}
