/**
 * A missed mitigate milestone offers the runbook's stronger alternative (rolling-restart →
 * failover) as a run whose every mutating step waits for a human; a step past its ETA pages
 * the runbook's escalation target. Real Temporal, real Kubernetes API server.
 */
import { eventually, startEngine, TestEngine } from './support/engine';
import { detail, pendingApproval } from './support/incidents';
import { deployment, kube } from './support/kube';
import { catalogueOf, ensureNamespace, testService } from './support/services';
import { Receiver, startReceiver } from './support/receiver';
import { DEFAULT_GUARDRAILS } from '../domain/guardrails';
import { ALL_DAY } from './support/oncall';

let engine: TestEngine;
// Restart first; its stronger alternative fails over to the standby behind the Service "web".
const web = testService('web', {
  deployments: ['web', 'web-standby'],
  services: ['web'],
  runbooks: { 'rolling-restart': {}, failover: {} },
});
let pager: Receiver;

beforeAll(async () => {
  pager = await startReceiver();
  engine = await startEngine({
    services: catalogueOf([web]),
    // Undecided approvals escalate after 3 s (rejected at 4×).
    guardrails: {
      ...DEFAULT_GUARDRAILS,
      approvalTimeoutSeconds: { ...DEFAULT_GUARDRAILS.approvalTimeoutSeconds, SEV2: 3 },
    },
    escalation: {
      business_hours: ALL_DAY,
      severities: { SEV2: { acknowledge: '1h', mitigate: '4s', update_every: null, page: false } },
      schedules: {
        platform: {
          timezone: 'UTC',
          rotation: 'daily',
          handoff: '00:00',
          start: '2026-01-01',
          people: ['alice'], // an approver: her pages carry approval links,
        },
      },
      roles: { 'platform-oncall': [{ schedule: 'platform' }] },
      policies: { default: { levels: [{ targets: [{ person: 'lee' }], timeout: '1h' }] } },
      notifiers: [{ name: 'pager', type: 'webhook', url: pager.url }],
    },
  });
});
afterAll(async () => {
  await engine?.close();
  await pager?.close();
});

it('offers failover for approval when the restart has not mitigated by the milestone', async () => {
  const k = kube();
  const namespace = await ensureNamespace(k, web);
  const service = web.name;
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('web', 1) });
  await k.apps.createNamespacedDeployment({ namespace, body: deployment('web-standby', 0) });
  // Automation paused for the service: the restart waits, so it cannot mitigate in time.
  expect((await engine.call('POST', '/api/v1/automation/pause', { body: { service } })).status).toBe(200);
  const created = await engine.call('POST', '/api/v1/incidents', {
    body: { title: 'web down', description: 'd', severity: 'high', affected_services: [service] },
  });
  const id = created.body.id;
  const started = await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
    body: { name: 'rolling-restart', params: { namespace, deployment: 'web' } },
  });
  expect(started.status).toBe(202);

  const offered = await eventually(
    async () => (await detail(engine, id)).runbooks.find((r: any) => r.name === 'failover'),
    { timeoutMs: 20_000 },
  );
  expect(offered).toMatchObject({
    started_by: 'tourniquet',
    params: expect.objectContaining({ primary: 'web', standby: 'web-standby', service: 'web' }),
  });
  const approval = await pendingApproval(engine, id);
  expect(approval).toMatchObject({ step_id: 'scale-standby', status: 'pending' });
  expect(approval.reason).toContain('mitigate milestone missed');
  const d = await detail(engine, id);
  expect(d.milestones.find((m: any) => m.name === 'mitigate')).toMatchObject({ status: 'missed' });
  expect(d.timeline.map((e: any) => e.message)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^Mitigate milestone missed/),
      expect.stringMatching(/^Runbook failover started for approval: mitigate milestone missed/),
    ]),
  );
  // The missed milestone paged the policy's next level.
  expect(pager.delivered().some((r) => r.body.incident.id === id && r.body.to === 'lee')).toBe(true);
  // Left undecided, the approval pages the runbook's escalation target (platform-oncall → alice),
  // with signed one-click links to decide it.
  const escalated = await eventually(
    async () => pager.delivered().find((r) => r.body.incident.id === id && r.body.to === 'alice'),
    { timeoutMs: 10_000 },
  );
  expect(escalated.body.reason).toMatch(/^approval for "Scale standby to 1" undecided since/);
  expect(escalated.body.approvals[0]).toMatchObject({
    approval_id: approval.id,
    approve_url: expect.stringContaining('/api/v1/approval-links/'),
  });
  await engine.call('POST', '/api/v1/automation/resume', { token: 'approver', body: { service } });
});
