/**
 * What a page says: the seeds' "first five seconds" — what broke, how bad, where to verify,
 * what to try first, who to call if stuck — plus acknowledge and approval links.
 */
import type { EscalationConfig, PageRecord } from './escalation';
import type { Incident } from './incident';
import { publicIncident, type PublicIncident } from './status-page';

export interface Notification {
  idempotency_key: string;
  kind: PageRecord['kind'];
  to: string;
  reason: string;
  level?: number;
  due_at: string;
  sent_at: string;
  incident: {
    id: string;
    title: string;
    severity: string;
    status: string;
    assignee?: string;
    affected_services: string[];
    created_at: string;
  };
  what_broke: string;
  impact: string;
  verify: { title: string; url: string }[];
  try_first: string;
  who_to_call: string;
  links: { incident: string; acknowledge: string; temporal?: string };
  /** false: no signed one-click links (the engine's own pages: there is nothing to acknowledge). */
  signed_links?: false;
  /** For an external status update (kind `status`): all a status page may show. */
  public?: PublicIncident;
  /** Pending approvals; the notifier adds signed approve/reject links for the person paged. */
  approvals: {
    run_id: string;
    approval_id: string;
    title: string;
    what: string;
    impact: string;
    expires_at: string;
  }[];
}

export function buildNotification(
  i: Incident,
  page: PageRecord,
  cfg: EscalationConfig,
  whoToCall: string,
): Notification {
  const firing = i.alerts.filter((a) => a.status === 'firing');
  const running = i.runbooks.find((r) => !r.finished_at) ?? i.runbooks[i.runbooks.length - 1];
  const api = `${cfg.public_url}/api/v1/incidents/${i.id}`;
  return {
    idempotency_key: page.key,
    kind: page.kind,
    to: page.to,
    reason: page.reason,
    level: page.level,
    due_at: page.due_at,
    sent_at: page.sent_at,
    incident: {
      id: i.id,
      title: i.title,
      severity: i.severity,
      status: i.status,
      assignee: i.assignee,
      affected_services: i.affected_services,
      created_at: i.created_at,
    },
    what_broke: firing.length ? `${i.title}: ${firing.map((a) => a.summary).join('; ')}` : i.title,
    impact: `${i.severity} on ${i.affected_services.join(', ') || 'unknown services'}${i.description ? ` — ${i.description}` : ''}`,
    verify: [
      ...i.alerts.filter((a) => a.url).map((a) => ({ title: a.summary, url: a.url! })),
      { title: 'Incident', url: `${cfg.public_url}/incidents/${i.id}` },
    ],
    try_first: running
      ? `Runbook ${running.name} (${running.status})`
      : "No runbook is running: start one from the catalogue or follow the service owner's playbook",
    who_to_call: whoToCall,
    links: {
      incident: `${cfg.public_url}/incidents/${i.id}`,
      acknowledge: `${api}/acknowledge`,
      ...(cfg.temporal_ui_url ? { temporal: `${cfg.temporal_ui_url}/workflows/${i.id}` } : {}),
    },
    ...(page.kind === 'status' ? { public: publicIncident(i) } : {}),
    approvals: i.runbooks.flatMap((r) =>
      r.approvals
        .filter((a) => a.status === 'pending')
        .map((a) => ({
          run_id: r.run_id,
          approval_id: a.id,
          title: a.title,
          what: a.what,
          impact: a.impact,
          expires_at: a.expires_at,
        })),
    ),
  };
}

/** One line for chat and logs. */
export function headline(n: Notification): string {
  const verb = { page: 'PAGE', reminder: 'Reminder', ticket: 'Ticket', notify: 'FYI', status: 'Status' }[
    n.kind
  ];
  return `[${verb}] ${n.incident.severity} ${n.incident.id} ${n.incident.title} — ${n.reason}`;
}
