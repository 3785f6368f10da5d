/**
 * Replay tests: histories recorded from real runs (test/histories/*.json) must replay on the
 * current workflow code, so a change never breaks incidents already running. A change that
 * alters the commands a workflow issues needs `patched()`. To record new fixtures after a
 * deliberate change: RECORD_HISTORIES=1 npx jest test/replay.test.ts (then commit them).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Worker } from '@temporalio/worker';
import { ALERT_SECRETS, eventually, startEngine, unique } from './support/engine';
import { pendingApproval, runReaches } from './support/incidents';
import { createNamespace, deployment, kube } from './support/kube';
import { ensureTemporalCli } from '../worker/dev-server';

const DIR = path.join(__dirname, 'histories');
const record = process.env.RECORD_HISTORIES === '1';

if (record) it('records histories of an alert-opened incident with an approved runbook', async () => {
  const engine = await startEngine();
  try {
    const k = kube();
    const namespace = await createNamespace(k, 'replay');
    await k.apps.createNamespacedDeployment({ namespace, body: deployment('api', 1) });
    const service = unique('replay');
    const alert = (status: string) => ({
      version: '4', status, groupKey: `replay-${service}`, receiver: 't',
      alerts: [{ status, labels: { alertname: 'HighErrorRateAfterDeploy', service, namespace, deployment: 'api', severity: 'warning' }, annotations: { summary: 'errors' }, fingerprint: service }],
    });
    await engine.call('POST', '/api/v1/alerts/alertmanager', { bearer: ALERT_SECRETS.alertmanager, body: alert('firing') });
    const id = await eventually(async () => (await engine.call('GET', `/api/v1/incidents?service=${service}`)).body.incidents[0]?.id);
    const approval = await pendingApproval(engine, id);
    await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/reject`, { token: 'approver', body: { reason: 'no previous revision anyway' } });
    await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
    await engine.call('POST', `/api/v1/incidents/${id}/notes`, { body: { text: 'looking' } });
    await engine.call('POST', '/api/v1/alerts/alertmanager', { bearer: ALERT_SECRETS.alertmanager, body: alert('resolved') });
    await eventually(async () => (await engine.call('GET', `/api/v1/incidents/${id}`)).body.status === 'resolved');
    // The CLI writes the proto-JSON form that Worker.runReplayHistory reads.
    for (const [name, workflowId] of [['incident', id], ['runbook-run', `${id}-rb-1`]]) {
      const json = execFileSync(ensureTemporalCli(), ['workflow', 'show', '--address', process.env.TOURNIQUET_TEST_TEMPORAL!, '--namespace', engine.namespace, '-w', workflowId, '-o', 'json']);
      writeFileSync(path.join(DIR, `${name}.json`), json);
    }
  } finally {
    await engine.close();
  }
});

it('replays every recorded history on the current workflow code', async () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(2);
  for (const file of files) {
    const history = JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TOURNIQUET_TEST_BUNDLE! } }, history, file)).resolves.toBeUndefined();
  }
});
