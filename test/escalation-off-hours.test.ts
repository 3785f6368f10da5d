/**
 * Out of business hours (configured to exclude today): SEV3 holds its pages until business
 * hours begin, SEV1 pages anyway and the load report counts those pages as off-hours; a
 * person past the page budget is skipped for the next level, and says so; and
 * an incident waiting in postmortem with reminders keeps its history bounded.
 */
import { eventually, startEngine, TestEngine, unique } from './support/engine';
import { declare, detail } from './support/incidents';
import { Receiver, startReceiver } from './support/receiver';
import { nextBusinessStart } from '../domain/oncall';
import { keep } from './support/histories';
import { dailyOnCall } from './support/oncall';

let engine: TestEngine;
let pager: Receiver;
// Working days: only tomorrow's weekday, so now is always out of hours.
const tomorrow = ((new Date(Date.now() + 86_400_000).getUTCDay() + 6) % 7) + 1;
const hours = { timezone: 'UTC', days: [tomorrow], start: '09:00', end: '17:00' };
// The page budget's people and service: names no other test in this namespace pages.
const [wren, kite, quiet] = [unique('wren'), unique('kite'), unique('quiet')];

beforeAll(async () => {
  pager = await startReceiver();
  engine = await startEngine({
    historyLimit: 60,
    escalation: {
      business_hours: hours,
      severities: { SEV3: { acknowledge: '2s' }, SEV1: { acknowledge: '1h', update_every: null } },
      schedules: {
        primary: dailyOnCall('owl'),
      },
      policies: {
        default: { levels: [{ targets: [{ schedule: 'primary' }], timeout: '1h' }] },
        budgeted: {
          levels: [
            { targets: [{ person: wren }], timeout: '1h' },
            { targets: [{ person: kite }], timeout: '1h' },
          ],
        },
      },
      services: { [quiet]: 'budgeted' },
      page_budget: { off_hours_pages: 2 },
      action_item_reminders: '1s',
      notifiers: [{ name: 'pager', type: 'webhook', url: pager.url }],
    },
  });
});
afterAll(async () => {
  await engine?.close();
  await pager?.close();
});

it('holds a SEV3 page until business hours begin', async () => {
  const id = await declare(engine, unique('wiki'), 'medium');
  const d = await eventually(async () => {
    const x = await detail(engine, id);
    return x.timeline.some((e: any) => e.message.startsWith('SEV3 does not page out of hours')) && x;
  });
  expect(d.milestones.find((m: any) => m.name === 'acknowledge').status).toBe('missed');
  expect(Date.parse(d.escalation.next_at)).toBe(nextBusinessStart(hours, Date.now()));
  await new Promise((r) => setTimeout(r, 1500));
  expect(pager.delivered().filter((r) => r.body.incident.id === id && r.body.kind === 'page')).toEqual([]);
});

it('pages SEV1 at night and counts it as an off-hours page', async () => {
  const since = new Date().toISOString();
  const id = await declare(engine, unique('api'), 'critical');
  const page = await eventually(async () =>
    pager.delivered().find((r) => r.body.incident.id === id && r.body.to === 'owl'),
  );
  expect(page.body.kind).toBe('page');
  const load = await eventually(async () => {
    const r = await engine.call('GET', `/api/v1/oncall/load?since=${encodeURIComponent(since)}`, {
      token: 'viewer',
    });
    return r.body.responders?.find((p: any) => p.person === 'owl' && p.pages >= 1);
  });
  expect(load.off_hours_pages).toBe(load.pages);
});

it('keeps reminding about an overdue action item across continue-as-new while in postmortem', async () => {
  const id = await declare(engine, unique('queue'), 'low');
  const inc = `/api/v1/incidents/${id}`;
  await engine.call('POST', `${inc}/transition`, { body: { to: 'resolved', root_cause: 'backlog' } });
  await engine.call('POST', `${inc}/action-items`, {
    body: { title: 'Alert on queue age', owner: 'ola', due: '2026-01-01' },
  });
  expect((await engine.call('POST', `${inc}/postmortem/publish`, { body: {} })).body.status).toBe(
    'postmortem',
  );
  const handle = engine.client.workflow.getHandle(id);
  const firstRun = (await handle.describe()).runId;
  // A reminder a second: the 60-event history limit is crossed within a few seconds.
  await eventually(async () => (await handle.describe()).runId !== firstRun, { timeoutMs: 30_000 });
  const reminders = () =>
    pager.delivered().filter((r) => r.body.incident.id === id && r.body.kind === 'reminder');
  const before = reminders().length;
  await eventually(async () => reminders().length >= before + 2, { timeoutMs: 10_000 });
  const d = await detail(engine, id);
  expect(d.status).toBe('postmortem');
  expect(d.action_items[0].reminders).toBeGreaterThanOrEqual(before + 2);
  expect(new Set(reminders().map((r) => r.body.idempotency_key)).size).toBe(reminders().length);
  await engine.call('PATCH', `${inc}/action-items/AI-1`, { body: { status: 'done' } });
  expect((await detail(engine, id)).status).toBe('closed');
});

it('sends a SEV2 page past a person over the off-hours page budget to the next level, and says why', async () => {
  const load = async () => {
    const r = await engine.call('GET', '/api/v1/oncall/load', { token: 'viewer' });
    return r.body;
  };
  const pagesTo = (person: string, id: string) =>
    pager.delivered().filter((r) => r.body.incident.id === id && r.body.to === person);
  // Two SEV2 pages at night: both reach wren, each counted before the next incident opens.
  for (const n of [1, 2]) {
    const id = await declare(engine, quiet, 'high');
    await eventually(async () => pagesTo(wren, id).length === 1);
    await eventually(
      async () => (await load()).responders.find((p: any) => p.person === wren)?.off_hours_pages === n,
    );
  }
  const third = await declare(engine, quiet, 'high');
  const diverted = await eventually(async () => pagesTo(kite, third)[0]);
  expect(diverted.body.reason).toContain(
    `instead of ${wren} has had 2 off-hours pages in 7 days (page budget 2)`,
  );
  expect(pagesTo(wren, third)).toEqual([]);
  const d = await detail(engine, third);
  expect(d.timeline.map((e: any) => e.message)).toContain(
    `${wren} has had 2 off-hours pages in 7 days (page budget 2): this page goes to level 2 instead`,
  );
  const report = await eventually(async () => {
    const r = await load();
    return r.responders.find((p: any) => p.person === wren && p.diverted_pages === 1) && r;
  });
  expect(report.page_budget).toEqual({ off_hours_pages: 2, window_seconds: 604800 });
  expect(report.responders.find((p: any) => p.person === wren)).toMatchObject({
    off_hours_in_budget_window: 2,
    over_budget: true,
  });
  expect(report.responders.find((p: any) => p.person === kite)).toMatchObject({
    pages: 1,
    over_budget: false,
  });
  keep(engine.namespace, third, 'incident-page-budget');
  // SEV1 is never diverted: it still wakes wren.
  const sev1 = await declare(engine, quiet, 'critical');
  await eventually(async () => pagesTo(wren, sev1).length === 1);
});
