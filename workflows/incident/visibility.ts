/**
 * The incident as Temporal visibility lists it: search attributes to filter and sort by,
 * and a memo for list rows and metrics. One definition for the workflow (which keeps them
 * in step with the record) and the API (which sets them when it starts a workflow).
 */
import * as wf from '@temporalio/workflow';
import type { SearchAttributePair, SearchAttributeUpdatePair } from '@temporalio/common';
import type { Incident } from '../../domain/incident';
import type { PageLogEntry, PageRecord } from '../../domain/escalation';
import { isOpenItem } from '../../domain/record';
import { fitList, truncate } from '../../domain/limits';
import { type IncidentMemo, SA } from '../definitions';
import { PATCH } from '../patches';
import { publicIncident } from '../../domain/status-page';

/** Pages per person for the on-call load report, compact enough for the memo. */
const pageLog = (pages: PageRecord[]) =>
  pages
    .filter((p) => p.kind === 'page')
    .map((p): PageLogEntry => {
      const entry = [p.to, Date.parse(p.sent_at), p.off_hours ? 1 : 0] as const;
      return p.diverted_from ? [...entry, p.diverted_from] : entry;
    });

/** The search attributes of an incident; null clears one. */
export function searchAttributes(i: Incident): SearchAttributeUpdatePair[] {
  return [
    { key: SA.severity, value: i.severity },
    { key: SA.status, value: i.status },
    { key: SA.assignee, value: i.assignee ? truncate(i.assignee, 500) : null },
    { key: SA.services, value: fitList(i.affected_services) },
    { key: SA.acknowledgedAt, value: i.acknowledged_at ? new Date(i.acknowledged_at) : null },
    { key: SA.resolvedAt, value: i.resolved_at ? new Date(i.resolved_at) : null },
  ];
}

/** The search attributes a workflow starts with (a start cannot clear, so the empty ones are left out). */
export const startSearchAttributes = (i: Incident): SearchAttributePair[] =>
  searchAttributes(i).filter((p): p is SearchAttributePair => p.value !== null);

/** The memo; `rich` adds the metrics fields (incidents opened before them keep the memo they had). */
export function incidentMemo(i: Incident, rich: boolean): IncidentMemo {
  const memo: IncidentMemo = {
    title: i.title,
    created_at: i.created_at,
    resolved_at: i.resolved_at,
    ...(i.pages ? { pages: pageLog(i.pages) } : {}),
  };
  if (!rich) return memo;
  const items = i.action_items ?? [];
  return Object.assign(memo, {
    mitigated_at: i.mitigated_at,
    dedup_key: i.dedup_key,
    actions: [items.filter(isOpenItem).length, items.length],
    postmortem: i.postmortem?.status,
    approvals_pending: i.runbooks.reduce(
      (n, r) => n + r.approvals.filter((a) => a.status === 'pending').length,
      0,
    ),
  });
}

/** For the internal status board: who holds each role, and the newest update of either kind. */
function internalStatus(i: Incident): Pick<IncidentMemo, 'roles' | 'last_update'> {
  const roles = Object.entries(i.roles ?? {}).map(([role, h]) => [role, truncate(h.person, 100)] as const);
  const u = i.status_updates?.[i.status_updates.length - 1];
  return {
    ...(roles.length ? { roles: Object.fromEntries(roles) } : {}),
    ...(u
      ? {
          last_update: {
            visibility: u.visibility,
            status: u.status,
            message: truncate(u.message, 300),
            at: u.created_at,
          },
        }
      : {}),
  };
}

/**
 * Keeps visibility in step with the record, so lists and filters come from Temporal alone.
 * Upserts only when a listed field changed: repeats of an alert in a storm add nothing to history.
 */
export class Visibility {
  private listed = '';

  constructor(
    private readonly incident: Incident,
    private readonly richMemo: boolean,
    private readonly patched: (id: string) => boolean,
    /** Runs from before the status page (or the internal board) keep the memo and attributes they had. */
    private readonly has: { published: boolean; internal: boolean },
  ) {}

  publish(): void {
    const i = this.incident;
    const shown = this.has.published ? publicIncident(i) : undefined;
    const memo = {
      ...incidentMemo(i, this.richMemo),
      ...(shown ? { public: shown } : {}),
      ...(this.has.internal ? internalStatus(i) : {}),
    };
    const listed = JSON.stringify([
      i.severity,
      i.status,
      i.assignee,
      i.affected_services,
      i.acknowledged_at,
      memo,
    ]);
    if (this.patched(PATCH.publishOnChange) && listed === this.listed) return;
    this.listed = listed;
    // Stamped with the time of the change: the API's list index re-reads only rows changed since.
    const stamp = this.patched(PATCH.listedAt) ? [{ key: SA.listedAt, value: new Date() }] : [];
    const flag = shown ? [{ key: SA.public, value: 'yes' }] : [];
    wf.upsertSearchAttributes([...searchAttributes(i), ...stamp, ...flag]);
    wf.upsertMemo({ ...memo });
  }
}
