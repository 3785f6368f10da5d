/**
 * An incident's Slack channel through the Web API (bot token): created once per incident
 * (a retry finds it by name), its topic the incident's summary, the people paged invited,
 * messages posted once each (their key in the message's metadata, looked up before
 * posting), archived when the incident closes. The base URL is configurable, so the same
 * code talks to Slack or to a test receiver.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorCode, WebClient, type WebAPIPlatformError } from '@slack/web-api';
import type { SlackConfig } from '../config/schema';
import type { Notification } from '../domain/notification';
import { slackMessage } from './slack-messages';

export interface ChannelRef {
  id: string;
  name: string;
}

/** Slack's error code of a failed call ("name_taken"), if Slack answered one. */
const slackError = (err: unknown): string | undefined =>
  (err as { code?: string }).code === ErrorCode.PlatformError
    ? (err as WebAPIPlatformError).data.error
    : undefined;

/** Errors that will not get better by retrying (a bad token, a missing scope). */
const FATAL = new Set(['invalid_auth', 'not_authed', 'missing_scope', 'account_inactive', 'invalid_name']);

async function call<T>(what: string, fn: () => Promise<T>, fine: string[] = []): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    const code = slackError(err);
    if (code && fine.includes(code)) return undefined;
    if (code && FATAL.has(code))
      throw ApplicationFailure.nonRetryable(`Slack refused ${what}: ${code}`, 'SlackRefused');
    throw err; // rate limited, unreachable, 5xx: Temporal retries
  }
}

export function createSlackActivities(slack?: SlackConfig) {
  const web = () => {
    if (!slack?.bot_token)
      throw ApplicationFailure.nonRetryable('no Slack bot token in this worker’s config', 'SlackRefused');
    // Temporal retries the activity; the client itself does not retry or queue.
    return new WebClient(slack.bot_token, {
      slackApiUrl: slack.api_url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 10_000,
    });
  };
  const channelName = (incidentId: string) =>
    `${slack?.incident_channels?.prefix ?? 'inc-'}${incidentId.toLowerCase().replace(/^inc-/, '')}`;
  /** The Slack users of these identities (unmapped ones have none), and the response group when a channel opens. */
  const slackIds = (people: string[], group: boolean) => {
    const byIdentity = new Map(Object.entries(slack?.users ?? {}).map(([id, who]) => [who, id]));
    const ids = people.flatMap((p) => byIdentity.get(p) ?? []);
    return [...new Set([...(group ? (slack?.incident_channels?.invite ?? []) : []), ...ids])];
  };

  /** The channel named `name`, if it exists (a create whose answer was lost). */
  async function find(client: WebClient, name: string): Promise<ChannelRef | undefined> {
    for await (const page of client.paginate('conversations.list', {
      types: 'public_channel',
      exclude_archived: true,
      limit: 200,
    })) {
      const channels = (page as { channels?: { id: string; name: string }[] }).channels ?? [];
      const found = channels.find((c) => c.name === name);
      if (found) return { id: found.id, name: found.name };
    }
    return undefined;
  }

  async function invite(
    client: WebClient,
    channel: string,
    people: string[],
    group = false,
  ): Promise<number> {
    const users = slackIds(people, group);
    if (!users.length) return 0;
    await call(
      'conversations.invite',
      () => client.conversations.invite({ channel, users: users.join(','), force: true }),
      ['already_in_channel', 'cant_invite_self'],
    );
    return users.length;
  }

  const setTopic = (client: WebClient, channel: string, topic: string) =>
    call('conversations.setTopic', () =>
      client.conversations.setTopic({ channel, topic: topic.slice(0, 250) }),
    );

  return {
    /** Creates (or finds) the incident's channel, sets its topic and invites the people named. */
    async openIncidentChannel({
      incident,
      topic,
      people,
    }: {
      incident: string;
      topic: string;
      people: string[];
    }): Promise<ChannelRef & { invited: number }> {
      const client = web();
      const name = channelName(incident);
      const created = await call('conversations.create', () => client.conversations.create({ name }), [
        'name_taken',
      ]);
      const channel = created?.channel?.id ? { id: created.channel.id, name } : await find(client, name);
      if (!channel) throw new Error(`Slack says #${name} is taken but does not list it; retrying`);
      await setTopic(client, channel.id, topic);
      return { ...channel, invited: await invite(client, channel.id, people, true) };
    },

    /** The channel's topic (the incident's summary, as it is now). */
    async setIncidentChannelTopic({ channel, topic }: { channel: string; topic: string }): Promise<void> {
      await setTopic(web(), channel, topic);
    },

    async inviteToIncidentChannel({
      channel,
      people,
    }: {
      channel: string;
      people: string[];
    }): Promise<number> {
      return invite(web(), channel, people);
    },

    /** Posts a notification once: a message carrying its key in the channel's recent history is not posted again. */
    async postToIncidentChannel({
      channel,
      notification,
    }: {
      channel: string;
      notification: Notification;
    }): Promise<{ ts?: string; already?: true }> {
      const client = web();
      const key = notification.idempotency_key;
      const history = await call('conversations.history', () =>
        client.conversations.history({ channel, limit: 100, include_all_metadata: true }),
      );
      const posted = history?.messages?.find(
        (m) => (m.metadata?.event_payload as Record<string, unknown> | undefined)?.key === key,
      );
      if (posted) return { ts: posted.ts, already: true };
      const message = slackMessage(notification, true);
      const sent = await call('chat.postMessage', () =>
        client.chat.postMessage({
          channel,
          ...message,
          metadata: { event_type: 'tourniquet_notification', event_payload: { key } },
        }),
      );
      return { ts: sent?.ts };
    },

    async archiveIncidentChannel({ channel }: { channel: string }): Promise<void> {
      const client = web();
      await call('conversations.archive', () => client.conversations.archive({ channel }), [
        'already_archived',
        'channel_not_found',
      ]);
    },
  };
}
export type SlackActivities = ReturnType<typeof createSlackActivities>;
