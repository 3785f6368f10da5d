/**
 * The incident record beyond its lifecycle: evidence, service health, status updates (the
 * seeds' CAN format), the postmortem and its action items. Pure: the workflow keeps these
 * in its state, the API renders drafts and Markdown from the same functions.
 */
import type { Incident, TimelineEntry } from './incident';

export const EVIDENCE_KINDS = ['metric', 'log', 'trace', 'screenshot', 'link'] as const;
export interface Evidence {
  id: string;
  kind: (typeof EVIDENCE_KINDS)[number];
  title: string;
  url?: string;
  text?: string;
  added_by: string;
  added_at: string;
}

export const HEALTH = ['operational', 'degraded', 'partial_outage', 'major_outage', 'recovering'] as const;
export type Health = (typeof HEALTH)[number];
export interface ServiceHealth {
  health: Health;
  note?: string;
  updated_by: string;
  updated_at: string;
}

/** The seed's StatusUpdate. */
export interface StatusUpdate {
  incident_id: string;
  message: string;
  status: string;
  visibility: 'internal' | 'external';
  created_by: string;
  created_at: string;
}

export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'verified'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export interface ActionItem {
  id: string;
  title: string;
  owner: string;
  /** ISO date or date-time; reminders start then. */
  due: string;
  status: ActionStatus;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** When the owner is reminded next (open items past due: at due, then every week). */
  next_reminder_at?: string;
  reminders: number;
}
export const isOpenItem = (a: ActionItem) => a.status === 'open' || a.status === 'in_progress';

/** The human-written sections of a postmortem; the rest is drafted from the record. */
export interface PostmortemSections {
  summary: string;
  root_cause: string;
  impact: { users: string; data: string; financial: string };
  resolution: string;
  lessons: { went_well: string; could_improve: string };
}

/** An edit: any sections, and any fields of the nested ones. */
export type PostmortemEdit = Partial<Omit<PostmortemSections, 'impact' | 'lessons'>> & {
  impact?: Partial<PostmortemSections['impact']>;
  lessons?: Partial<PostmortemSections['lessons']>;
};

export interface Postmortem extends PostmortemSections {
  status: 'draft' | 'published';
  generated_at: string;
  edited_by?: string;
  published_by?: string;
  published_at?: string;
}

const minutes = (ms: number) =>
  ms < 60_000
    ? `${Math.round(ms / 1000)} s`
    : ms < 7_200_000
      ? `${Math.round(ms / 60_000)} min`
      : `${(ms / 3_600_000).toFixed(1)} h`;
/** "14:05 UTC" from an ISO timestamp, for timelines and drafts. */
export const hhmm = (iso: string) => `${iso.slice(11, 16)} UTC`;

/** Drafted on resolution from the real record; humans complete it. */
export function draftPostmortem(i: Incident, now: string): Postmortem {
  const duration = i.resolved_at ? minutes(Date.parse(i.resolved_at) - Date.parse(i.created_at)) : 'ongoing';
  const steps = i.runbooks.flatMap((r) =>
    r.steps
      .filter((s) => s.impact !== 'read' && s.status === 'succeeded')
      .map((s) => `${s.title} (runbook ${r.name}, ${s.finished_at ? hhmm(s.finished_at) : ''})`),
  );
  return {
    status: 'draft',
    generated_at: now,
    summary:
      `${i.severity} incident "${i.title}" affecting ${i.affected_services.join(', ') || 'unknown services'}, open for ${duration}. ${i.description}`.trim(),
    root_cause: i.root_cause ?? '',
    impact: { users: '', data: '', financial: '' },
    resolution: steps.length
      ? `Steps taken: ${steps.join('; ')}.`
      : 'Resolved by responders (no automated step recorded).',
    lessons: { went_well: '', could_improve: '' },
  };
}

/** Key events for the postmortem timeline: detection, acknowledgement, steps, approvals, pages, status changes. */
export function keyEvents(i: Incident): TimelineEntry[] {
  return i.timeline.filter(
    (e) =>
      e.kind === 'created' ||
      e.kind === 'acknowledged' ||
      e.kind === 'status' ||
      e.kind === 'approval' ||
      (e.kind === 'alert' && e.message.startsWith('Alert firing:')) ||
      (e.kind === 'runbook' && !e.message.includes(' started:') && !/^Step ".*" started/.test(e.message)) ||
      (e.kind === 'milestone' && e.message.includes('missed')) ||
      (e.kind === 'page' && e.message.startsWith('Paged')),
  );
}

export function postmortemMarkdown(i: Incident): string {
  const pm = i.postmortem ?? draftPostmortem(i, new Date().toISOString());
  const blank = (s: string) => s.trim() || '_(to be written)_';
  const items = i.action_items ?? [];
  return [
    `# Postmortem ${i.id}: ${i.title}`,
    '',
    `${i.severity} · ${i.affected_services.join(', ')} · status ${pm.status}${pm.published_at ? ` (published ${pm.published_at} by ${pm.published_by})` : ''}`,
    '',
    '## Summary',
    blank(pm.summary),
    '',
    `Detected ${i.created_at}; acknowledged ${i.acknowledged_at ?? '—'}; mitigated ${i.mitigated_at ?? '—'}; resolved ${i.resolved_at ?? '—'}.`,
    '',
    '## Timeline',
    ...keyEvents(i).map((e) => `- ${e.at} — ${e.actor}: ${e.message}`),
    '',
    '## Root cause',
    blank(pm.root_cause),
    '',
    '## Impact',
    `- Users: ${blank(pm.impact.users)}`,
    `- Data: ${blank(pm.impact.data)}`,
    `- Financial: ${blank(pm.impact.financial)}`,
    '',
    '## Resolution',
    blank(pm.resolution),
    '',
    '## Action items',
    ...(items.length
      ? items.map(
          (a) => `- [${isOpenItem(a) ? ' ' : 'x'}] ${a.title} — ${a.owner}, due ${a.due} (${a.status})`,
        )
      : ['_(none yet)_']),
    '',
    '## Lessons learned',
    `- What went well: ${blank(pm.lessons.went_well)}`,
    `- What could improve: ${blank(pm.lessons.could_improve)}`,
    '',
  ].join('\n');
}

/**
 * The next status update in the seeds' CAN format: Condition, Action, Need. External drafts
 * leave out internal details: runbook names, hosts, people.
 */
export function draftStatusUpdate(
  i: Incident,
  visibility: 'internal' | 'external',
  nextUpdateAt?: string,
): { message: string; status: string; visibility: typeof visibility } {
  const external = visibility === 'external';
  const services = i.affected_services.join(', ') || 'some services';
  const health = Object.entries(i.service_health ?? {}).map(
    ([s, h]) => `${s} ${h.health.replace(/_/g, ' ')}`,
  );
  const firing = i.alerts.filter((a) => a.status === 'firing');
  const condition = external
    ? `We are investigating ${i.status === 'resolved' ? 'a resolved' : 'an'} issue affecting ${services} since ${hhmm(i.created_at)}.`
    : `${i.severity} ${i.status}: ${i.title}. Affecting ${services}${health.length ? ` (${health.join(', ')})` : ''} since ${hhmm(i.created_at)}.${firing.length ? ` ${firing.length} alert(s) firing: ${firing.map((a) => a.summary).join('; ')}.` : ''}`;
  const done = i.runbooks.flatMap((r) =>
    r.steps
      .filter((s) => s.status === 'succeeded' && s.impact !== 'read')
      .map((s) => `${s.title} (${r.name})`),
  );
  const finished = i.runbooks
    .filter((r) => r.finished_at)
    .map((r) => `runbook ${r.name} ${r.status}${r.outcome ? ` (${r.outcome})` : ''}`);
  const running = i.runbooks.filter((r) => !r.finished_at);
  const action = external
    ? i.status === 'resolved'
      ? 'A fix is in place and we are monitoring.'
      : done.length || running.length
        ? 'Our engineers have applied mitigations and are working on a full fix.'
        : 'Our engineers are working on a fix.'
    : [
        i.assignee ? `${i.assignee} is leading the response.` : 'No one has taken the incident yet.',
        done.length ? `Done: ${done.join('; ')}.` : 'No remediation step has changed anything yet.',
        finished.length ? `Ran: ${finished.join('; ')}.` : '',
        running.length
          ? `Under way: ${running.map((r) => `runbook ${r.name} (${r.status})`).join(', ')}.`
          : '',
      ]
        .filter(Boolean)
        .join(' ');
  const pending = i.runbooks.flatMap((r) => r.approvals.filter((a) => a.status === 'pending'));
  const need = external
    ? 'No action is needed from you.'
    : pending.length
      ? `Approval needed for: ${pending.map((a) => `"${a.title}" (${a.impact}, expires ${hhmm(a.expires_at)})`).join(', ')}.`
      : i.assignee
        ? 'Nothing blocking.'
        : 'An owner: acknowledge the incident.';
  const next = nextUpdateAt ? `\nNext update by ${hhmm(nextUpdateAt)}.` : '';
  return {
    message: `Condition: ${condition}\nAction: ${action}\nNeed: ${need}${next}`,
    status: i.status,
    visibility,
  };
}
