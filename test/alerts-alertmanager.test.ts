import { Alertmanager, startAlertmanager } from './support/alertmanager';
import { ALERT_SECRETS, eventually, startEngine, TestEngine, unique } from './support/engine';

let engine: TestEngine;
let am: Alertmanager;
beforeAll(async () => {
  engine = await startEngine();
  am = await startAlertmanager({
    webhookUrl: `${engine.url}/api/v1/alerts/alertmanager`,
    token: ALERT_SECRETS.alertmanager,
    groupBy: ['alertname', 'service'],
  });
});
afterAll(async () => {
  await am?.stop();
  await engine?.close();
});

const incidentsFor = async (service: string) =>
  (await engine.call('GET', `/api/v1/incidents?service=${service}&sort=id&order=asc`)).body
    .incidents as any[];
const detail = async (id: string) => (await engine.call('GET', `/api/v1/incidents/${id}`)).body;

describe('a real Alertmanager firing at Tourniquet', () => {
  it('opens one incident per group, dedupes repeats, and records "all alerts cleared" for a SEV1 without resolving it', async () => {
    const service = unique('checkout');
    const alert = (instance: string, resolved = false) => ({
      labels: { alertname: 'HighErrorRate', service, severity: 'critical', instance },
      annotations: { summary: `Checkout 5xx above 5% (${service})` },
      resolved,
    });
    await am.push([alert('pod-a')]);
    const [opened] = await eventually(async () => {
      const list = await incidentsFor(service);
      return list.length === 1 && list;
    });
    expect(opened).toMatchObject({
      severity: 'SEV1',
      status: 'triggered',
      title: `Checkout 5xx above 5% (${service})`,
      affected_services: [service],
    });

    // The same alert again and a second instance of the same group: still one incident.
    await am.push([alert('pod-a'), alert('pod-b')]);
    await eventually(async () => (await detail(opened.id)).alerts.length === 2);
    expect(await incidentsFor(service)).toHaveLength(1);

    await am.push([alert('pod-a', true), alert('pod-b', true)]);
    const cleared = await eventually(async () => {
      const d = await detail(opened.id);
      return (
        d.alerts.every((a: any) => a.status === 'resolved') &&
        d.timeline.some((e: any) => e.message.startsWith('All alerts cleared')) &&
        d
      );
    });
    expect(cleared.status).toBe('triggered'); // SEV1: a human resolves it
    // One timeline entry per batch: "Alert firing: …" for one alert, "2 alerts resolved: …" for two.
    const said = (verb: string) =>
      cleared.timeline
        .filter((e: any) => e.kind === 'alert')
        .map((e: any) => new RegExp(`^(?:Alert|(\\d+) alerts) ${verb}:`).exec(e.message))
        .reduce((n: number, m: RegExpExecArray | null) => n + (m ? Number(m[1] ?? 1) : 0), 0);
    expect([said('firing'), said('resolved')]).toEqual([2, 2]);
    expect(cleared.alert_counts).toMatchObject({ distinct: 2, firing: 0, resolved: 2 });
    expect(cleared.timeline[0].actor).toBe('alert:alertmanager');
  });

  it('auto-resolves a SEV3 when its alerts clear, and the next alert for the key opens a new incident', async () => {
    const service = unique('search');
    const alert = (resolved = false) => ({
      labels: { alertname: 'SlowQueries', service, severity: 'warning' },
      annotations: { summary: 'p99 above 2s' },
      resolved,
    });
    await am.push([alert()]);
    const first = await eventually(async () => (await incidentsFor(service))[0]);
    expect(first.severity).toBe('SEV3');

    await am.push([alert(true)]);
    const resolved = await eventually(async () => {
      const d = await detail(first.id);
      return d.status === 'resolved' && d;
    });
    expect(resolved.root_cause).toContain('All alerts cleared');

    await am.push([alert()]);
    const both = await eventually(
      async () => {
        const list = await incidentsFor(service);
        return list.length === 2 && list;
      },
      { timeoutMs: 20_000 },
    );
    expect(both[1].id).not.toBe(first.id);
    expect(both[1].status).toBe('triggered');
  });
});
