/**
 * Escalation policy: who is paged, when, for which severity. Pure types and functions used
 * by the incident workflow (deterministically, with workflow time) and by the API.
 * "Severity, not noise, decides who gets woken up."
 */
import { own } from './own';
import { BusinessHours, isBusinessHours, nextBusinessDayEnd, onCallAt, Schedule } from './oncall';
import type { Severity } from './severity';
import type { IncidentRole } from './roles';
import { isActive, type Status } from './lifecycle';

/** A milestone target: seconds after the incident opened, or the end of the next business day. */
export type Due = number | 'next_business_day' | null;

export interface SeverityPolicy {
  acknowledge: Due;
  mitigate: Due;
  resolve: Due;
  /** Seconds between status updates; null = no cadence. */
  update_every: number | null;
  /** Page the escalation policy's first level as soon as the incident opens. */
  page: boolean;
  /** Roles paged on open as well (e.g. incident_commander for SEV1). */
  also_page: string[];
  /** Channels told on open (leadership, team, backlog). */
  notify: string[];
  /** Open a team ticket when the incident opens (through the notifiers that carry `ticket`). */
  ticket?: boolean;
  /** An incident commander is assigned by then, or the next level is paged (absent: no such milestone). */
  commander?: Due;
  /** Missed milestones page the next level (false: they are recorded, nobody is woken). */
  escalate: boolean;
  /** Pages outside business hours are allowed (false: held until business hours begin). */
  off_hours: boolean;
}

/** `incident_role`: whoever holds that role on the incident being paged for (none: nobody). */
export type Target =
  { person: string } | { schedule: string } | { role: string } | { incident_role: IncidentRole };

export interface EscalationLevel {
  targets: Target[];
  /** Seconds to wait for an acknowledgement before paging the next level. */
  timeout_seconds: number;
}

export interface EscalationPolicy {
  levels: EscalationLevel[];
  /** Times to go round all levels again after the last one. */
  repeat: number;
}

export interface NotifierRef {
  name: string;
  type: 'webhook' | 'slack' | 'log' | 'github' | 'statuspage';
  /** Which notifications it carries (default: all). */
  kinds?: NotificationKind[];
  /** For channel notifications: which channels (default: all). */
  channels?: string[];
}

/** Does this notifier carry a notification of `kind` to `to`? (Channel lists apply to channel notifications only.) */
export const notifierCarries = (n: NotifierRef, kind: NotificationKind, to: string): boolean =>
  (!n.kinds || n.kinds.includes(kind)) && (kind !== 'notify' || !n.channels || n.channels.includes(to));

export interface EscalationConfig {
  business_hours: BusinessHours;
  severities: Record<Severity, SeverityPolicy>;
  schedules: Record<string, Schedule>;
  roles: Record<string, Target[]>;
  policies: Record<string, EscalationPolicy>;
  /** Service → policy name; others use default_policy. */
  services: Record<string, string>;
  default_policy: string;
  notifiers: NotifierRef[];
  /** Where links in notifications point (the console and API). */
  public_url: string;
  temporal_ui_url?: string;
  /** Open action items past due remind their owner this often (seconds). */
  action_item_reminder_seconds: number;
  /** Who is paged when the engine itself cannot run a workflow (a person, schedule or role name). */
  engine_owner: string;
  /** Channels that receive every status update, internal and external (besides the severity's `notify`). */
  stakeholders?: string[];
  /** A Slack channel per incident of these severities (config slack.incident_channels). */
  incident_channels?: { severities: Severity[] };
  /** Off-hours pages a person takes within the window before non-SEV1 pages go to the next level. */
  page_budget?: { off_hours_pages: number; window_seconds: number };
}

/** The seeds' severity table. */
export const DEFAULT_SEVERITY_POLICIES: Record<Severity, SeverityPolicy> = {
  SEV1: {
    acknowledge: 180,
    mitigate: 1800,
    resolve: null,
    update_every: 900,
    commander: 600,
    page: true,
    also_page: ['incident_commander'],
    notify: ['leadership'],
    escalate: true,
    off_hours: true,
  },
  SEV2: {
    acknowledge: 900,
    mitigate: 3600,
    resolve: null,
    update_every: 1800,
    page: true,
    also_page: [],
    notify: [],
    escalate: true,
    off_hours: true,
  },
  SEV3: {
    acknowledge: 3600,
    mitigate: 'next_business_day',
    resolve: null,
    update_every: null,
    page: false,
    also_page: [],
    notify: ['team'],
    escalate: true,
    off_hours: false,
  },
  SEV4: {
    acknowledge: 'next_business_day',
    mitigate: null,
    resolve: null,
    update_every: null,
    page: false,
    also_page: [],
    notify: ['backlog'],
    ticket: true,
    escalate: false,
    off_hours: false,
  },
};

export const DEFAULT_ESCALATION: EscalationConfig = {
  business_hours: { timezone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
  severities: DEFAULT_SEVERITY_POLICIES,
  schedules: {},
  roles: {},
  policies: {},
  services: {},
  default_policy: 'default',
  notifiers: [{ name: 'log', type: 'log' }],
  public_url: 'http://localhost:3000',
  action_item_reminder_seconds: 7 * 86_400,
  engine_owner: 'engine-owner',
};

/** When a milestone falls due, or undefined when the severity sets none. */
export function dueAt(cfg: EscalationConfig, from: number, due: Due): number | undefined {
  if (due === null) return undefined;
  if (due === 'next_business_day') return nextBusinessDayEnd(cfg.business_hours, from);
  return from + due * 1000;
}

export interface Paged {
  person: string;
  /** How they were reached: "schedule primary", "role incident_commander", "person". */
  via: string;
}

/** The people behind targets at instant `at` (schedules resolved, roles expanded once, no repeats). */
export function resolveTargets(cfg: EscalationConfig, targets: Target[], at: number, depth = 0): Paged[] {
  const out: Paged[] = [];
  for (const t of targets) {
    if ('person' in t) out.push({ person: t.person, via: 'person' });
    else if ('schedule' in t) {
      const s = own(cfg.schedules, t.schedule);
      const who = s ? onCallAt(s, at).person : undefined;
      if (who) out.push({ person: who, via: `schedule ${t.schedule}` });
    } else if ('incident_role' in t) {
      continue; // resolved by the incident itself (Pager), which knows who holds it
    } else if (depth < 2) {
      out.push(
        ...resolveTargets(cfg, own(cfg.roles, t.role) ?? [], at, depth + 1).map((p) => ({
          ...p,
          via: `role ${t.role} (${p.via})`,
        })),
      );
    }
  }
  return out.filter((p, i) => out.findIndex((q) => q.person === p.person) === i);
}

/** A name used by runbooks ("platform-oncall"): a schedule, a role, a person, or a policy's first level. */
export function targetsNamed(cfg: EscalationConfig, name: string): Target[] {
  if (own(cfg.schedules, name)) return [{ schedule: name }];
  if (own(cfg.roles, name)) return [{ role: name }];
  const policy = own(cfg.policies, name);
  if (policy?.levels.length) return policy.levels[0].targets;
  return [{ person: name }];
}

export function policyFor(
  cfg: EscalationConfig,
  services: string[],
): { name: string; policy: EscalationPolicy } {
  const name =
    services.map((s) => own(cfg.services, s)).find((p) => p && own(cfg.policies, p)) ?? cfg.default_policy;
  return { name, policy: own(cfg.policies, name) ?? { levels: [], repeat: 0 } };
}

export const offHours = (cfg: EscalationConfig, at: number) => !isBusinessHours(cfg.business_hours, at);

// ---- What the incident records ----

/**
 * `ticket`: a team ticket (seed 004's SEV4), opened once per incident by a ticket notifier.
 * `status`: an external status update, for an external status page (public fields only).
 */
export const NOTIFICATION_KINDS = ['page', 'notify', 'reminder', 'ticket', 'status'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface Milestone {
  /** acknowledge | mitigate | resolve | update | step:<run>/<step> | runbook:<run> */
  name: string;
  due_at: string;
  status: 'pending' | 'met' | 'missed' | 'cancelled';
  at?: string;
  /** Who to page when missed, for runbook milestones (the runbook's escalation target). */
  target?: string;
}

/** Who an incident was assigned to, and whether acknowledged, when last looked at. */
export interface SeenAssignment {
  assignee?: string;
  acked: boolean;
}

/** Reassigning an acknowledged incident that is worked on hands it off: the new assignee, else undefined. */
export function handoffOf(
  seen: SeenAssignment,
  i: { assignee?: string; acknowledged_at?: string; status: Status },
): string | undefined {
  return i.assignee !== seen.assignee && i.assignee && seen.acked && isActive(i.status)
    ? i.assignee
    : undefined;
}

export interface EscalationState {
  policy: string;
  /** Highest level paged so far (-1: none yet). */
  level: number;
  round: number;
  /** Walking the levels until someone acknowledges. */
  active: boolean;
  /** When the next level is paged while active. */
  next_at?: string;
  /** Set by a reassignment until the new assignee acknowledges. */
  awaiting_ack?: string;
  /** Walks since the first (each handoff starts one): part of page keys, so a second walk pages again. */
  episode?: number;
}

/** A page as the on-call load report counts it: [person, sent at (ms), off hours (1/0), diverted from]. */
export type PageLogEntry = readonly [string, number, number, string?];

/** Visibility clause: incidents that can hold pages sent since `since` (still open, or closed since). */
export const holdsPagesSince = (since: number): string =>
  `(ExecutionStatus = 'Running' OR CloseTime >= '${new Date(since).toISOString()}')`;

export interface PageRecord {
  /** Idempotency key: the same escalation step never pages the same person twice. */
  key: string;
  kind: NotificationKind;
  /** A person for pages and reminders, a channel for notifications. */
  to: string;
  via?: string;
  reason: string;
  level?: number;
  /** The deadline that caused it (lateness = sent_at - due_at). */
  due_at: string;
  sent_at: string;
  off_hours: boolean;
  delivered_at?: string;
  error?: string;
  /** Sent here because this person was over the off-hours page budget. */
  diverted_from?: string;
}
