/**
 * Chat services ignore `Idempotency-Key` (#17): a notification whose delivery is still in
 * flight when the incident continues as new must not be posted a second time by the next run.
 */
import { eventually, startEngine, TestEngine } from './support/engine';
import { declare, detail } from './support/incidents';
import { Receiver, startReceiver } from './support/receiver';
import { ALL_DAY } from './support/oncall';

let engine: TestEngine;
let chat: Receiver;

beforeAll(async () => {
  chat = await startReceiver();
  engine = await startEngine({
    historyLimit: 40,
    escalation: {
      business_hours: ALL_DAY,
      notifiers: [{ name: 'chat', type: 'slack', url: chat.url, kinds: ['notify'] }],
    },
  });
});
afterAll(async () => {
  await engine?.close();
  await chat?.close();
});

it('a chat message in flight across continue-as-new is posted once', async () => {
  chat.delayMs = 5_000; // the post is in flight while the incident hands over to its next run
  const id = await declare(engine, 'search', 'medium'); // SEV3 notifies the team channel
  await eventually(async () => chat.requests.some((r) => r.body.text?.includes(id)));
  const handle = engine.client.workflow.getHandle(id);
  const firstRun = (await handle.describe()).runId;
  for (let n = 0; n < 20; n++)
    await engine.call('POST', `/api/v1/incidents/${id}/notes`, { body: { text: `note ${n}` } });
  await eventually(async () => (await handle.describe()).runId !== firstRun, { timeoutMs: 20_000 });
  // The first post answers; the record says delivered; nothing was posted twice.
  const page = await eventually(
    async () => {
      const p = (await detail(engine, id)).pages.find((x: { kind: string }) => x.kind === 'notify');
      return p?.delivered_at && p;
    },
    { timeoutMs: 30_000 },
  );
  await new Promise((r) => setTimeout(r, 6_000)); // long enough for a second post to arrive
  const posts = chat.requests.filter((r) => r.headers['idempotency-key'] === `${page.key}`);
  expect(posts.map((p) => p.at)).toHaveLength(1);
});
