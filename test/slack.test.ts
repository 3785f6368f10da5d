/**
 * Slack as a first-class console, against a loopback Slack built from its documented shapes
 * (test/support/slack.ts): signed slash commands and button presses act as the mapped
 * Tourniquet identity with that identity's roles; tampered, stale and unmapped requests are
 * refused; the command answers within Slack's three seconds (a slow one follows through
 * response_url); a SEV1/SEV2 incident gets a channel through the Web API — created once even
 * when Slack's reply is lost, people invited, approvals posted with buttons — archived on close.
 */
import { DEFAULT_GUARDRAILS } from '../domain/guardrails';
import { eventually, startEngine, TestEngine } from './support/engine';
import { detail, runReaches } from './support/incidents';
import { deployment, kube } from './support/kube';
import { catalogueOf, ensureNamespace, testService } from './support/services';
import { type FakeSlack, fromSlack, startSlack } from './support/slack';
import { keep } from './support/histories';

const SECRET = 'slack-signing-secret-for-tests';
const BOT = 'xoxb-test-bot-token';
const USERS = { rob: 'U0ROB', alice: 'U0ALICE', vic: 'U0VIC' };
const k = kube();
const svc = testService('chat', { deployments: ['cart'], runbooks: { 'rolling-restart': {} } });
let engine: TestEngine;
let slack: FakeSlack;
let hooks = 0;

beforeAll(async () => {
  slack = await startSlack(BOT);
  engine = await startEngine({
    // A busy CI machine restarts a worker slowly: the slow command's Update may wait longer than 10 s.
    temporalTimeoutMs: 30_000,
    services: catalogueOf([svc]),
    // Every restart of this service waits for a human: the approval shows up in the channel.
    guardrails: {
      ...DEFAULT_GUARDRAILS,
      policy: [{ impact: 'low', services: [svc.name], decision: 'approval' }],
    },
    escalation: {
      policies: { default: { levels: [{ targets: [{ person: 'rob' }], timeout: '1h' }] } },
      // The Slack app's incoming webhook: pages there carry buttons too.
      notifiers: [{ name: 'chat', type: 'slack', url: `${slack.url}/services/T0/B0/x`, interactive: true }],
    },
    slack: {
      signing_secret: SECRET,
      bot_token: BOT,
      api_url: slack.apiUrl,
      response_url_base: slack.responseBase,
      users: { [USERS.rob]: 'rob', [USERS.alice]: 'alice', [USERS.vic]: 'vic' },
      incident_channels: { invite: ['U0RESPONSE'] },
      answer_within_ms: 1000,
    },
  });
});
afterAll(async () => {
  await engine?.close();
  await slack?.close();
});
afterEach(() => expect(slack.violations).toEqual([]));

/** A slash command from `user`, as Slack sends it. */
const command = (user: string, text: string, channel = 'general', opts = {}) => {
  const hook = `cmd-${++hooks}`;
  const form = {
    token: 'deprecated-verification-token',
    team_id: 'T0001',
    channel_id: 'C0GENERAL',
    channel_name: channel,
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/incident',
    text,
    response_url: `${slack.responseBase}${hook}`,
    trigger_id: `trigger.${hooks}.${Date.now()}`,
  };
  return fromSlack(engine.url, '/api/v1/slack/commands', form, SECRET, opts).then((r) => ({ ...r, hook }));
};
/** A button press on one of Tourniquet's messages. */
const press = (user: string, button: { action_id: string; value: string }, opts = {}) => {
  const hook = `btn-${++hooks}`;
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: 'T0001' },
    team: { id: 'T0001', domain: 'example' },
    api_app_id: 'A0TOURNIQUET',
    trigger_id: `trigger.${hooks}.${Date.now()}`,
    response_url: `${slack.responseBase}${hook}`,
    container: { type: 'message', message_ts: '1.000001', channel_id: 'C00000001' },
    actions: [
      { ...button, type: 'button', block_id: 'b', action_ts: '1.1', text: { type: 'plain_text', text: 'x' } },
    ],
  };
  return fromSlack(
    engine.url,
    '/api/v1/slack/interactions',
    { payload: JSON.stringify(payload) },
    SECRET,
    opts,
  ).then((r) => ({ ...r, hook }));
};
const followUps = (hook: string) => slack.responses.filter((r) => r.hook === hook).map((r) => r.body);
/** What the user reads: the reply, or — when the work outlived answer_within_ms on a busy machine — its follow-up. */
const answered = async (r: { body: any; hook: string }) =>
  r.body.text?.includes('the answer follows here')
    ? eventually(async () => followUps(r.hook)[0], { timeoutMs: 30_000 })
    : r.body;
const channelOf = (id: string) => slack.channels.find((c) => c.name === `inc-${id.slice(4)}`);
const buttonsIn = (c: { messages: { blocks: any[] }[] }) =>
  c.messages.flatMap((m) => m.blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements));

it('declares a SEV2 from a slash command within 3 s, and opens its channel once even when Slack loses the reply', async () => {
  slack.loseReply.add('conversations.create');
  const r = await command(USERS.rob, `declare SEV2 service=${svc.name} Checkout errors`);
  expect(r.status).toBe(200);
  expect(r.ms).toBeLessThan(3000);
  const reply = await answered(r);
  expect(reply.response_type).toBe('in_channel');
  const id = /INC-\d+/.exec(reply.text)![0];
  expect(reply.text).toContain('declared by rob: SEV2 Checkout errors');
  const d = await detail(engine, id);
  expect(d.created_by).toBe('rob');
  const channel = await eventually(async () => {
    const c = channelOf(id);
    return c?.messages.length ? c : undefined;
  });
  // The create was answered 500 after it happened: the retry found the channel by name.
  expect(slack.channels.filter((c) => c.name === channel.name)).toHaveLength(1);
  expect(slack.calls.filter((c) => c.method === 'conversations.list')).not.toHaveLength(0);
  expect(channel.topic).toContain(`SEV2 triggered: Checkout errors · http://127.0.0.1:3000/incidents/${id}`);
  // rob was paged (the policy's first level), the response group is always invited.
  expect(channel.members.sort()).toEqual(['U0RESPONSE', USERS.rob].sort());
  const ack = buttonsIn(channel).find((b: any) => b.action_id.startsWith('tourniquet.acknowledge'));
  expect(ack.value).toBe(id);
  expect(channel.messages[0].metadata.event_payload.key).toBe(`${id}/slack-channel`);
  // The page to rob through the app's incoming webhook has the same Acknowledge button.
  const paged = await eventually(async () =>
    slack.webhookMessages.find((m) => m.text.includes(id) && m.blocks.some((b: any) => b.type === 'actions')),
  );
  expect(paged.blocks.find((b: any) => b.type === 'actions').elements[0]).toMatchObject({
    action_id: `tourniquet.acknowledge:${id}`,
    value: id,
  });
  const timeline = (await detail(engine, id)).timeline.map((e: any) => e.message);
  expect(timeline).toContain(`Slack channel #${channel.name} opened (2 invited)`);

  // The Acknowledge button, pressed by rob: rob acknowledges, and the channel is told.
  const pressed = await press(USERS.rob, { action_id: ack.action_id, value: ack.value });
  expect(pressed.status).toBe(200);
  expect(pressed.ms).toBeLessThan(3000);
  const said = await eventually(async () => followUps(pressed.hook)[0]);
  expect(said).toMatchObject({ response_type: 'in_channel', text: `${id}: acknowledged by rob` });
  const after = await detail(engine, id);
  expect(after.status).toBe('acknowledged');
  expect(after.timeline.find((e: any) => e.kind === 'acknowledged').actor).toBe('rob');
});

it('refuses tampered, stale and unsigned requests, and users it cannot map', async () => {
  const tampered = await command(USERS.rob, 'declare SEV1 harmless', 'general', {
    tamper: (b: string) => b.replace('harmless', 'dangerous'),
  });
  expect(tampered.status).toBe(401);
  expect(tampered.body.error.message).toBe('X-Slack-Signature does not match the body');
  const stale = await command(USERS.rob, 'declare SEV1 replayed', 'general', { ageSeconds: 6 * 60 });
  expect(stale.status).toBe(401);
  expect(stale.body.error.message).toContain('older than five minutes');
  const unsigned = await fetch(`${engine.url}/api/v1/slack/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'command=%2Fincident&text=declare+SEV1+x&user_id=U0ROB',
  });
  expect(unsigned.status).toBe(401);
  const before = (await engine.call('GET', '/api/v1/incidents?limit=200', { token: 'viewer' })).body
    .incidents;
  expect(before.some((i: any) => /harmless|dangerous|replayed/.test(i.title))).toBe(false);

  const stranger = await command('U0EVE', 'declare SEV1 from a stranger');
  expect(stranger.status).toBe(200);
  expect(stranger.body).toMatchObject({ response_type: 'ephemeral' });
  expect(stranger.body.text).toContain('Your Slack user (U0EVE) is not linked to a Tourniquet identity');
  const pressed = await press('U0EVE', { action_id: 'tourniquet.acknowledge:INC-1001', value: 'INC-1001' });
  expect(pressed.status).toBe(200);
  const refusal = await eventually(async () => followUps(pressed.hook)[0]);
  expect(refusal).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  expect(refusal.text).toContain('not linked');
  // A viewer mapped from Slack has a viewer's rights, as over HTTP.
  const viewer = await command(USERS.vic, 'declare SEV3 a viewer tries');
  expect(viewer.body).toMatchObject({
    response_type: 'ephemeral',
    text: ':warning: vic lacks the responder role for this',
  });
});

it('runs a runbook from the incident channel, posts its approval with buttons and lets only an approver decide', async () => {
  const namespace = await ensureNamespace(k, svc);
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('cart', 1) });
  const declared = await answered(await command(USERS.rob, `declare SEV2 service=${svc.name} Cart is slow`));
  const id = /INC-\d+/.exec(declared.text)![0];
  const channel = await eventually(async () => (channelOf(id)?.messages.length ? channelOf(id) : undefined));
  // Typed in the incident's channel: the incident id may be left out.
  const started = await answered(
    await command(
      USERS.rob,
      `runbook rolling-restart service=${svc.name} namespace=${namespace} deployment=cart`,
      channel.name,
    ),
  );
  expect(started.text).toContain(
    `rob started runbook *rolling-restart* on <http://127.0.0.1:3000/incidents/${id}|${id}>`,
  );
  const approve = await eventually(async () =>
    buttonsIn(channel).find((b: any) => b.action_id.startsWith('tourniquet.approve')),
  );
  expect(approve.value).toMatch(new RegExp(`^${id}/1-`));
  expect(channel.messages.some((m) => m.text.includes('Approval needed: Restart cart'))).toBe(true);

  // rob holds no approver role: refused, nothing decided.
  const refused = await press(USERS.rob, approve);
  expect(await eventually(async () => followUps(refused.hook)[0])).toMatchObject({
    response_type: 'ephemeral',
    text: ':warning: rob lacks the approver role for this',
  });
  const approved = await press(USERS.alice, approve);
  expect(await eventually(async () => followUps(approved.hook)[0])).toMatchObject({
    response_type: 'in_channel',
    text: `${id}: step ${approve.value.split('/')[1]} approved by alice`,
  });
  const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated'], 60_000);
  expect(run.status).toBe('succeeded');
  expect(run.approvals[0]).toMatchObject({ status: 'approved', approved_by: ['alice'] });

  const status = await answered(await command(USERS.vic, 'status', channel.name));
  expect(status.response_type).toBe('ephemeral');
  expect(status.text).toContain(`SEV2 · triggered · Cart is slow`);
  const note = await answered(await command(USERS.rob, `note ${id} cart pods restarted, watching p99`));
  expect(note.text).toContain('Note added');
  expect(
    (await detail(engine, id)).timeline.some((e: any) => e.message === 'cart pods restarted, watching p99'),
  ).toBe(true);

  // The topic follows the incident: acknowledged, then mitigating.
  await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} });
  await engine.call('POST', `/api/v1/incidents/${id}/transition`, { body: { to: 'mitigating' } });
  await eventually(async () => channel.topic.startsWith('SEV2 mitigating: Cart is slow'));
  const topics = slack.calls
    .filter((c) => c.method === 'conversations.setTopic' && c.args.channel === channel.id)
    .map((c) => c.args.topic.split(':')[0]);
  expect(topics).toEqual(['SEV2 triggered', 'SEV2 acknowledged', 'SEV2 mitigating']); // once per change

  // Resolved and closed: the channel is archived, once.
  for (const to of ['resolved', 'closed'])
    await engine.call('POST', `/api/v1/incidents/${id}/transition`, {
      body: { to, root_cause: 'slow pods' },
    });
  await eventually(async () => channel.archived);
  const archives = slack.calls.filter(
    (c) => c.method === 'conversations.archive' && c.args.channel === channel.id,
  );
  expect(archives).toHaveLength(1);
  await eventually(
    async () => (await engine.client.workflow.getHandle(id).describe()).status.name === 'COMPLETED',
  );
  keep(engine.namespace, id, 'incident-slack-channel-v2');
}, 120_000);

it('answers a slow command within 3 s and follows up through response_url', async () => {
  const declared = await answered(await command(USERS.rob, 'declare SEV3 Search is flaky'));
  const id = /INC-\d+/.exec(declared.text)![0];
  expect(channelOf(id)).toBeUndefined(); // SEV3: no channel
  // Settled first: a workflow task cut off by the stop would wait out its 10 s timeout.
  const handle = engine.client.workflow.getHandle(id);
  await eventually(async () => (await detail(engine, id)).milestones?.length > 0);
  await eventually(async () => !(await handle.describe()).raw.pendingWorkflowTask);
  await engine.stopWorker(); // nothing answers the acknowledge until a worker is back
  const slow = await command(USERS.rob, `ack ${id}`);
  expect(slow.ms).toBeLessThan(3000);
  expect(slow.body).toMatchObject({ response_type: 'ephemeral' });
  expect(slow.body.text).toContain('the answer follows here');
  await engine.startWorker();
  const said = await eventually(async () => followUps(slow.hook)[0], { timeoutMs: 30_000 });
  expect(said.text).toBe(
    `:white_check_mark: <http://127.0.0.1:3000/incidents/${id}|${id}> acknowledged by rob`,
  );
  expect((await detail(engine, id)).status).toBe('acknowledged');
});
