/**
 * Notifiers: a generic JSON webhook (HMAC-signed body), a Slack-compatible incoming webhook
 * and the log. One activity call delivers one notification through one notifier, so a
 * retry after a lost reply re-sends to that notifier only, with the same idempotency key.
 */
import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { createLinkToken } from '../common/links';
import { headline, Notification } from '../domain/notification';
import type { NotifierRef } from '../domain/escalation';
import { pagesSent } from '../common/metrics';
import { openTicket } from './tickets';
import { slackMessage } from './slack-messages';

export type NotifierConfig = NotifierRef & {
  url?: string;
  secret?: string;
  repo?: string;
  token?: string;
  /** Slack: the webhook belongs to the Tourniquet Slack app, so its buttons reach /api/v1/slack/interactions. */
  interactive?: boolean;
};

export interface NotifyDeps {
  logger: Logger;
  notifiers: NotifierConfig[];
  /** Signs approve/reject links in pages; absent = no links. */
  linkSecret?: string;
  /** Who may decide approvals (from the tokens); only they get approve/reject links. Absent = not known here. */
  approvers?: ReadonlySet<string>;
}

export const SIGNATURE_HEADER = 'x-tourniquet-signature';

export function createNotifyActivities(deps: NotifyDeps) {
  return {
    async deliverNotification({
      notifier,
      notification,
    }: {
      notifier: string;
      notification: Notification;
    }): Promise<{ delivered_at: string }> {
      const n = deps.notifiers.find((x) => x.name === notifier);
      if (!n)
        throw ApplicationFailure.nonRetryable(
          `no notifier named ${notifier} in this worker's config`,
          'InvalidInput',
        );
      // Signed links act as the person paged: only a webhook addressed to that person carries
      // them — never a log line, never a chat channel others read.
      const body =
        n.type === 'webhook' ? withLinks(notification, deps.linkSecret, deps.approvers) : notification;
      const count = (outcome: string) => pagesSent.inc({ kind: body.kind, notifier: n.name, outcome });
      if (n.type === 'log') {
        deps.logger.info({ notification: body }, headline(body));
      } else if (n.type === 'github') {
        const issue = await openTicket(n, body).catch((err: unknown) => {
          if (err instanceof ApplicationFailure) count('refused');
          throw err;
        });
        deps.logger.info(
          { incident: body.incident.id, issue: issue.html_url },
          `team ticket #${issue.number}`,
        );
      } else {
        const shaped =
          n.type === 'slack'
            ? slackMessage(body, n.interactive)
            : n.type === 'statuspage'
              ? statusPageUpdate(body)
              : body;
        const payload = JSON.stringify(shaped);
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'idempotency-key': body.idempotency_key,
        };
        if (n.secret)
          headers[SIGNATURE_HEADER] =
            `sha256=${createHmac('sha256', n.secret).update(payload).digest('hex')}`;
        const res = await fetch(n.url!, {
          method: 'POST',
          headers,
          body: payload,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        // 4xx other than 408/429 will not get better by retrying: stop and record it.
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          count('refused');
          throw ApplicationFailure.nonRetryable(
            `${n.name} refused the notification: HTTP ${res.status}`,
            'NotifierRefused',
          );
        }
        if (!res.ok) throw new Error(`${n.name} answered HTTP ${res.status}; retrying`);
      }
      count('delivered');
      return { delivered_at: new Date().toISOString() };
    },
  };
}
export type NotifyActivities = ReturnType<typeof createNotifyActivities>;

/** Signed one-click acknowledge and approve/reject links for the person paged (they act as themselves). */
function withLinks(
  n: Notification,
  secret: string | undefined,
  approvers?: ReadonlySet<string>,
): Notification & {
  approvals: (Notification['approvals'][number] & { approve_url?: string; reject_url?: string })[];
  links: Notification['links'] & { acknowledge_url?: string };
} {
  if (!secret || n.kind === 'notify' || n.signed_links === false) return n;
  const origin = new URL(n.links.incident).origin;
  const day = Math.floor(Date.now() / 1000) + 86_400;
  const acknowledge = `${origin}/api/v1/ack-links/${createLinkToken(secret, { incident: n.incident.id, identity: n.to, action: 'acknowledge', exp: day })}`;
  const link = (a: Notification['approvals'][number], decision: 'approve' | 'reject') =>
    `${origin}/api/v1/approval-links/${createLinkToken(secret, { incident: n.incident.id, approval: a.approval_id, identity: n.to, decision, exp: Math.floor(Date.parse(a.expires_at) / 1000) })}`;
  return {
    ...n,
    links: { ...n.links, acknowledge_url: acknowledge },
    // A typed name (an assignee, an action item's owner) without the approver role gets no approval links.
    approvals:
      approvers && !approvers.has(n.to)
        ? n.approvals
        : n.approvals.map((a) => ({ ...a, approve_url: link(a, 'approve'), reject_url: link(a, 'reject') })),
  };
}

/**
 * What an external status page receives (README "Public status page"): the incident's id and
 * public part with its newest external update — no title, people, hosts or runbooks.
 */
export function statusPageUpdate(n: Notification) {
  if (!n.public) throw ApplicationFailure.nonRetryable('not an external status update', 'InvalidInput');
  const { updates, omitted: _omitted, ...shown } = n.public;
  return { idempotency_key: n.idempotency_key, incident_id: n.incident.id, ...shown, update: updates[0] };
}
