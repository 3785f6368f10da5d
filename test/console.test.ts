/**
 * The console in a real browser: Debian's Chromium driven by playwright-core against the real
 * server (real Temporal, real Kubernetes for the approved rollback). Screenshots of the list
 * and the detail page go to test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, signIn as signInAs } from './support/browser';
import { ALERT_SECRETS, eventually, startEngine, TestEngine, TOKENS, unique } from './support/engine';
import { deployment, kube, mergePatch } from './support/kube';
import { catalogueOf, ensureNamespace, testService } from './support/services';

const ARTIFACTS = path.join(__dirname, '..', 'test-artifacts');
let engine: TestEngine;
const checkout = testService('checkout', {
  deployments: ['checkout', 'ghost'],
  runbooks: { 'rollback-deployment': {}, 'rolling-restart': {} },
});
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  engine = await startEngine({ services: catalogueOf([checkout]) });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await engine?.close();
});

const signIn = (token: keyof typeof TOKENS, viewport?: { width: number; height: number }) =>
  signInAs(browser, engine, token, viewport);

it('refuses a wrong token at sign-in', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(engine.url);
  await page.getByLabel('API token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: /token/i }).waitFor();
});

it('lets a responder declare, find, sort, open, acknowledge and annotate an incident', async () => {
  const page = await signIn('responder');
  const title = `Checkout errors ${unique('ui')}`;
  await page.getByRole('link', { name: 'Declare incident' }).click();

  // The form shows the API's own validation messages.
  await page.getByRole('button', { name: 'Declare' }).click();
  const api = await engine.call('POST', '/api/v1/incidents', {
    body: { title: '', description: '', severity: 'SEV2', affected_services: [] },
  });
  const titleMessage = api.body.error.fields.find((f: any) => f.path === 'title').message;
  await page.locator('#title-error').filter({ hasText: titleMessage }).waitFor();

  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Description').fill('5xx above 5% after deploy');
  await page.getByLabel('Severity').selectOption('SEV3');
  await page.getByLabel('Affected services').fill('checkout, payments');
  await page.getByRole('button', { name: 'Declare' }).click();
  await page.getByRole('heading', { name: new RegExp(title) }).waitFor();
  const id = /INC-\d+/.exec(await page.getByRole('heading', { name: new RegExp(title) }).innerText())![0];

  // The list shows it without a reload; sorting by severity puts SEV1 first.
  await engine.call('POST', '/api/v1/incidents', {
    body: {
      title: `Outage ${unique('ui')}`,
      description: 'd',
      severity: 'SEV1',
      affected_services: ['checkout'],
    },
  });
  await page.getByRole('link', { name: 'Incidents' }).click();
  await page.locator(`tr[data-id="${id}"]`).waitFor();
  await page.getByLabel('Active first').uncheck();
  await page.getByRole('button', { name: /^Severity/ }).click();
  const header = page.getByRole('columnheader', { name: /Severity/ });
  await eventually(async () => (await header.getAttribute('aria-sort')) === 'descending');
  await eventually(async () => {
    const sevs = await page.locator('tbody tr td:nth-child(3)').allInnerTexts();
    return sevs.length > 1 && sevs[0].startsWith('SEV1') && sevs.indexOf([...sevs].sort()[0]) === 0 && sevs;
  });
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-list.png'), fullPage: true });

  // Open it, acknowledge, add a note: the timeline shows both.
  await page.getByRole('link', { name: id }).click();
  await page.getByRole('button', { name: 'Acknowledge' }).click();
  await page.locator('#summary .badge', { hasText: 'acknowledged' }).waitFor();
  await page.getByLabel('Note', { exact: true }).fill('Rolled back the canary');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.locator('.timeline li', { hasText: 'Rolled back the canary' }).waitFor();
  await page.locator('.timeline li', { hasText: 'Acknowledged; assigned to rob' }).waitFor();
  // Hand the commander role to someone: on the Roles section and the timeline.
  await page.getByLabel('Incident role').selectOption('commander');
  await page.getByLabel('Person for the role').fill('ivy');
  await page.getByRole('button', { name: 'Assign' }).click();
  await page.locator('#roles dd', { hasText: 'ivy (since' }).waitFor();
  await page.locator('.timeline li', { hasText: 'Incident commander: ivy' }).waitFor();
  const record = (await engine.call('GET', `/api/v1/incidents/${id}`)).body;
  expect(record.roles.commander).toMatchObject({ person: 'ivy', by: 'rob' });
  expect(record).toMatchObject({ status: 'acknowledged', assignee: 'rob' });
  expect(
    record.timeline.some(
      (e: any) => e.kind === 'note' && e.actor === 'rob' && e.message === 'Rolled back the canary',
    ),
  ).toBe(true);
});

it('shows a pending approval to an approver, who approves it and sees the step run; a viewer cannot', async () => {
  const k = kube();
  const namespace = await ensureNamespace(k, checkout);
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('checkout', 1) });
  await k.apps.patchNamespacedDeployment(
    {
      name: 'checkout',
      namespace,
      body: {
        spec: {
          template: { spec: { containers: [{ name: 'app', image: 'registry.example/checkout:v2-bad' }] } },
        },
      },
    },
    mergePatch,
  );
  await eventually(
    async () =>
      (await k.apps.readNamespacedDeployment({ name: 'checkout', namespace })).metadata?.annotations?.[
        'deployment.kubernetes.io/revision'
      ] === '2',
  );
  const created = await engine.call('POST', '/api/v1/incidents', {
    body: {
      title: `Bad deploy ${unique('ui')}`,
      description: 'v2 is failing',
      severity: 'SEV2',
      affected_services: [checkout.name],
    },
  });
  const id = created.body.id;
  await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'rollback-deployment', params: { namespace, deployment: 'checkout' } },
  });

  // A viewer sees the pending approval but no buttons to decide it (and no lifecycle actions).
  const viewer = await signIn('viewer', { width: 390, height: 844 }); // phone width
  await viewer.goto(`${engine.url}/incidents/${id}`);
  await viewer.getByText('Approval needed:').waitFor({ timeout: 30_000 });
  await viewer.getByText('Only an approver can decide this step.').waitFor();
  expect(await viewer.getByRole('button', { name: 'Approve' }).count()).toBe(0);
  expect(await viewer.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
  await viewer.screenshot({ path: path.join(ARTIFACTS, 'console-detail-phone.png') });

  const approver = await signIn('approver');
  await approver.goto(`${engine.url}/incidents/${id}`);
  const banner = approver.getByRole('region', { name: 'Pending approvals' });
  await banner.getByText('Roll back checkout').waitFor({ timeout: 30_000 });
  await banner.getByText('high impact').waitFor();
  await approver.screenshot({ path: path.join(ARTIFACTS, 'console-detail.png'), fullPage: true });
  await approver.getByRole('button', { name: 'Approve' }).click();
  await approver
    .locator('li[data-step="undo"] .badge', { hasText: 'succeeded' })
    .waitFor({ timeout: 30_000 });
  await approver.locator('.timeline li', { hasText: /Approval approved for "Roll back checkout"/ }).waitFor();
  expect(await approver.getByRole('region', { name: 'Pending approvals' }).count()).toBe(0);
  const image = (await k.apps.readNamespacedDeployment({ name: 'checkout', namespace })).spec?.template.spec
    ?.containers[0].image;
  expect(image).toBe('registry.example/checkout:v1');
});

it('takes an alert-opened incident through a status update and resolution to its postmortem', async () => {
  const service = unique('cart');
  const alert = await engine.call('POST', '/v2/enqueue', {
    token: null,
    body: {
      routing_key: ALERT_SECRETS.pagerdutyRoutingKey,
      event_action: 'trigger',
      dedup_key: `${service}-down`,
      payload: { summary: 'Cart API down', source: 'probe', severity: 'critical', component: service },
    },
  });
  expect(alert.status).toBe(202);
  const page = await signIn('responder');
  await page.getByLabel('Service').fill(service);
  await page.getByLabel('Service').press('Enter');
  const row = page.locator('tbody tr', { hasText: service });
  await row.waitFor({ timeout: 20_000 });
  await row.getByRole('link').click();
  await page.locator('.timeline li', { hasText: 'Alert firing: Cart API down' }).waitFor();
  await page.getByRole('button', { name: 'Acknowledge' }).click();
  await page.locator('#summary .badge', { hasText: 'acknowledged' }).waitFor();

  await page.getByRole('button', { name: 'Start from the CAN draft' }).click();
  const draft = page.getByRole('textbox', { name: 'Status update' });
  await eventually(async () => (await draft.inputValue()).startsWith('Condition:'));
  await page.getByRole('button', { name: 'Post update' }).click();
  await page.locator('#communication pre', { hasText: 'Condition:' }).waitFor();

  await page.getByLabel('Root cause (to resolve)').fill('expired TLS certificate');
  await page.getByRole('button', { name: 'Move to resolved' }).click();
  await page.locator('#summary .badge', { hasText: 'resolved' }).waitFor();
  // Drafted: its sections open for writing, the whole document (rendered Markdown) one click away.
  await page.getByRole('form', { name: 'Edit the postmortem' }).waitFor();
  await page.getByText('Read the whole postmortem').click();
  const postmortem = page.locator('#postmortem div.markdown');
  await postmortem.getByRole('heading', { name: 'Root cause' }).waitFor();
  expect(await postmortem.innerText()).toContain('expired TLS certificate');
});

it('offers retry, skip and cancel on a failed step, and a retry runs it again', async () => {
  const k = kube();
  const namespace = await ensureNamespace(k, checkout);
  const created = await engine.call('POST', '/api/v1/incidents', {
    body: {
      title: `Ghost ${unique('ui')}`,
      description: 'd',
      severity: 'SEV3',
      affected_services: [checkout.name],
    },
  });
  const id = created.body.id;
  // Its Deployment does not exist yet: the restart fails after its retries and the run waits for a person.
  await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'rolling-restart', params: { namespace, deployment: 'ghost' } },
  });
  const page = await signIn('approver');
  await page.goto(`${engine.url}/incidents/${id}`);
  const step = page.locator('li[data-step="restart"]');
  await step.getByText('Waiting for a decision:').waitFor({ timeout: 60_000 });
  await step.getByRole('button', { name: 'Skip step…' }).waitFor();
  await page.getByRole('button', { name: 'Cancel run…' }).waitFor();
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('ghost', 1) });
  await step.getByRole('button', { name: 'Retry step' }).click();
  await page
    .locator('.timeline li', { hasText: /Step "Restart ghost" retried by alice \(attempt 2\)/ })
    .waitFor();
  await page
    .locator('article.run', { hasText: /succeeded/ })
    .getByText(/restarted ghost|already restarted ghost/)
    .waitFor({ timeout: 60_000 });
  expect(await page.getByText('Waiting for a decision:').count()).toBe(0);
}, 120_000);
