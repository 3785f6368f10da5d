/**
 * Block Kit messages for Slack: a page, notification or status update as Slack shows it,
 * with buttons (acknowledge, approve, reject) when it is posted by the Tourniquet Slack app
 * — a button acts as the Slack user who presses it (api/routes/slack.ts), never as the
 * person paged, so buttons are safe in channels where signed links are not.
 */
import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { headline, type Notification } from '../domain/notification';
import { SLACK_ACTIONS } from '../domain/slack';

export function slackMessage(
  n: Notification & { links: { acknowledge_url?: string } },
  interactive = false,
): { text: string; blocks: KnownBlock[] } {
  const field = (label: string, value: string) => ({
    type: 'mrkdwn' as const,
    text: `*${label}*\n${value}`.slice(0, 2000),
  });
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: `${n.incident.severity} ${n.incident.id}: ${n.incident.title}`.slice(0, 150),
      },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${n.kind === 'page' ? `:rotating_light: Paging *${n.to}*` : n.kind === 'reminder' ? `Reminder for *${n.to}*` : `For #${n.to}`}: ${n.reason}`.slice(
          0,
          3000,
        ),
      },
    },
    {
      type: 'section',
      fields: [
        field('What broke', n.what_broke),
        field('Impact', n.impact),
        field('Try first', n.try_first),
        field('Who to call', n.who_to_call),
      ],
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: n.verify
          .map((v) => `<${v.url}|${v.title}>`)
          .join(' · ')
          .slice(0, 3000),
      },
    },
    ...(interactive ? buttons(n) : []),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${n.links.acknowledge_url ? `<${n.links.acknowledge_url}|Acknowledge>` : `Acknowledge: ${n.links.acknowledge}`} · key ${n.idempotency_key}`,
        },
      ],
    },
  ];
  return { text: headline(n), blocks };
}

/** Acknowledge while triggered, approve/reject for each pending approval (Slack allows 25 elements a block). */
function buttons(n: Notification): ActionsBlock[] {
  const button = (text: string, action_id: string, value: string, style?: 'primary' | 'danger'): Button => ({
    type: 'button',
    text: { type: 'plain_text', text: text.slice(0, 75) },
    action_id: `${action_id}:${value}`.slice(0, 255),
    value,
    ...(style ? { style } : {}),
  });
  const elements: Button[] = [];
  if (n.incident.status === 'triggered')
    elements.push(button('Acknowledge', SLACK_ACTIONS.acknowledge, n.incident.id, 'primary'));
  for (const a of n.approvals.slice(0, 12)) {
    const value = `${n.incident.id}/${a.approval_id}`;
    elements.push(button(`Approve: ${a.title}`, SLACK_ACTIONS.approve, value, 'primary'));
    elements.push(button(`Reject: ${a.title}`, SLACK_ACTIONS.reject, value, 'danger'));
  }
  if (!elements.length) return []; // Slack refuses an empty actions block
  return [{ type: 'actions', block_id: `tourniquet:${n.idempotency_key}`.slice(0, 255), elements }];
}
