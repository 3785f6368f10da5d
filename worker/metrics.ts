/**
 * The worker's Prometheus counters (in the shared registry, common/metrics.ts). Runbook steps and approvals are counted through a workflow
 * sink, which runs outside the sandbox and never during replay, so nothing is counted twice.
 */
import type { InjectedSinks } from '@temporalio/worker';
import { counter } from '../common/metrics';
import type { MetricsSinks } from '../workflows/definitions';

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
