/**
 * The incident's Slack channel (config slack.incident_channels, read with the escalation
 * config): opened once the severity calls for one, the people paged and the role holders
 * invited as they come, status updates and approvals posted with buttons, archived when
 * the incident closes. Its operations run one after another (an archive never overtakes the
 * create); continue-as-new waits for them. Config-driven: runs read without it do nothing new.
 */
import * as wf from '@temporalio/workflow';
import type { SlackActivities } from '../../activities/slack';
import { nowIso } from '../../domain/clock';
import type { EscalationConfig } from '../../domain/escalation';
import { buildNotification } from '../../domain/notification';
import { errorMessage } from '../failures';
import type { IncidentState } from './state';

const slack = wf.proxyActivities<SlackActivities>({
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: ['SlackRefused'],
  },
});

export class IncidentChannel {
  private queue: Promise<void> = Promise.resolve();
  private opening = false;
  private archiving = false;

  private constructor(
    private readonly s: IncidentState,
    private readonly cfg: EscalationConfig,
    private readonly severities: readonly string[],
  ) {}

  static for(s: IncidentState, cfg: EscalationConfig): IncidentChannel | undefined {
    const want = cfg.incident_channels;
    return want ? new IncidentChannel(s, cfg, want.severities) : undefined;
  }

  /** After every change: open the channel when the severity calls for one, archive it once closed. */
  sync(): void {
    const i = this.s.incident;
    const ch = i.chat_channel;
    if (!ch && !this.opening && i.status !== 'closed' && this.severities.includes(i.severity)) {
      this.opening = true;
      this.then(() => this.open());
    }
    if (ch && !ch.archived_at && i.status !== 'closed' && this.s.followsTopic) this.followTopic(ch);
    if (ch && !ch.archived_at && !this.archiving && i.status === 'closed') {
      this.archiving = true;
      this.then(async () => {
        await slack.archiveIncidentChannel({ channel: ch.id });
        ch.archived_at = nowIso();
        this.s.record('tourniquet', 'system', `Slack channel #${ch.name} archived`);
      });
    }
  }

  /** The topic says how the incident is now: set again when severity, status or title change. */
  private followTopic(ch: NonNullable<IncidentState['incident']['chat_channel']>): void {
    const topic = this.topic();
    if (ch.topic === topic) return;
    ch.topic = topic;
    this.then(() => slack.setIncidentChannelTopic({ channel: ch.id, topic }));
  }

  private topic(): string {
    const i = this.s.incident;
    return `${i.severity} ${i.status}: ${i.title} · ${this.cfg.public_url}/incidents/${i.id}`;
  }

  /** Someone now involved (paged, given a role): into the channel, if there is one. */
  invite(person: string): void {
    if (!this.s.incident.chat_channel && !this.opening) return;
    this.then(async () => {
      const ch = this.s.incident.chat_channel;
      if (ch && !ch.archived_at) await slack.inviteToIncidentChannel({ channel: ch.id, people: [person] });
    });
  }

  /** Posts once (the key is checked in the channel before posting), with buttons. */
  post(key: string, reason: string): void {
    if (!this.s.incident.chat_channel && !this.opening) return;
    this.then(async () => {
      const ch = this.s.incident.chat_channel;
      if (!ch || ch.archived_at) return;
      const now = nowIso();
      const page = {
        key,
        kind: 'notify' as const,
        to: ch.name,
        reason,
        due_at: now,
        sent_at: now,
        off_hours: false,
      };
      const holder = this.s.incident.roles?.commander?.person;
      const notification = buildNotification(
        this.s.incident,
        page,
        this.cfg,
        holder ?? 'the incident commander',
      );
      await slack.postToIncidentChannel({ channel: ch.id, notification });
    });
  }

  /** Before continue-as-new: the channel's operations have finished. */
  async drain(): Promise<void> {
    let last;
    do {
      last = this.queue;
      await last;
    } while (last !== this.queue);
  }

  private async open(): Promise<void> {
    const i = this.s.incident;
    const people = [
      ...(i.pages ?? []).filter((p) => p.kind === 'page').map((p) => p.to),
      ...Object.values(i.roles ?? {}).map((r) => r.person),
      ...(i.assignee ? [i.assignee] : []),
    ];
    const topic = this.topic();
    const ch = await slack.openIncidentChannel({ incident: i.id, topic, people: [...new Set(people)] });
    i.chat_channel = {
      id: ch.id,
      name: ch.name,
      opened_at: nowIso(),
      ...(this.s.followsTopic ? { topic } : {}),
    };
    this.s.record('tourniquet', 'system', `Slack channel #${ch.name} opened (${ch.invited} invited)`, {
      channel: ch.id,
    });
    this.post(`${i.id}/slack-channel`, `Incident channel for ${i.id}: follow, acknowledge and approve here`);
    this.s.publish();
  }

  /** Runs `op` after the ones before it; a failure is on the timeline, the next op still runs. */
  private then(op: () => Promise<void>): void {
    this.queue = this.queue.then(op).catch((err) => {
      this.s.record('tourniquet', 'system', `Slack: ${errorMessage(err)}`);
      // A channel that could not be opened or archived is tried again at the next change.
      this.opening = !!this.s.incident.chat_channel;
      this.archiving = false;
    });
  }
}
