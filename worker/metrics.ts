/**
 * The worker's Prometheus counters (prom-client's default registry: `npm start` serves them
 * at /metrics beside the API's). Runbook steps and approvals are counted through a workflow
 * sink, which runs outside the sandbox and never during replay, so nothing is counted twice.
 */
import { Counter, register } from 'prom-client';
import type { InjectedSinks } from '@temporalio/worker';
import type { MetricsSinks } from '../workflows/definitions';

/** One instance per name in the default registry, however often a module is loaded (tests load them per file). */
export const metric = <T>(name: string, make: () => T): T =>
  (register.getSingleMetric(name) as T | undefined) ?? make();
export const counter = (name: string, help: string, labelNames: string[]) =>
  metric(name, () => new Counter({ name, help, labelNames }));

export const pagesSent = counter(
  'tourniquet_pages_sent_total',
  'Notifications delivered (or refused) by notifier',
  ['kind', 'notifier', 'outcome'],
);
const runbookSteps = counter(
  'tourniquet_runbook_steps_total',
  'Runbook steps finished, by runbook and result',
  ['runbook', 'result'],
);
const approvals = counter('tourniquet_approvals_total', 'Approvals requested and decided', ['outcome']);

export const metricsSinks: InjectedSinks<MetricsSinks> = {
  metrics: {
    stepFinished: {
      fn: (_info, runbook, result) => runbookSteps.inc({ runbook, result }),
      callDuringReplay: false,
    },
    approval: { fn: (_info, outcome) => approvals.inc({ outcome }), callDuringReplay: false },
  },
};
