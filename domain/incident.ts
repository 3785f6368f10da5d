import type { Severity } from './severity';
import type { IncidentRole, RoleHolder } from './roles';
import type { Status } from './lifecycle';
import type { AlertState } from './alerts';
import type { AlertCounts } from './alert-counts';
import type { TimelineArchive } from './timeline';
import type { RunbookRunRecord } from './runbook';
import type { EscalationState, Milestone, PageRecord } from './escalation';
import type { ActionItem, Evidence, Postmortem, ServiceHealth, StatusUpdate } from './record';

/** One entry of the append-only timeline: who did what, when. */
export interface TimelineEntry {
  at: string;
  actor: string;
  kind:
    | 'created'
    | 'acknowledged'
    | 'status'
    | 'note'
    | 'edit'
    | 'alert'
    | 'runbook'
    | 'approval'
    | 'milestone'
    | 'page'
    | 'evidence'
    | 'communication'
    | 'postmortem'
    | 'system';
  message: string;
  data?: Record<string, unknown>;
}

/** The whole incident record, held by its workflow and returned by the `incident` query. */
export interface Incident {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  status: Status;
  assignee?: string;
  /** Who holds each incident role now (assigned and handed over over the API). */
  roles?: Partial<Record<IncidentRole, RoleHolder>>;
  affected_services: string[];
  related_alerts: string[];
  root_cause?: string;
  created_by: string;
  created_at: string;
  acknowledged_at?: string;
  mitigated_at?: string;
  resolved_at?: string;
  closed_at?: string;
  /** Alerts that opened or joined this incident, one per fingerprint, for a bounded set (see alert_counts). */
  alerts: AlertState[];
  /** Exact counts over every alert received (absent on records from before them). */
  alert_counts?: AlertCounts;
  /** Fingerprints beyond the detailed ones, by hash: 1 firing, 0 resolved. Kept out of reads. */
  alert_index?: Record<string, 0 | 1>;
  /** Runbook runs on this incident, each with its steps and approvals. */
  runbooks: RunbookRunRecord[];
  /** The newest part of the timeline; older entries live in earlier runs (timeline_archive). */
  timeline: TimelineEntry[];
  /** Seq of timeline[0]: how many entries earlier runs hold. */
  timeline_offset?: number;
  /** The earlier runs that hold older entries, oldest first. */
  timeline_archive?: TimelineArchive[];
  /** ETA milestones (absent on incidents opened before escalation existed). */
  milestones?: Milestone[];
  escalation?: EscalationState;
  /** Pages, notifications and reminders sent, one per person per escalation step (the newest PAGE_RECORDS). */
  pages?: PageRecord[];
  /** Settled pages dropped from `pages` to keep it bounded (they stay on the timeline). */
  pages_omitted?: number;
  evidence?: Evidence[];
  /** Health per affected service, set by humans and runbooks. */
  service_health?: Record<string, ServiceHealth>;
  status_updates?: StatusUpdate[];
  /** Drafted when the incident is resolved. */
  postmortem?: Postmortem;
  action_items?: ActionItem[];
  /** Its Slack channel (config slack.incident_channels). */
  chat_channel?: { id: string; name: string; opened_at: string; archived_at?: string; topic?: string };
  /** The alert group (source + dedup key) that opened it, for recurrence metrics. */
  dedup_key?: string;
}

/** What a declaration (or the first alert of a group) says about a new incident. */
export interface NewIncident {
  title: string;
  description: string;
  severity: Severity;
  affected_services: string[];
  assignee?: string;
  related_alerts?: string[];
}

/** A new incident's record, before anything has happened to it. Used by the workflow and the API alike. */
export function newIncident(
  id: string,
  request: NewIncident,
  actor: string,
  created_at: string,
  dedup_key?: string,
): Incident {
  return {
    id,
    title: request.title,
    description: request.description,
    severity: request.severity,
    status: 'triggered',
    assignee: request.assignee,
    affected_services: [...request.affected_services],
    related_alerts: [...(request.related_alerts ?? [])],
    created_by: actor,
    created_at,
    alerts: [],
    runbooks: [],
    timeline: [],
    ...(dedup_key ? { dedup_key } : {}),
  };
}

/** One row of the incident list (from visibility, without querying the workflow). */
export interface IncidentRow {
  id: string;
  title: string;
  severity: Severity;
  status: Status;
  assignee: string | null;
  duration_ms: number;
  affected_services: string[];
  created_at: string;
  resolved_at: string | null;
}

/** Incident ids are short and human-friendly: INC-1001, INC-1002, … */
export const INCIDENT_ID_PATTERN = /^INC-\d+$/;
/** Visibility query for every incident's current run (a continued one's earlier runs are left out). */
export const INCIDENT_RUNS = `WorkflowType = 'incident' AND ExecutionStatus != 'ContinuedAsNew'`;
export const FIRST_INCIDENT_NUMBER = 1001;
export const incidentId = (n: number): string => `INC-${n}`;
export const incidentNumber = (id: string): number => Number(id.slice(4));

/** Time since creation, or time to resolution once resolved. */
export function durationMs(i: Pick<Incident, 'created_at' | 'resolved_at'>, now: Date): number {
  const end = i.resolved_at ? Date.parse(i.resolved_at) : now.getTime();
  return Math.max(0, end - Date.parse(i.created_at));
}
