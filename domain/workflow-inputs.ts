/**
 * What each workflow checks of its input before anything else. Input reaches a workflow from
 * the API, an alert group, continue-as-new or by hand (`temporal workflow start`): a bad one
 * fails the workflow at once with the reason, instead of a task that fails on every retry.
 * Each check returns the first problem, naming the field, or undefined.
 */
import { SEVERITIES } from './severity';

type Problem = string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;
const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const optional = (v: unknown, ok: (v: unknown) => boolean) => v === undefined || ok(v);
const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
const severity = (v: unknown) => (SEVERITIES as readonly unknown[]).includes(v);

/** The first failed rule's message: rules are [ok, message] pairs, checked in order. */
const first = (rules: [boolean, string][]): Problem => rules.find(([ok]) => !ok)?.[1];

export function incidentInputProblem(i: unknown): Problem {
  if (!isObject(i)) return 'input: an object';
  const r = i.request;
  return first([
    [text(i.id, 64), 'id: a string of 1-64 characters'],
    [text(i.actor, 512), 'actor: a string of 1-512 characters'],
    [isObject(r), 'request: an object'],
    [isObject(r) && typeof r.title === 'string', 'request.title: a string'],
    [isObject(r) && severity(r.severity), `request.severity: one of ${SEVERITIES.join(', ')}`],
    [isObject(r) && strings(r.affected_services), 'request.affected_services: a list of strings'],
    [optional(i.carried, (c) => isObject(c) && c.id === i.id), 'carried: the record of this incident'],
    [optional(i.alerts, Array.isArray), 'alerts: a list'],
    [optional(i.historyLimit, count), 'historyLimit: a positive integer'],
    [optional(i.forwarded, count), 'forwarded: a positive integer'],
    [
      optional(i.openingRun, (o) => isObject(o) && text(o.run_id, 128) && text(o.name, 128)),
      'openingRun: { run_id, name }',
    ],
    [optional(i.generation, count), 'generation: a positive integer'],
  ]);
}

export function pageDeliveryInputProblem(d: unknown): Problem {
  if (!isObject(d)) return 'input: an object';
  const n = d.notification;
  return first([
    [text(d.incidentId, 64), 'incidentId: a string of 1-64 characters'],
    [text(d.notifier, 128), 'notifier: a notifier name'],
    [isObject(n) && text(n.idempotency_key, 1024), 'notification.idempotency_key: a string'],
  ]);
}

export function alertGroupInputProblem(g: unknown): Problem {
  if (!isObject(g)) return 'input: an object';
  return first([
    [text(g.source, 64), 'source: a string of 1-64 characters'],
    [typeof g.dedup_key === 'string', 'dedup_key: a string'],
    [text(g.taskQueue, 256), 'taskQueue: a string'],
    [isObject(g.alertPolicy), 'alertPolicy: an object'],
    [optional(g.openIncident, (v) => text(v, 64)), 'openIncident: an incident id'],
    [optional(g.pending, Array.isArray), 'pending: a list'],
    [optional(g.historyLimit, count), 'historyLimit: a positive integer'],
    [optional(g.forwarded, count), 'forwarded: a positive integer'],
    [optional(g.generation, count), 'generation: a positive integer'],
  ]);
}

export function runbookRunInputProblem(r: unknown): Problem {
  if (!isObject(r)) return 'input: an object';
  const params = r.params;
  return first([
    [text(r.incidentId, 64), 'incidentId: a string of 1-64 characters'],
    [text(r.runId, 128), 'runId: a string'],
    [text(r.name, 128), 'name: a runbook name'],
    [text(r.startedBy, 512), 'startedBy: a string'],
    [severity(r.severity), `severity: one of ${SEVERITIES.join(', ')}`],
    [
      isObject(params) && Object.values(params).every((v) => typeof v === 'string'),
      'params: an object of strings',
    ],
    [optional(r.generation, count), 'generation: a positive integer'],
  ]);
}

/** The carried state of a guard or the engine health: absent, or an object. */
export const carriedProblem = (c: unknown): Problem =>
  c === undefined || isObject(c) ? undefined : 'carried state: an object';

export const sequenceInputProblem = (next: unknown): Problem =>
  count(next) ? undefined : 'next: a positive integer';
