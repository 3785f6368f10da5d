/**
 * llm-provider-failover against two OpenAI-shaped providers on loopback and an app whose
 * pods read their provider from a ConfigMap on the Kubernetes plane: the primary hangs, the
 * runbook confirms it, waits for approval, flips the switch, restarts the app and verifies
 * through the app's health check; with the backup failing too it switches back and escalates.
 */
import { eventually, startEngine, TestEngine } from './support/engine';
import { keep } from './support/histories';
import { declare, pendingApproval, runReaches } from './support/incidents';
import { deployment, kube } from './support/kube';
import { AiApp, Provider, startAiApp, startProvider } from './support/llm';
import { catalogueOf, ensureNamespace, testService, TestService } from './support/services';

const SWITCH = { config_map: 'ai-settings', key: 'LLM_PROVIDER', values: ['primary', 'backup'] };
const k = kube();
let engine: TestEngine;
const closing: (() => Promise<void>)[] = [];

/** An AI service with its own providers, app and catalogue entry. */
async function aiService(prefix: string) {
  const primary = await startProvider('primary', 'ok');
  const backup = await startProvider('backup', 'ok');
  const svc = testService(prefix, { deployments: ['assistant'], switches: { 'llm-provider': SWITCH } });
  const app = await startAiApp({
    kube: k,
    namespace: svc.namespace,
    deployment: 'assistant',
    configMap: SWITCH.config_map,
    key: SWITCH.key,
    providers: { primary: primary.url, backup: backup.url },
  });
  closing.push(primary.close, backup.close, app.close);
  svc.config.health_checks = [`${primary.url}/v1/models`, app.healthUrl];
  svc.config.runbooks = {
    'llm-provider-failover': {
      params: { to: 'backup', probe_url: `${primary.url}/v1/models`, health_url: app.healthUrl },
    },
  };
  return { svc, primary, backup, app };
}

let ok: { svc: TestService; primary: Provider; backup: Provider; app: AiApp };
let bad: typeof ok;

beforeAll(async () => {
  [ok, bad] = [await aiService('assistant'), await aiService('assistant-bad')];
  for (const { svc } of [ok, bad]) {
    const namespace = await ensureNamespace(k, svc);
    await k.apps.createNamespacedDeployment({ namespace, body: deployment('assistant', 2) });
    await k.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: SWITCH.config_map }, data: { [SWITCH.key]: 'primary', OTHER: 'kept' } },
    });
  }
  engine = await startEngine({ services: catalogueOf([ok.svc, bad.svc]) });
});
afterAll(async () => {
  await engine?.close();
  await Promise.all(closing.map((c) => c()));
});

const switchValue = async (svc: TestService) =>
  (await k.core.readNamespacedConfigMap({ namespace: svc.namespace, name: SWITCH.config_map })).data;

async function runFailover(svc: TestService) {
  const id = await declare(engine, svc.name, 'critical');
  const started = await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'llm-provider-failover', params: {} },
  });
  expect(started.status).toBe(202);
  const approval = await pendingApproval(engine, id);
  expect(approval).toMatchObject({ step_id: 'switch', impact: 'high' });
  expect(approval.what).toContain(`set ${svc.namespace}/ai-settings LLM_PROVIDER from "primary" to "backup"`);
  expect((await switchValue(svc))?.LLM_PROVIDER).toBe('primary'); // nothing changes before approval
  const approved = await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
    token: 'approver',
    body: {},
  });
  expect(approved.status).toBe(200);
  return { id, run: await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']) };
}

const stepsOf = (run: any) => run.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`);

it('confirms the primary is hanging, flips the switch with approval, restarts the app and verifies it on the backup', async () => {
  await eventually(async () => ok.app.provider() === 'primary');
  ok.primary.mode = 'hanging';
  const { id, run } = await runFailover(ok.svc);
  keep(engine.namespace, `${id}-rb-1`, 'runbook-llm-provider-failover');
  expect(run).toMatchObject({ status: 'succeeded' });
  expect(run.outcome).toBe('assistant now uses backup (was primary); 3/3 health checks pass');
  expect(stepsOf(run)).toEqual([
    'probe-primary:succeeded',
    'read-switch:succeeded',
    'switch:succeeded',
    'wait:succeeded',
    'verify:succeeded',
  ]);
  expect(await switchValue(ok.svc)).toEqual({ LLM_PROVIDER: 'backup', OTHER: 'kept' });
  expect(ok.app.provider()).toBe('backup');
  expect(ok.backup.completions).toBeGreaterThanOrEqual(3);
  const probe = JSON.parse(run.evidence[0].text);
  expect(probe).toMatchObject({ count: 3, failed: 3 });
  expect(probe.results[0].error).toMatch(/timeout|aborted/i);
  // The switch is remembered with its key on the ConfigMap (a retried step changes nothing).
  const cm = await k.core.readNamespacedConfigMap({ namespace: ok.svc.namespace, name: 'ai-settings' });
  expect(JSON.parse(cm.metadata!.annotations!['tourniquet.dev/actions'])).toEqual([
    expect.objectContaining({ key: `${id}-rb-1/switch`, result: { previous: 'primary' } }),
  ]);
}, 90_000);

it('switches back and escalates when the app still fails on the backup', async () => {
  await eventually(async () => bad.app.provider() === 'primary');
  bad.primary.mode = 'failing';
  bad.backup.mode = 'failing';
  const { run } = await runFailover(bad.svc);
  expect(run).toMatchObject({ status: 'escalated' });
  expect(run.outcome).toContain(
    'the app still fails on backup (3/3 health checks); switched back to primary',
  );
  expect(stepsOf(run)).toEqual([
    'probe-primary:succeeded',
    'read-switch:succeeded',
    'switch:succeeded',
    'wait:succeeded',
    'verify:succeeded',
    'switch-back:succeeded',
  ]);
  expect((await switchValue(bad.svc))?.LLM_PROVIDER).toBe('primary');
  await eventually(async () => bad.app.provider() === 'primary');
}, 90_000);

it('changes nothing while the primary answers', async () => {
  ok.primary.mode = 'ok';
  const id = await declare(engine, ok.svc.name, 'critical');
  await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'llm-provider-failover', params: {} },
  });
  const run = await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
  expect(run).toMatchObject({ status: 'escalated' });
  expect(run.outcome).toContain('the primary provider answers (3/3 probes passed)');
  expect(stepsOf(run)).toEqual(['probe-primary:succeeded']);
  expect((await switchValue(ok.svc))?.LLM_PROVIDER).toBe('backup');
});
