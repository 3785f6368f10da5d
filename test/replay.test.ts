/**
 * Replay tests: histories recorded from real runs (test/histories/*.json) must replay on the
 * current workflow code, so a change never breaks incidents already running. A change that
 * alters the commands a workflow issues needs `patched()`. To record new fixtures after a
 * deliberate change, add a recorder below under a new name and run
 * RECORD_HISTORIES=1 npx jest test/replay.test.ts (then commit the new file). A recorder
 * that needs its own set-up lives with its test (the engine-health history: engine-health.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { ALERT_SECRETS, eventually, startEngine, unique } from './support/engine';
import { alertOpened, detail, fencedFailoverWaiting, pendingApproval, runReaches } from './support/incidents';
import { createNamespace, deployment, failoverTarget, kube } from './support/kube';
import { HISTORIES_DIR as DIR, missing, save } from './support/histories';
import { alertGroupId } from '../api/alerts/intake';
import { startReceiver } from './support/receiver';
import { catalogueOf, ensureNamespace, testService } from './support/services';
import { pageDeliveryId } from '../workflows/page-delivery';
import { SEQUENCE_WORKFLOW_ID } from '../workflows/definitions';
import { dailyOnCall, ALL_DAY } from './support/oncall';

/**
 * Each generation of the workflow code records its own fixtures (a suffix on the names):
 * '' the first wave, '-v2' the incident and runbook workflows as folders (2026-11-29), '-v4'
 * exactly once (2026-11-29: keyed requests, delivery workflows, page episodes, withdrawn runs),
 * '-v5' the hot paths (2026-11-29: the alert group starts the opening run, a run reads its
 * config by local activities and reports in the background, visibility stamps IncidentListedAt),
 * '-v6' runbook authors (2026-11-29: typed parameters, resumable runs pinned by Worker Versioning),
 * '-v7' published status updates (2026-11-30: sent to channels, external ones in the memo for /status),
 * '-v8' communication (2026-11-30: roles and the newest update in the memo for the internal status board;
 * Slack channels and the page budget are config-driven and recorded by slack.test.ts and escalation-off-hours.test.ts),
 * '-v9' generation patches (2026-11-30: one patch marker for a new incident, alert group and run),
 * '-v10' third generations (2026-11-30: an incident's opening publishes once and its deadline timer is kept while
 * the deadline holds; an alert group's one local activity numbers the incident and reads its opening run's config),
 * '-v11' generations from the input (2026-11-30: a workflow whose input names GENERATION 4 records no patch marker);
 * incident-refused-page-v11: an alert-opened incident's refused page, tried once by local activity and not resent).
 * Each built-in runbook's own run is recorded by its test file (runbook-<name>-v6, keep()).
 */
const GENERATIONS = ['', '-v2', '-v4', '-v5', '-v6', '-v7', '-v8', '-v9', '-v10', '-v11'];

for (const gen of GENERATIONS) {
  if (missing(`incident-escalation${gen}`))
    it(`records an incident that misses its acknowledge milestone, escalates and is re-planned (${gen || 'first'})`, async () => {
      const receiver = await startReceiver();
      const engine = await startEngine({
        escalation: {
          severities: {
            SEV2: { acknowledge: '2s', mitigate: '1h', update_every: '1h' },
            SEV1: { update_every: '10s' },
          },
          schedules: {
            primary: dailyOnCall('pat'),
            secondary: dailyOnCall('sam'),
          },
          policies: {
            default: {
              levels: [
                { targets: [{ schedule: 'primary' }], timeout: '2s' },
                { targets: [{ schedule: 'secondary' }], timeout: '1h' },
              ],
            },
          },
          business_hours: ALL_DAY,
          notifiers: [{ name: 'pager', type: 'webhook', url: receiver.url }],
        },
      });
      try {
        const created = await engine.call('POST', '/api/v1/incidents', {
          body: {
            title: 'replay escalation',
            description: 'd',
            severity: 'high',
            affected_services: ['replay'],
          },
        });
        const id = created.body.id;
        await eventually(async () => receiver.delivered().some((r) => r.body.to === 'sam'));
        await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} });
        await engine.call('PATCH', `/api/v1/incidents/${id}`, {
          body: { severity: 'SEV1', assignee: 'nia' },
        });
        await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { token: 'approver', body: {} });
        // Roles ('-v7'): a commander, and a communications lead reminded of the next update (2 s cadence).
        await engine.call('PUT', `/api/v1/incidents/${id}/roles/commander`, { body: { person: 'ivy' } });
        await engine.call('PUT', `/api/v1/incidents/${id}/roles/communications`, { body: { person: 'lee' } });
        await eventually(async () =>
          receiver.delivered().some((r) => r.body.to === 'lee' && r.body.kind === 'reminder'),
        );
        await engine.call('POST', `/api/v1/incidents/${id}/transition`, {
          body: { to: 'resolved', root_cause: 'replay' },
        });
        await engine.call('POST', `/api/v1/incidents/${id}/transition`, { body: { to: 'closed' } });
        await eventually(
          async () => (await engine.client.workflow.getHandle(id).describe()).status.name === 'COMPLETED',
        );
        save(engine.namespace, id, `incident-escalation${gen}`);
      } finally {
        await engine.close();
        await receiver.close();
      }
    });

  if (missing(`incident-record${gen}`))
    it(`records an incident with evidence, a status update, a published postmortem and action items (${gen || 'first'})`, async () => {
      const engine = await startEngine({
        escalation: {
          action_item_reminders: '1s',
          business_hours: ALL_DAY,
        },
      });
      try {
        const created = await engine.call('POST', '/api/v1/incidents', {
          body: {
            title: 'replay record',
            description: 'd',
            severity: 'medium',
            affected_services: ['replay'],
          },
        });
        const inc = `/api/v1/incidents/${created.body.id}`;
        await engine.call('POST', `${inc}/evidence`, {
          body: { kind: 'log', title: 'errors', text: 'boom' },
        });
        await engine.call('PUT', `${inc}/services/replay/health`, { body: { health: 'degraded' } });
        await engine.call('POST', `${inc}/acknowledge`, { body: {} });
        await engine.call('POST', `${inc}/status-updates`, {
          body: { message: 'looking', visibility: 'internal' },
        });
        await engine.call('POST', `${inc}/status-updates`, {
          body: { message: 'We are looking into it', visibility: 'external' },
        });
        await engine.call('POST', `${inc}/transition`, { body: { to: 'resolved', root_cause: 'replay' } });
        await engine.call('POST', `${inc}/action-items`, {
          body: { title: 'fix', owner: 'olga', due: '2026-01-01' },
        });
        await new Promise((r) => setTimeout(r, 2500)); // two reminders
        await engine.call('PUT', `${inc}/postmortem`, { body: { summary: 'replayed' } });
        await engine.call('POST', `${inc}/postmortem/publish`, { body: {} });
        await engine.call('PATCH', `${inc}/action-items/AI-1`, { body: { status: 'done' } });
        await eventually(
          async () =>
            (await engine.client.workflow.getHandle(created.body.id).describe()).status.name === 'COMPLETED',
        );
        save(engine.namespace, created.body.id, `incident-record${gen}`);
      } finally {
        await engine.close();
      }
    });

  if (missing(`incident${gen}`))
    it(`records histories of an alert-opened incident with an approved runbook (${gen || 'first'})`, async () => {
      // Since services (#16) an alert's runbook acts only on its catalogued service.
      const svc = testService('replay', { deployments: ['api'], runbooks: { 'rollback-deployment': {} } });
      const engine = await startEngine({ services: catalogueOf([svc]) });
      try {
        const k = kube();
        const namespace = await ensureNamespace(k, svc);
        await k.apps.createNamespacedDeployment({ namespace, body: deployment('api', 1) });
        const service = svc.name;
        const alert = (status: string) => ({
          version: '4',
          status,
          groupKey: `replay-${service}`,
          receiver: 't',
          alerts: [
            {
              status,
              labels: {
                alertname: 'HighErrorRateAfterDeploy',
                service,
                namespace,
                deployment: 'api',
                severity: 'warning',
              },
              annotations: { summary: 'errors' },
              fingerprint: service,
            },
          ],
        });
        await engine.call('POST', '/api/v1/alerts/alertmanager', {
          bearer: ALERT_SECRETS.alertmanager,
          body: alert('firing'),
        });
        const id = await eventually(
          async () =>
            (await engine.call('GET', `/api/v1/incidents?service=${service}`)).body.incidents[0]?.id,
        );
        const approval = await pendingApproval(engine, id);
        await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/reject`, {
          token: 'approver',
          body: { reason: 'no previous revision anyway' },
        });
        await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
        await engine.call('POST', `/api/v1/incidents/${id}/notes`, { body: { text: 'looking' } });
        await engine.call('POST', '/api/v1/alerts/alertmanager', {
          bearer: ALERT_SECRETS.alertmanager,
          body: alert('resolved'),
        });
        await eventually(
          async () => (await engine.call('GET', `/api/v1/incidents/${id}`)).body.status === 'resolved',
        );
        save(engine.namespace, id, `incident${gen}`);
        save(engine.namespace, `${id}-rb-1`, `runbook-run${gen}`);
      } finally {
        await engine.close();
      }
    });
}

/**
 * Paths added with bounded state (2026-11-29, '-v3'): a guard holding a run while paused and
 * telling it on resume, an alert group that opens and ends an incident, and an incident that
 * continued as new carrying only its newest timeline.
 */
if (missing('guard-paused-v3'))
  it('records a guard that holds a runbook step while paused and signals it on resume', async () => {
    const engine = await startEngine();
    try {
      const k = kube();
      const namespace = await createNamespace(k, 'replay-guard');
      await k.apps.createNamespacedDeployment({ namespace, body: deployment('api', 1) });
      const service = unique('replay-guard');
      await engine.call('POST', '/api/v1/automation/pause', { body: { service } });
      const created = await engine.call('POST', '/api/v1/incidents', {
        body: { title: 'replay guard', description: 'd', severity: 'high', affected_services: [service] },
      });
      const id = created.body.id;
      await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, {
        body: { name: 'rolling-restart', params: { service, namespace, deployment: 'api' } },
      });
      await eventually(async () =>
        (await engine.call('GET', `/api/v1/incidents/${id}`)).body.runbooks[0]?.steps.some(
          (s: any) => s.status === 'waiting',
        ),
      );
      await engine.call('POST', '/api/v1/automation/resume', { token: 'approver', body: { service } });
      await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
      save(engine.namespace, `guard-${service}`, 'guard-paused-v3');
      save(engine.namespace, `${id}-rb-1`, 'runbook-paused-v3');
    } finally {
      await engine.close();
    }
  });

// '-v7': forwards numbered, so an incident applies a second delivery once (2026-11-30); '-v9' one patch marker; '-v10' third generations.
for (const gen of ['-v3', '-v7', '-v9', '-v10', '-v11'])
  if (missing(`alert-group${gen}`))
    it(`records an alert group that opens an incident, forwards, and ends when it resolves (${gen})`, async () => {
      const engine = await startEngine();
      try {
        const service = unique('replay-group');
        const groupKey = unique('replay-group');
        const webhook = (status: string, fingerprints: string[]) => ({
          version: '4',
          status,
          groupKey,
          alerts: fingerprints.map((fingerprint) => ({
            status,
            labels: { alertname: 'DiskFull', service, severity: 'warning' },
            annotations: { summary: `disk full on ${fingerprint}` },
            fingerprint,
          })),
        });
        const post = (body: unknown) =>
          engine.call('POST', '/api/v1/alerts/alertmanager', { bearer: ALERT_SECRETS.alertmanager, body });
        await post(webhook('firing', ['a', 'b']));
        const id = await eventually(
          async () =>
            (await engine.call('GET', `/api/v1/incidents?service=${service}`)).body.incidents[0]?.id,
        );
        await post(webhook('firing', ['c']));
        await post(webhook('resolved', ['a', 'b', 'c']));
        const group = engine.client.workflow.getHandle(alertGroupId('alertmanager', groupKey));
        await eventually(async () => (await group.describe()).status.name === 'COMPLETED');
        save(engine.namespace, group.workflowId, `alert-group${gen}`);
        save(engine.namespace, id, `incident-alerts${gen}`);
      } finally {
        await engine.close();
      }
    });

if (missing('incident-continued-v3'))
  it('records an incident that continued as new, its timeline archived in the earlier run', async () => {
    const engine = await startEngine({ historyLimit: 40 });
    try {
      const created = await engine.call('POST', '/api/v1/incidents', {
        body: {
          title: 'replay continued',
          description: 'd',
          severity: 'medium',
          affected_services: ['replay'],
        },
      });
      const id = created.body.id;
      for (let n = 0; n < 30; n++) {
        await engine.call('POST', `/api/v1/incidents/${id}/notes`, {
          body: { text: `note ${n} ${'x'.repeat(4000)}` },
        });
      }
      await eventually(
        async () => (await engine.call('GET', `/api/v1/incidents/${id}`)).body.timeline_offset > 0,
      );
      await engine.call('POST', `/api/v1/incidents/${id}/transition`, {
        body: { to: 'resolved', root_cause: 'replay' },
      });
      save(engine.namespace, id, 'incident-continued-v3');
    } finally {
      await engine.close();
    }
  });

/**
 * Paths added for exactly once (2026-11-29, '-v4'): keyed requests remembered across
 * continue-as-new, a notification delivered by its own workflow, and a run waiting on a
 * manual step cancelled when the incident is resolved.
 */
if (missing('incident-keys-v4'))
  it('records keyed requests across continue-as-new, a delivery workflow and a run cancelled at resolve', async () => {
    const chat = await startReceiver();
    const svc = testService('replay-keys', {
      deployments: ['db-proxy', 'db-proxy-standby'],
      services: ['db'],
      runbooks: { failover: {} },
    });
    const engine = await startEngine({
      historyLimit: 60,
      services: catalogueOf([svc]),
      escalation: {
        business_hours: ALL_DAY,
        notifiers: [{ name: 'chat', type: 'slack', url: chat.url, kinds: ['notify'] }],
      },
    });
    try {
      const k = kube();
      const namespace = await ensureNamespace(k, svc);
      await failoverTarget(k, namespace, 'db-proxy', 'db', 5432);
      const keyed = (path: string, body: unknown, key: string) =>
        engine.call('POST', path, { body, headers: { 'Idempotency-Key': key } });
      const created = await keyed(
        '/api/v1/incidents',
        { title: 'replay keys', description: 'd', severity: 'medium', affected_services: [svc.name] },
        'replay-declare',
      );
      const id = created.body.id;
      await eventually(async () => chat.delivered().some((r) => r.body.text?.includes(id)));
      const handle = engine.client.workflow.getHandle(id);
      const firstRun = (await handle.describe()).runId;
      await keyed(`/api/v1/incidents/${id}/notes`, { text: 'keyed' }, 'replay-note');
      for (let n = 0; n < 20; n++)
        await engine.call('POST', `/api/v1/incidents/${id}/notes`, { body: { text: `note ${n}` } });
      await eventually(async () => (await handle.describe()).runId !== firstRun);
      await keyed(`/api/v1/incidents/${id}/notes`, { text: 'keyed' }, 'replay-note');
      const retriedIn = (await handle.describe()).runId; // the run that found the key in its book
      await fencedFailoverWaiting(engine, id, namespace);
      await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} });
      await engine.call('POST', `/api/v1/incidents/${id}/transition`, {
        body: { to: 'resolved', root_cause: 'replay' },
      });
      await runReaches(engine, id, `${id}-rb-1`, ['cancelled']).catch(async (err) => {
        throw new Error(
          `${err}: ${JSON.stringify((await engine.call('GET', `/api/v1/incidents/${id}`)).body.runbooks)}`,
        );
      });
      save(engine.namespace, id, 'incident-keys-v4', retriedIn);
      save(engine.namespace, `${id}-rb-1`, 'runbook-cancelled-v4');
      save(engine.namespace, pageDeliveryId('chat', `${id}/SEV3-notify/team`), 'page-delivery-v4');
    } finally {
      await engine.close();
      await chat.close();
    }
  });

/**
 * The approval path since #18 ('-v5'): an alert group that started the opening run itself,
 * and that run approved, taking its guard slot by a local activity before the rollback.
 */
if (missing('runbook-approved-v5'))
  it('records an alert-opened run approved and guarded by a local activity', async () => {
    const svc = testService('replay-approved', {
      deployments: ['api'],
      runbooks: { 'rollback-deployment': {} },
    });
    const engine = await startEngine({ services: catalogueOf([svc]) });
    try {
      const k = kube();
      const namespace = await ensureNamespace(k, svc);
      await k.apps.createNamespacedDeployment({ namespace, body: deployment('api', 1) });
      const groupKey = unique('replay-approved');
      const alert = (status: string) => ({
        version: '4',
        status,
        groupKey,
        alerts: [
          {
            status,
            labels: { alertname: 'HighErrorRateAfterDeploy', service: svc.name, severity: 'warning' },
            annotations: { summary: 'errors' },
            fingerprint: groupKey,
          },
        ],
      });
      const post = (body: unknown) =>
        engine.call('POST', '/api/v1/alerts/alertmanager', { bearer: ALERT_SECRETS.alertmanager, body });
      await post(alert('firing'));
      const id = await eventually(
        async () => (await engine.call('GET', `/api/v1/incidents?service=${svc.name}`)).body.incidents[0]?.id,
      );
      const approval = await pendingApproval(engine, id);
      const approved = await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
        token: 'approver',
        body: {},
      });
      expect(approved.status).toBe(200);
      await runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
      await post(alert('resolved'));
      const group = engine.client.workflow.getHandle(alertGroupId('alertmanager', groupKey));
      await eventually(async () => (await group.describe()).status.name === 'COMPLETED');
      save(engine.namespace, group.workflowId, 'alert-group-v5');
      save(engine.namespace, `${id}-rb-1`, 'runbook-approved-v5');
    } finally {
      await engine.close();
    }
  });

/**
 * A page refused by its receiver ('-v11'): an alert-opened incident tries it once by local
 * activity, records the refusal and schedules no activity to send it again.
 */
if (missing('incident-refused-page-v11'))
  it('records an alert-opened incident whose page the receiver refuses', async () => {
    const receiver = await startReceiver();
    receiver.refuseWith = 400;
    const engine = await startEngine({
      escalation: {
        schedules: {
          primary: dailyOnCall('pat'),
        },
        policies: { default: { levels: [{ targets: [{ schedule: 'primary' }], timeout: '1h' }] } },
        business_hours: ALL_DAY,
        notifiers: [{ name: 'pager', type: 'webhook', url: receiver.url }],
      },
    });
    try {
      const id = await alertOpened(engine, 'replay');
      await eventually(async () => (await detail(engine, id)).pages?.some((p: any) => p.error));
      // A task after the refusal, so a resend scheduled in the refusal's task would not match.
      await engine.call('POST', `/api/v1/incidents/${id}/acknowledge`, { body: {} });
      expect(receiver.requests.filter((r) => r.body.incident?.id === id)).toHaveLength(1);
      save(engine.namespace, id, 'incident-refused-page-v11');
    } finally {
      await engine.close();
      await receiver.close();
    }
  });

/** The incident id sequence (one per namespace, long-running): numbers in batches, a keyed declare answered once. */
if (missing('incident-sequence-v9'))
  it('records the incident id sequence handing out numbers', async () => {
    const engine = await startEngine();
    try {
      const declare = (key?: string) =>
        engine.call('POST', '/api/v1/incidents', {
          body: {
            title: 'replay sequence',
            description: 'd',
            severity: 'low',
            affected_services: ['replay'],
          },
          headers: key ? { 'Idempotency-Key': key } : {},
        });
      const key = unique('replay-sequence');
      const [a, b] = [await declare(key), await declare(key)];
      expect(b.body.id).toBe(a.body.id);
      await declare();
      save(engine.namespace, SEQUENCE_WORKFLOW_ID, 'incident-sequence-v9');
    } finally {
      await engine.close();
    }
  });

/** A recorded history (test/histories/FILE), as the CLI wrote it. */
const readHistory = (file: string) => JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));

const bundle = () => ({ workflowBundle: { codePath: process.env.TOURNIQUET_TEST_BUNDLE! } });
const replay = (history: unknown, name: string) => Worker.runReplayHistory(bundle(), history, name);

// One replay worker for them all: a worker per history took over a minute on a slow machine.
it('replays every recorded history on the current workflow code', async () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(4 * GENERATIONS.length + 8);
  const histories = files.map((file) => ({ workflowId: file, history: historyFromJSON(readHistory(file)) }));
  const replayed: string[] = [];
  const failed: string[] = [];
  for await (const r of Worker.runReplayHistories(bundle(), histories)) {
    replayed.push(r.workflowId);
    if (r.error) failed.push(`${r.workflowId}: ${r.error.message}`);
  }
  expect(failed).toEqual([]);
  expect(replayed.sort()).toEqual([...files].sort());
});

/** A recorded history with its first event's input changed by `edit` (the history is otherwise as recorded). */
function withInput(file: string, edit: (input: Record<string, unknown>) => void) {
  const history = readHistory(file);
  const payload = history.events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
  const input = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
  edit(input);
  payload.data = Buffer.from(JSON.stringify(input)).toString('base64');
  return history;
}

describe('generations named in the input', () => {
  const byThis = ['alert-group-v11', 'incident-alerts-v11', 'runbook-run-v11'];

  it('records no patch marker for a workflow started by this generation', () => {
    for (const name of byThis) {
      const markers = readHistory(`${name}.json`)
        .events.map(
          (e: Record<string, { markerName?: string }>) => e.markerRecordedEventAttributes?.markerName,
        )
        .filter((m: string | undefined) => m === 'core_patch');
      expect({ name, markers }).toEqual({ name, markers: [] });
    }
  });

  it('replays an alert group that a worker of the previous generation ran first (a rollout)', async () => {
    // The API on this code named generation 4; the older worker ignored it and recorded its marker.
    const name = 'alert-group-v10';
    const history = withInput(`${name}.json`, (i) => (i.generation = 4));
    await expect(replay(history, name)).resolves.toBeUndefined();
  });

  it('takes its path from the input: without the generation, the same history no longer replays', async () => {
    for (const name of byThis)
      await expect(
        replay(
          withInput(`${name}.json`, (i) => delete i.generation),
          name,
        ),
      ).rejects.toThrow();
  });
});
