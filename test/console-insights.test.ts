/**
 * The console's pictures and editors in Chromium, with real data: incidents imported with
 * known timings so the insights' numbers and bars can be asserted; a live incident with a
 * runbook waiting for approval for the course picture and the run view; the postmortem
 * written, previewed (safely) and published; related alerts on the declare form. Each page
 * passes axe-core with no serious violation; screenshots land in test-artifacts/.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_GUARDRAILS } from '../domain/guardrails';
import { accessibilityProblems, launchBrowser, signIn } from './support/browser';
import { eventually, startEngine, TestEngine, unique } from './support/engine';
import { detail, runReaches } from './support/incidents';
import { deployment, kube } from './support/kube';
import { catalogueOf, ensureNamespace, testService } from './support/services';
import { ALL_DAY } from './support/oncall';

const ARTIFACTS = path.join(__dirname, '..', 'test-artifacts');
const svc = testService('insight', { deployments: ['web'], runbooks: { 'rolling-restart': {} } });
const pager = unique('kim');
const k = kube();
let engine: TestEngine;
let browser: Browser;
const MIN = 60_000;

beforeAll(async () => {
  engine = await startEngine({
    services: catalogueOf([svc]),
    guardrails: {
      ...DEFAULT_GUARDRAILS,
      policy: [{ impact: 'low', services: [svc.name], decision: 'approval' }],
    },
    escalation: {
      policies: { default: { levels: [{ targets: [{ person: pager }], timeout: '1h' }] } },
      business_hours: ALL_DAY,
    },
  });
  browser = await launchBrowser();
  // Four SEV1 and three SEV2 incidents of the last two weeks with known timings.
  const base = Date.now() - 10 * 86_400_000;
  const sev1 = [
    [2, 30],
    [4, 60],
    [10, 120],
    [40, 1500],
  ];
  const sev2 = [
    [1, 45],
    [5, 90],
    [15, 200],
  ];
  const imports = [
    ...sev1.map(([ack, res], n) => ({
      severity: 'SEV1',
      ack,
      res,
      n,
      key: n < 2 ? 'alertmanager/web-5xx' : undefined,
    })),
    ...sev2.map(([ack, res], n) => ({ severity: 'SEV2', ack, res, n: n + 4, key: undefined })),
  ];
  for (const x of imports) {
    const created = base + x.n * 3_600_000;
    const r = await engine.call('POST', '/api/v1/incidents/import', {
      token: 'admin',
      body: {
        title: `web outage ${x.n}`,
        severity: x.severity,
        affected_services: [svc.name],
        root_cause: 'known',
        created_at: new Date(created).toISOString(),
        acknowledged_at: new Date(created + x.ack * MIN).toISOString(),
        resolved_at: new Date(created + x.res * MIN).toISOString(),
        ...(x.key ? { dedup_key: x.key } : {}),
      },
    });
    expect(r.status).toBe(201);
  }
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await engine?.close();
});

async function accessible(page: Page) {
  expect(await accessibilityProblems(page)).toEqual([]);
}
/** Opens every "The numbers" table (they sit in closed details under each chart). */
const openTables = (page: Page) =>
  page.locator('details').evaluateAll((ds) => ds.forEach((d) => d.setAttribute('open', '')));
const rowOf = (page: Page, table: string, first: string) =>
  page.getByRole('table', { name: table }).getByRole('row').filter({ hasText: first }).first();

it('draws MTTA/MTTR distributions, incidents per week, targets, recurrence and pagers, with the numbers behind each', async () => {
  // A live SEV1 elsewhere pages the policy's person: the burnout view has someone to show.
  const live = await engine.call('POST', '/api/v1/incidents', {
    body: { title: 'api slow', description: 'd', severity: 'critical', affected_services: [unique('api')] },
  });
  await eventually(async () => (await detail(engine, live.body.id)).pages?.some((p: any) => p.to === pager));
  const page = await signIn(browser, engine, 'viewer');
  await page.getByRole('link', { name: 'Insights' }).click();
  await page.getByRole('combobox', { name: 'Service' }).selectOption(svc.name);
  const cells = async (table: string, first: string) => {
    await openTables(page);
    const row = rowOf(page, table, first);
    await row.waitFor();
    return (await row.locator('td').allInnerTexts()).map((t) => t.trim());
  };
  await eventually(async () => (await page.getByText('7 incidents in the period').count()) > 0);
  // SEV1 acknowledged after 2, 4, 10, 40 min: p50 4m, p90 and p99 40m (nearest rank); ≤5m 2, ≤15m 1, ≤1h 1.
  expect(await cells('Time to acknowledge', 'SEV1')).toEqual([
    'SEV1',
    '4',
    '4m',
    '40m',
    '40m',
    '0',
    '2',
    '1',
    '0',
    '1',
    '0',
    '0',
    '0',
    '0',
  ]);
  // SEV2 acknowledged after 1, 5, 15 min: one in each of the first three buckets.
  expect(await cells('Time to acknowledge', 'SEV2')).toEqual([
    'SEV2',
    '3',
    '5m',
    '15m',
    '15m',
    '1',
    '1',
    '1',
    '0',
    '0',
    '0',
    '0',
    '0',
    '0',
  ]);
  // SEV1 resolved after 30 min, 1 h, 2 h, 25 h.
  expect(await cells('Time to resolve', 'SEV1')).toEqual([
    'SEV1',
    '4',
    '1h',
    '1d',
    '1d',
    '0',
    '0',
    '0',
    '1',
    '1',
    '1',
    '0',
    '1',
    '0',
  ]);
  // Bars: one per non-empty bucket (3 for SEV1, 3 for SEV2), p50/p90/p99 lines on each.
  const mtta = page.getByRole('figure', { name: 'Time to acknowledge' });
  expect(await mtta.locator('svg[aria-label="Time to acknowledge"]').count()).toBe(1);
  const heights = await mtta
    .locator('svg g[data-mark="rect"] rect')
    .evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
  expect(heights.filter((h) => h > 0)).toHaveLength(6);
  expect(await mtta.locator('svg g[data-mark="rule"] line').count()).toBeGreaterThanOrEqual(6);
  // SLA: SEV1 acknowledged within 3 min once of four; SEV2 within 15 min three of three.
  expect(await cells("Within the severity's targets", 'SEV1')).toEqual([
    'SEV1',
    'acknowledge',
    '1',
    '4',
    '25',
  ]);
  expect(await cells("Within the severity's targets", 'SEV2')).toEqual([
    'SEV2',
    'acknowledge',
    '3',
    '3',
    '100',
  ]);
  await openTables(page);
  const weeks = await page
    .getByRole('table', { name: 'Incidents per week' })
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) =>
        [...r.querySelectorAll('td')].slice(1).reduce((n, td) => n + Number(td.textContent), 0),
      ),
    );
  expect(weeks.reduce((a, b) => a + b, 0)).toBe(7);
  expect(await cells('What keeps coming back', 'alertmanager/web-5xx')).toEqual([
    'alert (dedup key)',
    'alertmanager/web-5xx',
    '2',
  ]);
  const paged = await cells('Pages per responder per week', pager);
  expect(paged[0]).toBe(pager);
  expect(Number(paged[2])).toBeGreaterThanOrEqual(1);
  await accessible(page);
  await page.screenshot({ path: path.join(ARTIFACTS, 'insights.png'), fullPage: true });
  const phone = await signIn(browser, engine, 'viewer', { width: 390, height: 844 });
  await phone.goto(`${engine.url}/insights`);
  await phone.getByRole('figure', { name: 'Time to acknowledge' }).locator('svg').waitFor();
  const width = await phone.locator('html').evaluate((el) => el.scrollWidth);
  expect(width).toBeLessThanOrEqual(390); // nothing runs off a phone's screen
  await phone.screenshot({ path: path.join(ARTIFACTS, 'insights-phone.png'), fullPage: true });
}, 120_000);

it('shows the course of an incident, its run as a flow with what an approval will do, evidence as tables, and a postmortem written in the console', async () => {
  const namespace = await ensureNamespace(k, svc);
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('web', 1) });
  const page = await signIn(browser, engine, 'approver');
  // Declared in the console, with related alerts (seed 004's CreateIncidentRequest).
  await page.goto(`${engine.url}/incidents/new`);
  await page.getByLabel('Title').fill('web errors after deploy');
  await page.getByLabel('Description').fill('5xx on /checkout');
  await page.getByLabel('Severity').selectOption('SEV2');
  await page.getByLabel(/Affected services/).fill(svc.name);
  await page.getByLabel(/Related alerts/).fill('alertmanager/web-5xx\nhttps://grafana.example/d/web');
  await accessible(page);
  await page.getByRole('button', { name: 'Declare' }).click();
  await page.waitForURL(/\/incidents\/INC-\d+$/);
  const id = page.url().split('/').pop()!;
  expect((await detail(engine, id)).related_alerts).toEqual([
    'alertmanager/web-5xx',
    'https://grafana.example/d/web',
  ]);
  await engine.call('POST', `/api/v1/incidents/${id}/evidence`, {
    body: { kind: 'metric', title: 'pool stats', text: JSON.stringify({ active: 12, idle: 0, waiting: 31 }) },
  });
  await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'rolling-restart', params: { service: svc.name, namespace, deployment: 'web' } },
  });
  // Waiting for approval: the flow shows the step with its impact and what it will do, up front.
  const step = page.locator('ol.flow li.step').first();
  await step.getByText('What will happen:').waitFor();
  expect(await step.locator('.badge.impact-low').innerText()).toBe('low');
  expect(await step.locator('.what-will-happen').innerText()).toContain(
    `restart the pods of ${namespace}/web`,
  );
  const evidence = page.getByRole('table', { name: 'pool stats' });
  expect(await rowOf(page, 'pool stats', 'waiting').locator('td').innerText()).toBe('31');
  expect(await evidence.getByRole('rowheader').allInnerTexts()).toEqual(['active', 'idle', 'waiting']);
  await accessible(page);
  await page.screenshot({ path: path.join(ARTIFACTS, 'run-waiting.png'), fullPage: true });
  await page.locator('[data-approval]').getByRole('button', { name: 'Approve' }).click();
  await runReaches(engine, id, `${id}-rb-1`, ['succeeded']);

  // The course: status changes, milestones, the run's steps (the wait for approval apart), pages.
  const course = page.getByRole('figure', { name: `Course of ${id}` });
  await openTables(page);
  await eventually(
    async () => (await course.getByText('Wait for the rollout: succeeded', { exact: false }).count()) > 0,
  );
  const rows = await course.locator('tbody tr').allInnerTexts();
  expect(rows.some((r) => r.includes('Status') && r.includes('opened'))).toBe(true);
  expect(rows.some((r) => r.includes('Acknowledge') && r.includes('due; pending'))).toBe(true);
  expect(rows.some((r) => r.includes('Runbook rolling-restart') && /Restart web: succeeded in/.test(r))).toBe(
    true,
  );
  expect(rows.some((r) => r.includes('Pages') && r.includes(`page ${pager}`))).toBe(true);
  // Two steps and the wait for approval, once the page has polled the finished run.
  await eventually(async () => (await course.locator('svg g[data-mark="bar"] rect').count()) >= 3);

  // Resolved: the postmortem is drafted; its sections written here in Markdown, previewed, saved, published.
  await engine.call('POST', `/api/v1/incidents/${id}/transition`, {
    body: { to: 'resolved', root_cause: 'bad deploy' },
  });
  const editor = page.getByRole('form', { name: 'Edit the postmortem' });
  await editor.waitFor();
  await editor
    .getByLabel('Summary')
    .fill('Checkout failed for **12 minutes**.\n\n<script>window.pwned = 1</script>');
  await editor.getByRole('button', { name: 'Preview' }).click();
  const preview = editor.locator('.pm-preview').first();
  expect(await preview.locator('strong').innerText()).toBe('12 minutes');
  expect(await preview.innerText()).toContain('<script>window.pwned = 1</script>'); // shown as text
  expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
  await page.screenshot({ path: path.join(ARTIFACTS, 'postmortem-editor.png'), fullPage: true });
  await editor.getByRole('button', { name: 'Save sections' }).click();
  await eventually(async () => (await detail(engine, id)).postmortem.summary.startsWith('Checkout failed'));
  await accessible(page);
  await editor.getByRole('button', { name: 'Publish postmortem' }).click();
  await eventually(async () => (await detail(engine, id)).postmortem.status === 'published');
  await page.getByRole('heading', { name: 'Postmortem (published)' }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'incident-published.png'), fullPage: true });
  await page.locator('#course').screenshot({ path: path.join(ARTIFACTS, 'incident-course.png') });
}, 180_000);
