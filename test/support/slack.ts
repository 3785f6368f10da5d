/**
 * Slack on loopback, built from Slack's documented shapes (api.slack.com/methods, Block Kit,
 * interactivity): the Web API methods an incident channel uses, each checking the HTTP
 * method, the bot token and its arguments as Slack does and answering Slack's
 * `{ok, error}`; response_url endpoints that record follow-ups; and requests *from* Slack
 * (slash commands, button presses) signed the way Slack signs them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { slackSignature } from '../../api/slack/signature';

export interface Channel {
  id: string;
  name: string;
  topic: string;
  members: string[];
  archived: boolean;
  messages: { ts: string; text: string; blocks: any[]; metadata?: any }[];
}
export interface Call {
  method: string;
  args: Record<string, any>;
}
export interface FakeSlack {
  url: string;
  /** The Web API base (config slack.api_url). */
  apiUrl: string;
  /** Where response_urls point (config slack.response_url_base). */
  responseBase: string;
  channels: Channel[];
  calls: Call[];
  /** Calls refused for a wrong HTTP method, token or arguments: a test expects none. */
  violations: string[];
  /** Follow-ups posted to response_urls, by the url's last segment. */
  responses: { hook: string; body: any }[];
  /** Messages posted to the incoming webhook (`${url}/services/…`). */
  webhookMessages: any[];
  /** Methods whose next call acts and then answers 500 (a reply lost on the way). */
  loseReply: Set<string>;
  close(): Promise<void>;
}

const ARGS: Record<string, string[]> = {
  'conversations.create': ['name'],
  'conversations.setTopic': ['channel', 'topic'],
  'conversations.invite': ['channel', 'users'],
  'conversations.archive': ['channel'],
  'conversations.history': ['channel'],
  'conversations.list': [],
  'chat.postMessage': ['channel'],
};

export async function startSlack(token: string): Promise<FakeSlack> {
  const s: Partial<FakeSlack> = {
    channels: [],
    calls: [],
    violations: [],
    responses: [],
    webhookMessages: [],
    loseReply: new Set(),
  };
  let seq = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const send = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const url = new URL(req.url ?? '/', 'http://slack');
      if (url.pathname.startsWith('/response/')) {
        s.responses!.push({ hook: url.pathname.slice('/response/'.length), body: JSON.parse(raw) });
        return send(200, { ok: true });
      }
      if (url.pathname.startsWith('/services/')) {
        // An incoming webhook: Slack answers "ok" as text, or invalid_blocks as a 400.
        const message = JSON.parse(raw);
        const problem = !message.text ? 'no_text' : blockProblem(message.blocks ?? []);
        if (problem) {
          s.violations!.push(`incoming webhook: ${problem}`);
          return res.writeHead(400).end('invalid_blocks');
        }
        s.webhookMessages!.push(message);
        return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      }
      const method = url.pathname.replace(/^\/api\//, '');
      const refuse = (why: string, error: string) => {
        s.violations!.push(`${method}: ${why}`);
        return send(200, { ok: false, error });
      };
      if (req.method !== 'POST') return refuse(`HTTP ${req.method}`, 'method_not_allowed');
      if (req.headers.authorization !== `Bearer ${token}`)
        return refuse('wrong or missing token', 'invalid_auth');
      if (!Object.hasOwn(ARGS, method))
        return refuse('not a method Tourniquet should call', 'unknown_method');
      const args = parseArgs(req.headers['content-type'] ?? '', raw);
      const missing = ARGS[method].filter((a) => args[a] === undefined || args[a] === '');
      if (missing.length) return refuse(`missing ${missing.join(', ')}`, 'invalid_arguments');
      s.calls!.push({ method, args });
      const answer = web(s as FakeSlack, method, args, () => `C${String(++seq).padStart(8, '0')}`);
      if ('violation' in answer) return refuse(answer.violation, 'invalid_arguments');
      if (s.loseReply!.delete(method)) return send(500, { ok: false, error: 'internal_error' });
      return send(200, answer);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.apiUrl = `${s.url}/api/`;
  s.responseBase = `${s.url}/response/`;
  s.close = () => new Promise((r) => server.close(() => r()));
  return s as FakeSlack;
}

const JSON_ARGS = new Set(['blocks', 'metadata', 'attachments']);

/** Form-encoded (what Slack's SDK sends; nested values JSON-encoded) or JSON. */
function parseArgs(type: string, raw: string): Record<string, any> {
  if (type.startsWith('application/json')) return JSON.parse(raw || '{}');
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = JSON_ARGS.has(k) ? JSON.parse(v) : v;
  return out;
}

/** One Web API method as Slack documents it: its answer, or why Slack would refuse the call. */
function web(s: FakeSlack, method: string, a: Record<string, any>, newId: () => string): any {
  const channel = s.channels.find((c) => c.id === a.channel);
  if (method === 'conversations.create') {
    if (!/^[a-z0-9_-]{1,80}$/.test(a.name)) return { ok: false, error: 'invalid_name_specials' };
    if (s.channels.some((c) => c.name === a.name)) return { ok: false, error: 'name_taken' };
    const c: Channel = { id: newId(), name: a.name, topic: '', members: [], archived: false, messages: [] };
    s.channels.push(c);
    return { ok: true, channel: { id: c.id, name: c.name, is_channel: true } };
  }
  if (method === 'conversations.list') {
    const limit = Number(a.limit ?? 100);
    const from = Number(a.cursor || 0);
    const listed = s.channels.filter((c) => !(String(a.exclude_archived) === 'true' && c.archived));
    const page = listed.slice(from, from + limit);
    const next = from + limit < listed.length ? String(from + limit) : '';
    return {
      ok: true,
      channels: page.map((c) => ({ id: c.id, name: c.name })),
      response_metadata: { next_cursor: next },
    };
  }
  if (!channel) return { ok: false, error: 'channel_not_found' };
  if (channel.archived && method !== 'conversations.history')
    return { ok: false, error: method === 'conversations.archive' ? 'already_archived' : 'is_archived' };
  switch (method) {
    case 'conversations.setTopic':
      if (String(a.topic).length > 250) return { violation: 'topic longer than 250 characters' };
      channel.topic = a.topic;
      return { ok: true, channel: { id: channel.id, topic: { value: a.topic } } };
    case 'conversations.invite': {
      const users = String(a.users).split(',');
      if (users.some((u) => !/^[UW][A-Z0-9]+$/.test(u)))
        return { violation: `users must be user ids: ${a.users}` };
      const fresh = users.filter((u) => !channel.members.includes(u));
      if (!fresh.length) return { ok: false, error: 'already_in_channel' };
      channel.members.push(...fresh);
      return { ok: true, channel: { id: channel.id } };
    }
    case 'conversations.archive':
      channel.archived = true;
      return { ok: true };
    case 'conversations.history': {
      const withMeta = String(a.include_all_metadata) === 'true';
      const messages = [...channel.messages]
        .reverse()
        .map((m) => (withMeta ? m : { ...m, metadata: undefined }));
      return { ok: true, messages: messages.slice(0, Number(a.limit ?? 100)), has_more: false };
    }
    case 'chat.postMessage': {
      if (!a.text && !a.blocks) return { violation: 'text or blocks is required' };
      const problem = blockProblem(a.blocks ?? []);
      if (problem) return { violation: problem };
      const ts = `${Math.floor(Date.now() / 1000)}.${String(channel.messages.length).padStart(6, '0')}`;
      channel.messages.push({ ts, text: a.text, blocks: a.blocks ?? [], metadata: a.metadata });
      return { ok: true, channel: channel.id, ts };
    }
  }
}

/** Block Kit limits Slack enforces (invalid_blocks otherwise). */
function blockProblem(blocks: any[]): string | undefined {
  if (blocks.length > 50) return 'more than 50 blocks';
  for (const b of blocks) {
    if (b.type === 'header' && (b.text?.type !== 'plain_text' || b.text.text.length > 150))
      return 'bad header';
    if (b.type === 'section' && b.text && b.text.text.length > 3000) return 'section text over 3000';
    if (b.type === 'actions') {
      if (!b.elements?.length || b.elements.length > 25) return 'actions block needs 1-25 elements';
      const ids = b.elements.map((e: any) => e.action_id);
      if (new Set(ids).size !== ids.length) return 'duplicate action_id';
      if (
        b.elements.some(
          (e: any) => e.type !== 'button' || e.text.text.length > 75 || String(e.value).length > 2000,
        )
      )
        return 'bad button';
    }
  }
  return undefined;
}

/** A request from Slack to the engine, signed with the app's signing secret (optionally tampered or stale). */
export async function fromSlack(
  engineUrl: string,
  path: '/api/v1/slack/commands' | '/api/v1/slack/interactions',
  form: Record<string, string>,
  secret: string,
  opts: { ageSeconds?: number; tamper?: (body: string) => string } = {},
) {
  const timestamp = String(Math.floor(Date.now() / 1000) - (opts.ageSeconds ?? 0));
  const body = new URLSearchParams(form).toString();
  const signature = slackSignature(secret, timestamp, body);
  const started = Date.now();
  const res = await fetch(`${engineUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    body: opts.tamper ? opts.tamper(body) : body,
  });
  const text = await res.text();
  return { status: res.status, ms: Date.now() - started, body: text ? JSON.parse(text) : undefined };
}
