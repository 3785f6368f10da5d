/**
 * Limits shared across incidents, kept by one guard workflow per service: a paused service
 * waits (durably) until resumed; a rate limit refuses the step; an open circuit breaker
 * hands the decision to a human.
 */
import * as wf from '@temporalio/workflow';
import type { GuardActivities } from '../../activities/guard';
import type { StepRecord } from '../../domain/runbook';
import { guardResumedSignal } from '../definitions';
import { PATCH } from '../patches';
import type { StepSpec } from '../runbook-sdk';
import type { Gate } from './approval';
import type { RunRecord } from './record';

const guarding = {
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
} as const;
const guard = wf.proxyActivities<GuardActivities>(guarding);
// Taking a slot is two Updates (the engine-wide guard, then the service's): a run on #18's code
// makes them from a local activity in the task that received the approval, and schedules the action in it.
const local = wf.proxyLocalActivities<GuardActivities>(guarding);

export class SharedLimits {
  private resumed = false;

  constructor(
    private readonly r: RunRecord,
    private readonly gate: Gate,
    private readonly service: string,
    private readonly incident: string,
  ) {
    wf.setHandler(guardResumedSignal, () => void (this.resumed = true));
  }

  /** Takes a slot for the step's action. Returns the refusal, or undefined when the step may run. */
  async acquire(spec: StepSpec, s: StepRecord): Promise<string | undefined> {
    const action = spec.action ?? spec.id;
    const grant = this.grant(spec);
    let waitingSaid = false;
    let override = false;
    const guardAcquire = this.r.current ? local.guardAcquire : guard.guardAcquire;
    for (;;) {
      const d = await guardAcquire({
        service: this.service,
        action,
        incident: this.incident,
        grant,
        ...(override ? { override } : {}),
      });
      if (d.decision === 'allowed') break;
      if (d.decision === 'rate_limited') return d.reason;
      if (d.decision === 'breaker_open') {
        const refusal = await this.gate.check(spec, s, d.reason);
        if (refusal) return `${refusal} (${d.reason})`;
        // Runs from before grants acted on the approval without a slot.
        if (!this.r.current && !wf.patched(PATCH.guardGrants)) return undefined;
        override = true; // approved past the breaker: it still takes a slot within the rate limit
        continue;
      }
      if (!waitingSaid) {
        this.r.waiting(s, true);
        s.result = d.reason;
        await this.r.report();
        waitingSaid = true;
      }
      await this.untilResumed();
      if (this.r.withdrawn) return this.r.withdrawn;
    }
    if (waitingSaid) {
      this.r.waiting(s, false);
      s.result = undefined;
      await this.r.report();
    }
    return undefined;
  }

  /**
   * Waits for the guard's resume signal (an hourly re-check covers a signal that never
   * comes, e.g. a guard reset by hand). Runs from before the signal polled every 3 s.
   */
  private async untilResumed(): Promise<void> {
    if (!this.r.current && !wf.patched(PATCH.pauseSignal)) return void (await wf.sleep('3 seconds'));
    await wf.condition(() => this.resumed || this.r.withdrawn !== undefined, '1 hour');
    this.resumed = false;
  }

  /** Tells the guard how the action went (failures count towards the breaker). */
  async report(spec: StepSpec, ok: boolean): Promise<void> {
    await guard.guardReport({
      service: this.service,
      action: spec.action ?? spec.id,
      incident: this.incident,
      ok,
      grant: this.grant(spec),
    });
  }

  /** This run's step: stable across retries of its guard activities. */
  private grant(spec: StepSpec): string {
    return `${this.r.run.run_id}/${spec.id}`;
  }
}
