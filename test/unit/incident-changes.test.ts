/**
 * Pure decisions from domain/, without any server: what an alert batch, a transition or a
 * runbook's progress does to an incident record.
 */
import type { AlertEvent } from '../../domain/alerts';
import { type Incident, newIncident } from '../../domain/incident';
import { acknowledgeIncident, applyTransition, mergeAlerts } from '../../domain/incident-changes';
import type { RunbookRunRecord } from '../../domain/runbook';
import { runbookProgressEntries } from '../../domain/runbook-timeline';

const T0 = '2026-11-29T03:00:00.000Z';
const T1 = '2026-11-29T03:05:00.000Z';
const policy = { autoResolve: ['SEV3' as const, 'SEV4' as const] };

const incident = (severity: Incident['severity'] = 'SEV3'): Incident =>
  newIncident(
    'INC-1001',
    { title: 'checkout down', description: 'd', severity, affected_services: ['checkout'] },
    'pat',
    T0,
  );

const alert = (fingerprint: string, action: AlertEvent['action'] = 'trigger'): AlertEvent => ({
  source: 'alertmanager',
  dedup_key: 'group',
  action,
  fingerprint,
  summary: `errors on ${fingerprint}`,
  severity: 'SEV3',
  services: ['checkout'],
  labels: { alertname: 'HighErrorRate' },
  received_at: T0,
});

describe('a storm of alerts merged into one incident', () => {
  it('keeps one alert per fingerprint, counts repeats, and says the batch in one timeline entry', () => {
    const i = incident();
    mergeAlerts(i, [alert('a'), alert('b'), alert('a'), alert('a')], policy, T0);
    expect(i.alerts.map((a) => [a.fingerprint, a.count])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    expect(i.related_alerts).toEqual(['a', 'b']);
    expect(i.timeline.map((e) => e.message)).toEqual(['2 alerts firing: errors on a; errors on b']);
    expect(i.alert_counts).toMatchObject({ received: 4, distinct: 2, firing: 2, resolved: 0, omitted: 0 });
  });

  it('resolves a SEV3 by policy when the last alert clears, with the root cause said and the postmortem drafted', () => {
    const i = incident('SEV3');
    mergeAlerts(i, [alert('a'), alert('b')], policy, T0);
    expect(mergeAlerts(i, [alert('a', 'resolve')], policy, T1)).toBeUndefined();
    const t = mergeAlerts(i, [alert('b', 'resolve')], policy, T1);
    expect(t).toMatchObject({ to: 'resolved', actor: 'tourniquet' });
    expect(i).toMatchObject({ status: 'resolved', resolved_at: T1, mitigated_at: T1, acknowledged_at: T1 });
    expect(i.root_cause).toMatch(/All alerts cleared/);
    expect(i.postmortem?.status).toBe('draft');
    expect(i.timeline.at(-1)?.message).toBe('Status triggered → resolved: all alerts cleared');
  });

  it('leaves a SEV1 open for a human when its alerts clear, and says so', () => {
    const i = incident('SEV1');
    mergeAlerts(i, [alert('a')], policy, T0);
    expect(mergeAlerts(i, [alert('a', 'resolve')], policy, T1)).toBeUndefined();
    expect(i.status).toBe('triggered');
    expect(i.timeline.at(-1)?.message).toBe('All alerts cleared; a human resolves SEV1 incidents');
  });

  it('says an alert fires again after it resolved, and an acknowledgement from the source acknowledges', () => {
    const i = incident('SEV1');
    mergeAlerts(i, [alert('a'), alert('a', 'resolve'), alert('a'), alert('a', 'acknowledge')], policy, T0);
    expect(i.timeline.map((e) => e.message)).toEqual([
      'Alert firing: errors on a',
      'Alert resolved: errors on a',
      'Alert firing again: errors on a',
      'Acknowledged; assigned to alert:alertmanager',
    ]);
    expect(i.status).toBe('acknowledged');
  });
});

it('a storm of 20,000 distinct alerts and their repeats: exact counts, 500 kept in detail, one line on the timeline', () => {
  const i = incident('SEV3');
  const storm = Array.from({ length: 20_000 }, (_, n) => alert(`pod-${n}`));
  mergeAlerts(i, storm, policy, T0);
  mergeAlerts(i, storm.slice(0, 5_000), policy, T0); // repeats
  mergeAlerts(
    i,
    storm.slice(0, 19_999).map((e) => ({ ...e, action: 'resolve' as const })),
    policy,
    T1,
  );
  expect(i.alert_counts).toMatchObject({ received: 44_999, distinct: 20_000, firing: 1, resolved: 19_999 });
  expect(i.alerts.length).toBeLessThanOrEqual(500);
  expect(i.alert_counts!.omitted).toBe(20_000 - i.alerts.length);
  expect(i.alert_counts!.omitted_sample).toBe('alertname=HighErrorRate');
  expect(i.timeline.map((e) => e.message.split(':')[0])).toEqual([
    '20000 alerts firing',
    '19999 alerts resolved',
  ]);
  expect(i.status).toBe('triggered'); // one still firing
  mergeAlerts(i, [alert('pod-19999', 'resolve')], policy, T1);
  expect(i.status).toBe('resolved');
  expect(JSON.stringify(i).length).toBeLessThan(512_000);
});

describe('moving an incident through its lifecycle', () => {
  it('acknowledging assigns the incident to whoever acknowledged, unless someone else is named', () => {
    const i = incident();
    acknowledgeIncident(i, 'pat', T1, 'sam');
    expect(i).toMatchObject({ status: 'acknowledged', acknowledged_at: T1, assignee: 'sam' });
  });

  it('reopening a resolved incident clears resolution and mitigation but keeps the drafted postmortem', () => {
    const i = incident();
    applyTransition(i, { actor: 'pat', to: 'resolved', root_cause: 'bad deploy' }, T0);
    applyTransition(i, { actor: 'pat', to: 'investigating', note: 'it came back' }, T1);
    expect(i).toMatchObject({ status: 'investigating', resolved_at: undefined, mitigated_at: undefined });
    expect(i.postmortem?.root_cause).toBe('bad deploy');
    expect(i.timeline.at(-1)).toMatchObject({
      actor: 'pat',
      message: 'Status resolved → investigating: it came back',
    });
  });
});

describe("a runbook's progress on the incident timeline", () => {
  const run = (over: Partial<RunbookRunRecord>): RunbookRunRecord => ({
    run_id: 'INC-1001-rb-1',
    name: 'rollback-deployment',
    started_by: 'tourniquet',
    status: 'running',
    params: {},
    steps: [],
    approvals: [],
    started_at: T0,
    ...over,
  });
  const step = { id: 'undo', title: 'Roll back', impact: 'high' as const, started_at: T0 };
  const approval = {
    id: '1-undo',
    step_id: 'undo',
    title: 'Roll back',
    impact: 'high' as const,
    what: 'roll back checkout',
    requested_by: 'tourniquet',
    requested_at: T0,
    reason: 'high impact',
    approvals_needed: 1,
    approved_by: [],
    escalates_at: T1,
    expires_at: T1,
    status: 'pending' as const,
  };

  it('says each step once per status change, each approval request, its decision and the outcome', () => {
    const waiting = run({ steps: [{ ...step, status: 'waiting' }], approvals: [approval] });
    expect(runbookProgressEntries(waiting, undefined).map((e) => e.message)).toEqual([
      'Step "Roll back" waiting',
      'Approval requested for "Roll back" (high; high impact): roll back checkout',
    ]);
    expect(runbookProgressEntries(waiting, waiting)).toEqual([]);
    const done = run({
      status: 'succeeded',
      finished_at: T1,
      outcome: 'rolled back to revision 2',
      steps: [{ ...step, status: 'succeeded', result: 'revision 2' }],
      approvals: [{ ...approval, status: 'approved', decided_by: 'sam' }],
    });
    expect(runbookProgressEntries(done, waiting).map((e) => [e.actor, e.message])).toEqual([
      ['runbook:rollback-deployment', 'Step "Roll back" succeeded: revision 2'],
      ['sam', 'Approval approved for "Roll back"'],
      ['runbook:rollback-deployment', 'Runbook rollback-deployment succeeded: rolled back to revision 2'],
    ]);
  });

  it('names who an undecided approval escalates to', () => {
    const before = run({ approvals: [approval] });
    const after = run({ approvals: [{ ...approval, escalated_at: T1 }] });
    const [entry] = runbookProgressEntries(after, before, 'database-oncall');
    expect(entry.message).toMatch(/escalating to database-oncall/);
  });
});
