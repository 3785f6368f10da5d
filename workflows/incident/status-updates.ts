/** Status updates reach people: each goes to the incident's channels once (PATCH.publishedUpdates). */
import type { EscalationConfig } from '../../domain/escalation';
import { truncate } from '../../domain/limits';
import type { Pager } from './paging';
import type { IncidentState } from './state';

/** An update as posted, numbered within its incident (the page key names it). */
export interface PostedUpdate {
  n: number;
  visibility: string;
  status: string;
  message: string;
}

/**
 * Sends `u` to each of the severity's `notify` channels and the stakeholders' once, and an
 * external one to the status page notifiers as a `status` notification (PATCH.statusPageWebhooks).
 */
export function sendStatusUpdate(
  s: IncidentState,
  pager: Pager,
  cfg: EscalationConfig,
  u: PostedUpdate,
): void {
  const channels = [...cfg.severities[s.incident.severity].notify, ...(cfg.stakeholders ?? [])];
  const reason = truncate(`Status update (${u.visibility}, ${u.status}): ${u.message}`, 2_000);
  for (const channel of new Set(channels))
    pager.send(
      { person: channel, via: 'channel' },
      { kind: 'notify', reason, cause: `update-${u.n}`, due: Date.now() },
    );
  s.chat?.post(`${s.incident.id}/update-${u.n}`, reason);
  if (s.feedsStatusPages && u.visibility === 'external')
    pager.send(
      { person: 'status page', via: 'status page' },
      {
        kind: 'status',
        reason: `external status update (${u.status})`,
        cause: `update-${u.n}`,
        due: Date.now(),
      },
    );
}
