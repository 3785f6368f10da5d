/**
 * Limits shared across incidents, kept by one guard workflow per service: a paused service
 * waits (durably) until resumed; a rate limit refuses the step; an open circuit breaker
 * hands the decision to a human.
 */
import * as wf from '@temporalio/workflow';
import type { GuardActivities } from '../../activities/guard';
import type { StepRecord } from '../../domain/runbook';
import type { StepSpec } from '../runbook-sdk';
import type { Gate } from './approval';
import type { RunRecord } from './record';

const guard = wf.proxyActivities<GuardActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});

export class SharedLimits {
  constructor(
    private readonly r: RunRecord,
    private readonly gate: Gate,
    private readonly service: string,
    private readonly incident: string,
  ) {}

  /** Takes a slot for the step's action. Returns the refusal, or undefined when the step may run. */
  async acquire(spec: StepSpec, s: StepRecord): Promise<string | undefined> {
    const action = spec.action ?? spec.id;
    let waitingSaid = false;
    for (;;) {
      const d = await guard.guardAcquire({ service: this.service, action, incident: this.incident });
      if (d.decision === 'allowed') break;
      if (d.decision === 'rate_limited') return d.reason;
      if (d.decision === 'breaker_open') {
        const refusal = await this.gate.check(spec, s, d.reason);
        return refusal ? `${refusal} (${d.reason})` : undefined;
      }
      if (!waitingSaid) {
        this.r.waiting(s, true);
        s.result = d.reason;
        await this.r.report();
        waitingSaid = true;
      }
      await wf.sleep('3 seconds');
    }
    if (waitingSaid) {
      this.r.waiting(s, false);
      s.result = undefined;
      await this.r.report();
    }
    return undefined;
  }

  /** Tells the guard how the action went (failures count towards the breaker). */
  async report(spec: StepSpec, ok: boolean): Promise<void> {
    await guard.guardReport({
      service: this.service,
      action: spec.action ?? spec.id,
      incident: this.incident,
      ok,
    });
  }
}
