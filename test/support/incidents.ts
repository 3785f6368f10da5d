/** Small helpers for tests that follow an incident through its runbooks. */
import { ALERT_SECRETS, eventually, TestEngine, unique } from './engine';

export const detail = async (engine: TestEngine, id: string) =>
  (await engine.call('GET', `/api/v1/incidents/${id}`)).body;

/** Waits until the incident's runbook run reaches one of `statuses`; returns the run. */
export function runReaches(
  engine: TestEngine,
  id: string,
  runId: string,
  statuses: string[],
  timeoutMs = 60_000,
) {
  return eventually(
    async () => {
      const run = (await detail(engine, id)).runbooks?.find((r: any) => r.run_id === runId);
      return run && statuses.includes(run.status) && run;
    },
    { timeoutMs },
  );
}

/**
 * Starts failover with its manual "primary fenced" step (db-proxy → db-proxy-standby behind
 * Service db in `namespace`); returns the step once the run waits on it.
 */
export async function fencedFailoverWaiting(engine: TestEngine, id: string, namespace: string) {
  const params = {
    namespace,
    service: 'db',
    primary: 'db-proxy',
    standby: 'db-proxy-standby',
    confirm_fenced: 'true',
  };
  await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, { body: { name: 'failover', params } });
  return eventually(async () =>
    (await detail(engine, id)).runbooks[0]?.steps.find((s: any) => s.status === 'waiting'),
  );
}

/** Waits for a pending approval on the incident and returns it. */
export function pendingApproval(engine: TestEngine, id: string) {
  return eventually(async () => {
    const r = await engine.call('GET', `/api/v1/incidents/${id}/approvals`, { token: 'viewer' });
    return r.body.approvals?.find((a: any) => a.status === 'pending');
  });
}

export async function declare(engine: TestEngine, service: string, severity = 'high') {
  const r = await engine.call('POST', '/api/v1/incidents', {
    body: { title: `Trouble in ${service}`, description: 'test', severity, affected_services: [service] },
  });
  if (r.status !== 201) throw new Error(`declare failed: ${JSON.stringify(r.body)}`);
  return r.body.id as string;
}

/** Opens an incident for `service` by an Alertmanager alert (a new group key each call); returns its id. */
export async function alertOpened(engine: TestEngine, service: string, severity = 'error') {
  const groupKey = unique(`alert-${service}`);
  const r = await engine.call('POST', '/api/v1/alerts/alertmanager', {
    bearer: ALERT_SECRETS.alertmanager,
    body: {
      version: '4',
      status: 'firing',
      groupKey,
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Trouble', service, severity },
          annotations: { summary: `Trouble in ${service} (${groupKey})` },
          fingerprint: groupKey,
        },
      ],
    },
  });
  if (r.status !== 200) throw new Error(`alert failed: ${r.status} ${JSON.stringify(r.body)}`);
  return eventually(async () => {
    const list = await engine.call('GET', `/api/v1/incidents?service=${service}&limit=100`);
    return list.body.incidents.find((i: any) => i.title.includes(groupKey))?.id as string | undefined;
  });
}

/** Declares an incident for `service` and starts runbook `name` on it (202); returns the incident id. */
export async function startRunbook(
  engine: TestEngine,
  service: string,
  name: string,
  params: Record<string, string> = {},
  severity = 'high',
) {
  const id = await declare(engine, service, severity);
  const r = await engine.call('POST', `/api/v1/incidents/${id}/runbooks`, { body: { name, params } });
  if (r.status !== 202) throw new Error(`starting ${name} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return id;
}

/** The incident's first run, once it ended (succeeded, failed or escalated). */
export const runEnded = (engine: TestEngine, id: string) =>
  runReaches(engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);

/** Approves, as the approver, the approval the incident waits on; returns it. */
export async function approvePending(engine: TestEngine, id: string) {
  const approval = await pendingApproval(engine, id);
  const r = await engine.call('POST', `/api/v1/incidents/${id}/approvals/${approval.id}/approve`, {
    token: 'approver',
    body: {},
  });
  if (r.status !== 200) throw new Error(`approving failed: ${r.status} ${JSON.stringify(r.body)}`);
  return approval;
}
