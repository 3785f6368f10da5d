/**
 * Resume from the failed step: a run whose verification fails waits for a human. Retry runs
 * the failed step again (the mutation before it is not repeated), skip goes on without it (an
 * approver, with a reason), cancel ends the run where it is; each on the timeline.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { declare, detail } from './support/incidents';
import { startKit, type KitRun, type RunbookKit } from './support/runbook-kit';

const RUNBOOK = `import { defineRunbook, z } from 'tourniquet/runbook';

export default defineRunbook({
  meta: {
    name: 'verify-probe',
    owner: 'test-team',
    description: 'Scales a Deployment to 2, then verifies the service answers its health check.',
    version: '1.0.0',
    triggers: [{ labels: { runbook: 'verify-probe' } }],
    escalation: 'platform-oncall',
    eta: '5m',
    params: z.object({
      namespace: z.string().describe('namespace'),
      deployment: z.string().describe('Deployment to scale'),
      health_url: z.string().describe('health check'),
    }),
    targets: { namespace: 'namespace', deployment: 'deployment', health_url: 'url' },
  },
  async run(ctx) {
    const ref = { namespace: ctx.params.namespace, name: ctx.params.deployment };
    await ctx.step(
      { id: 'scale', title: 'Scale to 2', impact: 'low', action: 'scale', what: 'scale to 2 replicas' },
      () => ctx.k8s.k8sScale({ ...ref, replicas: 2, key: ctx.key('scale') }),
    );
    await ctx.step(
      { id: 'verify', title: 'Verify health', impact: 'read', what: 'GET the health check' },
      () => ctx.http.httpCheck({ url: ctx.params.health_url }),
      (r) => (r.ok ? undefined : 'health check answered ' + r.status),
    );
    return 'verified';
  },
});
`;

let healthy = false;
let server: Server;
let kit: RunbookKit;
let params: Record<string, string>;

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(healthy ? 200 : 503).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const health_url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-resume-'));
  writeFileSync(path.join(dir, 'verify-probe.ts'), RUNBOOK);
  kit = await startKit({
    runbookDirs: [dir],
    deployments: ['web'],
    health_checks: [health_url],
    runbooks: { 'verify-probe': {} },
  });
  await kit.deployment('web', 1);
  params = { namespace: kit.namespace, deployment: 'web', health_url };
}, 120_000);
afterAll(async () => {
  await kit?.close();
  server?.close();
});

/** A run whose verification failed: failed (its incident pages), with the step's decision pending. */
async function failedAtVerify(): Promise<KitRun> {
  healthy = false;
  const run = await kit.run('verify-probe', params);
  expect(run.status).toBe('failed');
  expect(run.steps.map((s) => [s.id, s.status, s.decision])).toEqual([
    ['scale', 'succeeded', undefined],
    ['verify', 'failed', 'pending'],
  ]);
  return run;
}
const decide = (run: KitRun, what: string, token: 'responder' | 'approver', body: unknown = {}) =>
  kit.engine.call('POST', `/api/v1/incidents/${run.incidentId}/runbooks/${run.run_id}/${what}`, {
    token,
    body,
  });
const timeline = async (run: KitRun) =>
  ((await detail(kit.engine, run.incidentId)).timeline as { message: string }[]).map((e) => e.message);

it('retry runs the failed verification again, not the scale before it', async () => {
  const run = await failedAtVerify();
  expect(
    (await timeline(run)).some((m) =>
      m.includes('Step "Verify health" failed: health check answered 503; it waits'),
    ),
  ).toBe(true);
  healthy = true;
  expect((await decide(run, 'steps/verify/retry', 'responder')).status).toBe(200);
  const done = await kit.settle(run);
  expect(done).toMatchObject({ status: 'succeeded', outcome: 'verified' });
  expect(done.steps.map((s) => [s.id, s.status, s.attempts])).toEqual([
    ['scale', 'succeeded', undefined],
    ['verify', 'succeeded', 2],
  ]);
  const messages = await timeline(run);
  expect(messages.filter((m) => m.startsWith('Step "Scale to 2" succeeded'))).toHaveLength(1);
  expect(messages).toContain('Step "Verify health" retried by rob (attempt 2)');
  // Retrying what is no longer waiting is refused.
  expect((await decide(run, 'steps/verify/retry', 'responder')).status).toBe(409);
});

it('skip goes on without the step: an approver, with a reason', async () => {
  const run = await failedAtVerify();
  expect((await decide(run, 'steps/verify/skip', 'responder', { reason: 'checked by hand' })).status).toBe(
    403,
  );
  const noReason = await decide(run, 'steps/verify/skip', 'approver', {});
  expect(noReason.status).toBe(400);
  expect(noReason.body.error.message).toContain('reason');
  expect((await decide(run, 'steps/verify/skip', 'approver', { reason: 'checked by hand' })).status).toBe(
    200,
  );
  const done = await kit.settle(run);
  expect(done.status).toBe('succeeded');
  expect(done.steps[1]).toMatchObject({ status: 'skipped', result: 'skipped by alice: checked by hand' });
  expect(await timeline(run)).toContain('Step "Verify health" skipped: skipped by alice: checked by hand');
});

it('cancel ends the run where it is and changes nothing else', async () => {
  const run = await failedAtVerify();
  const before = await kit.k.apps.readNamespacedDeployment({ name: 'web', namespace: kit.namespace });
  const r = await decide(run, 'cancel', 'responder', { reason: 'rolling back by hand' });
  expect(r.status).toBe(200);
  const done = await kit.settle(run);
  expect(done).toMatchObject({
    status: 'cancelled',
    outcome: 'Cancelled: cancelled by rob: rolling back by hand',
  });
  expect(done.steps.map((s) => s.id)).toEqual(['scale', 'verify']);
  const after = await kit.k.apps.readNamespacedDeployment({ name: 'web', namespace: kit.namespace });
  expect(after.metadata?.generation).toBe(before.metadata?.generation);
  expect((await decide(run, 'steps/verify/retry', 'responder')).status).toBe(409);
});

it('refuses a parameter value its runbook rejects, naming it', async () => {
  const id = await declare(kit.engine, kit.service.name);
  const r = await kit.engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'scale-out', params: { factor: 'lots' } },
  });
  expect(r.status).toBe(400);
  expect(r.body.error.fields).toEqual([
    { path: 'params.factor', message: expect.stringContaining('number') },
  ]);
});
