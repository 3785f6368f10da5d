/**
 * Status updates reach people: every update goes to the stakeholder channels once; external
 * ones appear on the public status page (HTML, Atom, JSON — no sign-in), internal ones and
 * anything naming people, hosts or runbooks never do. Screenshots in Chromium, desktop and phone.
 */
import { createHmac } from 'node:crypto';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { eventually, startEngine, TestEngine, unique } from './support/engine';
import { accessibilityProblems, launchBrowser, signIn } from './support/browser';
import { startReceiver, type Receiver } from './support/receiver';

/**
 * None of `secrets` appears as a word: a test service's random suffix (`search-mx36q00nivyk`)
 * may contain a person's name as letters, which is no leak (a CI run failed on exactly that).
 */
function expectNoMention(text: string, secrets: string[]): void {
  for (const secret of secrets) expect(text).not.toMatch(new RegExp(`\\b${secret}\\b`));
}

const ARTIFACTS = path.join(__dirname, '..', 'test-artifacts');
const STATUS_PAGE_SECRET = 'status-page-secret-0123';
const storefront = unique('storefront').toLowerCase();
const search = unique('search').toLowerCase();
let engine: TestEngine;
let receiver: Receiver;
let browser: Browser;

beforeAll(async () => {
  receiver = await startReceiver();
  engine = await startEngine({
    // Its own: the page lists every public incident of its namespace.
    namespace: 'test-12',
    services: {
      [storefront]: { owner: 'team-shop' },
      [search]: { owner: 'team-search' },
    },
    escalation: {
      stakeholders: ['#status-subscribers'],
      notifiers: [
        { name: 'chat', type: 'webhook', url: receiver.url, kinds: ['notify'] },
        { name: 'statuspage', type: 'statuspage', url: receiver.url, secret: STATUS_PAGE_SECRET },
      ],
    },
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await engine?.close();
  await receiver?.close();
});

const publicGet = (p: string) => fetch(`${engine.url}${p}`);

it('sends each update to the stakeholder channels once, and shows only external ones on /status', async () => {
  const created = await engine.call('POST', '/api/v1/incidents', {
    body: {
      title: 'orders db-7.internal.example pool exhausted',
      description: 'dana is on it',
      severity: 'high',
      affected_services: [storefront],
      assignee: 'dana',
    },
  });
  const inc = `/api/v1/incidents/${created.body.id}`;
  const post = (visibility: string, message: string, status = 'investigating') =>
    engine.call('POST', `${inc}/status-updates`, { body: { visibility, message, status } });
  expect(
    (await post('internal', 'dana restarted db-7.internal.example; runbook rolling-restart next')).status,
  ).toBe(201);
  expect((await post('external', 'Checkout is slow for some customers. We are investigating.')).status).toBe(
    201,
  );
  expect(
    (await engine.call('PUT', `${inc}/services/${storefront}/health`, { body: { health: 'partial_outage' } }))
      .status,
  ).toBe(200);

  const page = await eventually(async () => {
    const r = await publicGet('/api/v1/status');
    const body = (await r.json()) as any;
    return (
      r.status === 200 &&
      body.components.find((c: any) => c.name === storefront)?.health === 'partial_outage' &&
      body
    );
  });
  expect(page.components.find((c: any) => c.name === search)).toEqual({
    name: search,
    health: 'operational',
  });
  const shown = page.incidents.find((i: any) => i.id === created.body.id);
  expect(shown.updates.map((u: any) => u.message)).toEqual([
    'Checkout is slow for some customers. We are investigating.',
  ]);
  const html = await (await publicGet('/status')).text();
  const feed = await (await publicGet('/status/feed.atom')).text();
  for (const text of [JSON.stringify(page), html, feed]) {
    expect(text).toContain('Checkout is slow for some customers');
    expectNoMention(text, ['db-7', 'dana', 'rolling-restart', 'pool exhausted']);
  }
  expect(html).toContain('Partial outage');
  expect(feed).toMatch(
    /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/,
  );
  expect(feed.match(/<entry>/g)).toHaveLength(1);

  // Both updates reached the stakeholder channel, each once.
  const updates = await eventually(async () => {
    const got = receiver.delivered().filter((r: any) => r.body.to === '#status-subscribers');
    return got.length >= 2 && got;
  });
  await new Promise((r) => setTimeout(r, 500));
  expect(receiver.delivered().filter((r: any) => r.body.to === '#status-subscribers')).toHaveLength(2);
  expect(updates.map((r: any) => r.body.reason)).toEqual([
    expect.stringContaining('Status update (internal, investigating): dana restarted'),
    expect.stringContaining('Status update (external, investigating): Checkout is slow'),
  ]);

  // Resolved: the service is operational again, the incident moves to past incidents.
  await engine.call('POST', `${inc}/transition`, { body: { to: 'resolved', root_cause: 'pool' } });
  await post('external', 'Checkout is fast again. We are monitoring.', 'resolved');
  await eventually(async () => {
    const body = (await (await publicGet('/api/v1/status')).json()) as any;
    return body.components.find((c: any) => c.name === storefront)?.health === 'operational';
  });
  // An external status page got each external update once, signed, with public fields only.
  const fed = await eventually(async () => {
    const got = receiver.delivered().filter((r: any) => r.body.incident_id === created.body.id);
    return got.length >= 2 && got;
  });
  await new Promise((r) => setTimeout(r, 500));
  expect(receiver.delivered().filter((r: any) => r.body.incident_id === created.body.id)).toHaveLength(2);
  expect(fed.map((r: any) => r.body.update.message)).toEqual([
    'Checkout is slow for some customers. We are investigating.',
    'Checkout is fast again. We are monitoring.',
  ]);
  expect(Object.keys(fed[0].body).sort()).toEqual(
    ['health', 'idempotency_key', 'incident_id', 'opened_at', 'services', 'update'].sort(),
  );
  // As the incident stood when each was posted: before its health was set, then resolved.
  expect(fed[0].body).toMatchObject({ services: [storefront], health: 'degraded' });
  expect(fed[1].body).toMatchObject({ health: 'operational', resolved_at: expect.any(String) });
  for (const r of fed) {
    expectNoMention(r.raw, ['db-7', 'dana', 'rolling-restart', 'pool exhausted']);
    const mac = createHmac('sha256', STATUS_PAGE_SECRET).update(r.raw).digest('hex');
    expect(r.headers['x-tourniquet-signature']).toBe(`sha256=${mac}`);
  }

  const shot = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await shot.goto(`${engine.url}/status`);
  await shot.getByRole('heading', { name: 'Past incidents' }).waitFor();
  await shot.screenshot({ path: path.join(ARTIFACTS, 'status-page.png'), fullPage: true });
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await phone.goto(`${engine.url}/status`);
  await phone.getByText('Checkout is fast again').waitFor();
  await phone.screenshot({ path: path.join(ARTIFACTS, 'status-page-phone.png'), fullPage: true });
}, 90_000);

it('shows open incidents with their roles and newest update on the internal board, never on the public page', async () => {
  const created = await engine.call('POST', '/api/v1/incidents', {
    body: {
      title: 'search index stale',
      description: 'd',
      severity: 'critical',
      affected_services: [search],
    },
  });
  const id = created.body.id;
  const inc = `/api/v1/incidents/${id}`;
  await engine.call('PUT', `${inc}/roles/commander`, { body: { person: 'ivy' } });
  await engine.call('PUT', `${inc}/roles/communications`, { body: { person: 'lee' } });
  await engine.call('POST', `${inc}/status-updates`, {
    body: { visibility: 'external', status: 'investigating', message: 'Search results may be out of date.' },
  });
  await engine.call('POST', `${inc}/status-updates`, {
    body: { visibility: 'internal', status: 'identified', message: 'ivy: the indexer is stuck on a lock' },
  });
  const row = await eventually(async () => {
    const r = await engine.call('GET', '/api/v1/status/internal', { token: 'viewer' });
    return r.body.incidents?.find((i: any) => i.id === id && i.last_update?.visibility === 'internal');
  });
  expect(row).toMatchObject({
    title: 'search index stale',
    severity: 'SEV1',
    roles: { commander: 'ivy', communications: 'lee' },
    on_public_page: true,
    last_update: { status: 'identified', message: 'ivy: the indexer is stuck on a lock' },
  });
  expect((await engine.call('GET', '/api/v1/status/internal', { token: null })).status).toBe(401);
  // The public page is kept 5 s.
  const shown = await eventually(
    async () => {
      const text = await (await publicGet('/api/v1/status')).text();
      return text.includes('Search results may be out of date.') && text;
    },
    { timeoutMs: 15_000 },
  );
  expectNoMention(shown, ['ivy', 'lee', 'indexer', 'search index stale']);

  const page = await signIn(browser, engine, 'viewer');
  await page.getByRole('link', { name: 'Status', exact: true }).click();
  const board = page.getByRole('table', { name: 'Status board' });
  await board.getByText('Commander: ivy').waitFor();
  await board.getByText('ivy: the indexer is stuck on a lock').waitFor();
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.screenshot({ path: path.join(ARTIFACTS, 'status-board.png'), fullPage: true });
}, 60_000);
