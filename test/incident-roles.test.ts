/**
 * Incident roles: assigned and handed over over the API (on the timeline, the new holder
 * paged), a target the escalation policy pages, and a SEV1 without a commander in time
 * escalates.
 */
import { eventually, startEngine, TestEngine } from './support/engine';
import { detail } from './support/incidents';
import { startReceiver, type Receiver } from './support/receiver';
import { ALL_DAY } from './support/oncall';

let engine: TestEngine;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  engine = await startEngine({
    escalation: {
      severities: {
        SEV1: { commander: '2s', acknowledge: '6s', mitigate: '1h', update_every: '1h' },
        SEV2: { acknowledge: '1h', mitigate: '1h', update_every: '10s' },
      },
      policies: {
        default: {
          levels: [
            { targets: [{ person: 'pat' }], timeout: '1h' },
            { targets: [{ person: 'sam' }], timeout: '1h' },
            { targets: [{ incident_role: 'commander' }], timeout: '1h' },
          ],
        },
      },
      business_hours: ALL_DAY,
      notifiers: [{ name: 'pager', type: 'webhook', url: receiver.url, kinds: ['page', 'reminder'] }],
    },
  });
});
afterAll(async () => {
  await engine?.close();
  await receiver?.close();
});

const pagesTo = (person: string, id: string) =>
  receiver.delivered().filter((r: any) => r.body.to === person && r.body.incident.id === id);

it('a SEV1 without a commander escalates; roles are assigned, handed over, paged and paged for', async () => {
  const created = await engine.call('POST', '/api/v1/incidents', {
    body: { title: 'checkout down', description: 'd', severity: 'critical', affected_services: ['checkout'] },
  });
  const id = created.body.id;
  const inc = `/api/v1/incidents/${id}`;
  // No commander within 2 s: the next level is paged, saying why.
  const sam = await eventually(async () => pagesTo('sam', id)[0]);
  expect(sam.body.reason).toContain('incident commander milestone missed');

  const assign = (role: string, person: string) =>
    engine.call('PUT', `${inc}/roles/${role}`, { body: { person } });
  expect((await assign('commander', 'ivy')).status).toBe(200);
  expect((await assign('communications', 'lee')).status).toBe(200);
  const handed = await assign('commander', 'kim');
  expect(handed.status).toBe(200);
  expect(handed.body.roles).toMatchObject({
    commander: { person: 'kim' },
    communications: { person: 'lee' },
  });
  const timeline = (await detail(engine, id)).timeline.map((e: any) => e.message);
  expect(timeline).toEqual(
    expect.arrayContaining([
      'Incident commander: ivy',
      'Communications lead: lee',
      'Incident commander handed over from ivy to kim',
    ]),
  );
  for (const person of ['ivy', 'lee', 'kim'])
    expect((await eventually(async () => pagesTo(person, id)[0])).body.reason).toMatch(
      /made you (incident commander|communications lead)/,
    );

  // The acknowledge milestone (6 s) is missed too: the third level is "the incident's commander" — kim now.
  const kimPages = await eventually(async () => {
    const got = pagesTo('kim', id);
    return got.length >= 2 && got;
  });
  expect(kimPages[1].body.reason).toContain('acknowledge milestone missed');
  expect(pagesTo('ivy', id)).toHaveLength(1);

  const bad = await engine.call('PUT', `${inc}/roles/captain`, { body: { person: 'x' } });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toContain('role');
  const viewer = await engine.call('PUT', `${inc}/roles/scribe`, { token: 'viewer', body: { person: 'x' } });
  expect(viewer.status).toBe(403);
}, 60_000);

it('a commander named in time meets the milestone: nobody further is paged for it', async () => {
  const created = await engine.call('POST', '/api/v1/incidents', {
    body: { title: 'search down', description: 'd', severity: 'critical', affected_services: ['search'] },
  });
  const id = created.body.id;
  expect(
    (await engine.call('PUT', `/api/v1/incidents/${id}/roles/commander`, { body: { person: 'ivy' } })).status,
  ).toBe(200);
  await new Promise((r) => setTimeout(r, 3000)); // past the 2 s deadline
  const record = await detail(engine, id);
  expect(record.milestones.find((m: any) => m.name === 'commander')).toMatchObject({ status: 'met' });
  expect(pagesTo('sam', id)).toHaveLength(0);
});

it('reminds the communications lead of the next status update before it is due', async () => {
  const created = await engine.call('POST', '/api/v1/incidents', {
    body: { title: 'slow search', description: 'd', severity: 'high', affected_services: ['search'] },
  });
  const id = created.body.id;
  await engine.call('PUT', `/api/v1/incidents/${id}/roles/communications`, { body: { person: 'lee' } });
  // Updates every 10 s: lee hears of the next one a fifth of that (2 s) before it is due.
  const reminder = await eventually(
    async () => pagesTo('lee', id).find((r: any) => r.body.kind === 'reminder'),
    { timeoutMs: 15_000 },
  );
  expect(reminder.body.reason).toMatch(/^the next status update is due by \d\d:\d\d/);
  const due = (await detail(engine, id)).milestones.find((m: any) => m.name === 'update').due_at;
  expect(Date.parse(due) - reminder.at).toBeGreaterThan(0);
  expect(pagesTo('lee', id).filter((r: any) => r.body.kind === 'reminder')).toHaveLength(1);
}, 30_000);
