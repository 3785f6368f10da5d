/**
 * Slack as a console: the slash command `/incident …` and the buttons on Tourniquet's
 * messages. Every request is checked against Slack's signature first; the Slack user acts
 * as the identity config maps them to, through the same route (role, schema, handler) as
 * HTTP, with Slack's trigger_id as the idempotency key. Slack waits three seconds: a slower
 * answer follows through the request's response_url.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SlackConfig } from '../../config/schema';
import { SLACK_ACTIONS } from '../../domain/slack';
import { INCIDENT_ID_PATTERN } from '../../domain/incident';
import type { TokenStore } from '../auth';
import type { Role } from '../../config/roles';
import { AuthenticationError, HttpError, parse } from '../errors';
import { withKey } from '../idempotency';
import { PATH_PARAMS, type Route, route } from '../route';
import { parseCommand, type SlackMessage, type SlackOperation } from '../slack/commands';
import { slackRequestProblem } from '../slack/signature';

const SlashCommand = z.object({
  command: z.string(),
  text: z.string().default(''),
  user_id: z.string().min(1),
  channel_name: z.string().optional(),
  response_url: z.url(),
  trigger_id: z.string().min(1),
});
const BlockActions = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().max(2000) })).min(1),
  response_url: z.url(),
  trigger_id: z.string().min(1),
});

export interface SlackDeps {
  slack?: SlackConfig;
  tokens: TokenStore;
  /** The whole API by operationId (filled once the table is built). */
  table: Map<string, Route>;
  publicUrl: string;
  logger: Logger;
}

export function slackRoutes(deps: SlackDeps): Route[] {
  const slack = new SlackConsole(deps);
  return [
    route({
      method: 'post',
      path: '/api/v1/slack/commands',
      auth: 'slack signature',
      raw: true,
      operationId: 'slackCommand',
      summary: 'Slack slash command /incident declare|ack|status|note|runbook (answers within 3 s)',
      handle: ({ req }) => slack.command(req),
    }),
    route({
      method: 'post',
      path: '/api/v1/slack/interactions',
      auth: 'slack signature',
      raw: true,
      operationId: 'slackInteraction',
      summary: "Slack buttons on Tourniquet's messages: acknowledge, approve, reject",
      handle: ({ req, res }) => slack.interaction(req, res),
    }),
  ];
}

const TOO_SLOW = Symbol('too slow');

class SlackConsole {
  private readonly users: Map<string, string>;

  constructor(private readonly d: SlackDeps) {
    this.users = new Map(Object.entries(d.slack?.users ?? {}));
  }

  /** The form fields of a request signed by Slack (401 otherwise). */
  private form(req: Request): URLSearchParams {
    const secret = this.d.slack?.signing_secret;
    if (!secret)
      throw new AuthenticationError(
        'Slack is not enabled here: set slack.signing_secret or TOURNIQUET_SLACK_SIGNING_SECRET',
      );
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const problem = slackRequestProblem(
      secret,
      req.header('x-slack-request-timestamp'),
      req.header('x-slack-signature'),
      body,
    );
    if (problem) throw new AuthenticationError(problem);
    return new URLSearchParams(body.toString('utf8'));
  }

  async command(req: Request): Promise<SlackMessage> {
    const c = parse(SlashCommand, Object.fromEntries(this.form(req)), 'slash command');
    const prefix = this.d.slack?.incident_channels?.prefix ?? 'inc-';
    // An incident's own channel (#inc-1001) names its incident; any other channel names none.
    const named = c.channel_name?.startsWith(prefix)
      ? `INC-${c.channel_name.slice(prefix.length)}`.toUpperCase()
      : undefined;
    const inChannel = named && INCIDENT_ID_PATTERN.test(named) ? named : undefined;
    const op = parseCommand(c.text, inChannel, this.d.publicUrl);
    if (!('operationId' in op)) return op;
    const work = this.run(c.user_id, op, c.trigger_id, req);
    const first = await Promise.race([work, delay(this.d.slack!.answer_within_ms)]);
    if (first !== TOO_SLOW) return first;
    void work.then((m) => this.followUp(c.response_url, m));
    return {
      response_type: 'ephemeral',
      text: `Working on \`${c.command} ${c.text}\`: the answer follows here.`,
    };
  }

  /** Buttons: Slack wants an empty 200 within 3 s; what happened goes to response_url. */
  async interaction(req: Request, res: Response): Promise<undefined> {
    const raw = this.form(req).get('payload') ?? '';
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const p = parse(BlockActions, json, 'payload');
    const work = Promise.all(
      p.actions.map(async (a, n) => {
        const op = buttonOperation(a.action_id, a.value);
        const said = 'operationId' in op ? await this.run(p.user.id, op, `${p.trigger_id}/${n}`, req) : op;
        await this.followUp(p.response_url, said);
      }),
    );
    await Promise.race([work, delay(this.d.slack!.answer_within_ms)]);
    res.status(200).end();
    return undefined;
  }

  /** Runs `op` as the Slack user's identity; every outcome, refusals included, is a message. */
  private async run(user: string, op: SlackOperation, trigger: string, req: Request): Promise<SlackMessage> {
    const identity = this.users.get(user);
    if (!identity)
      return {
        response_type: 'ephemeral',
        replace_original: false,
        text: `:no_entry: Your Slack user (${user}) is not linked to a Tourniquet identity: ask an admin to add it under slack.users.`,
      };
    try {
      const r = this.d.table.get(op.operationId)!;
      if (!this.d.tokens.identityHas(identity, r.auth as Role))
        return refusal(`${identity} lacks the ${r.auth} role for this`);
      const params = Object.fromEntries(
        Object.entries(op.params).map(([k, v]) => {
          const [schema, label] = PATH_PARAMS.get(k)!;
          return [k, parse(schema, v, label)];
        }),
      );
      const body = r.body ? parse(r.body, op.body ?? {}, 'command') : undefined;
      const fingerprint = sha256(JSON.stringify([op.operationId, params, body ?? null])).slice(0, 16);
      const answer = await withKey(`slack:${trigger}`, op.operationId, fingerprint, () =>
        r.handle({ req, res: undefined as never, params, query: undefined, body, actor: identity }),
      );
      return op.say(answer, identity);
    } catch (err) {
      if (err instanceof HttpError) return refusal(err.message);
      this.d.logger.error({ err, operation: op.operationId }, 'Slack command failed');
      return refusal('something went wrong on our side; see the server log');
    }
  }

  /** POSTs a later answer to Slack's response_url (only under the configured base). */
  private async followUp(url: string, message: SlackMessage): Promise<void> {
    if (!url.startsWith(this.d.slack!.response_url_base)) {
      this.d.logger.warn({ url }, 'Slack response_url outside slack.response_url_base: not answered');
      return;
    }
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: false, ...message }),
      signal: AbortSignal.timeout(10_000),
    })
      .then((r) => r.arrayBuffer())
      .catch((err: unknown) => this.d.logger.warn({ err }, 'Slack response_url did not take the answer'));
  }
}

/** A button's action as an operation (its value was written by activities/slack-messages.ts). */
function buttonOperation(actionId: string, value: string): SlackOperation | SlackMessage {
  const action = actionId.split(':')[0];
  const [id, approvalId = ''] = value.split('/');
  const done = (what: string) => (_a: unknown, who: string) =>
    ({
      response_type: 'in_channel',
      replace_original: false,
      text: `${id}: ${what} by ${who}`,
    }) as SlackMessage;
  if (action === SLACK_ACTIONS.acknowledge)
    return { operationId: 'acknowledgeIncident', params: { id }, body: {}, say: done('acknowledged') };
  if (action === SLACK_ACTIONS.approve)
    return {
      operationId: 'approveStep',
      params: { id, approvalId },
      body: { comment: 'approved in Slack' },
      say: done(`step ${approvalId} approved`),
    };
  if (action === SLACK_ACTIONS.reject)
    return {
      operationId: 'rejectStep',
      params: { id, approvalId },
      body: { reason: 'rejected in Slack' },
      say: done(`step ${approvalId} rejected`),
    };
  return refusal(`this button (${action}) is not one of Tourniquet's`);
}

const refusal = (text: string): SlackMessage => ({
  response_type: 'ephemeral',
  replace_original: false,
  text: `:warning: ${text}`,
});
const delay = (ms: number) => new Promise<typeof TOO_SLOW>((r) => setTimeout(() => r(TOO_SLOW), ms));
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
