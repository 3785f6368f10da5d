/**
 * The incident's one durable timer, for its earliest deadline. It is re-armed only when that
 * deadline moves: a re-plan that leaves it where it is (a runbook's progress, an alert, a
 * note) costs no timer cancelled and started again (PATCH.incidentGen3).
 */
import * as wf from '@temporalio/workflow';

export class Alarm {
  private armed?: { at: number; scope: wf.CancellationScope; rang: boolean };

  /** Waits until `wake()` holds or the deadline `at` (epoch ms; none: no timer) has come. */
  async until(at: number | undefined, wake: () => boolean): Promise<void> {
    this.arm(at);
    const armed = this.armed;
    await wf.condition(() => wake() || !!armed?.rang);
  }

  private arm(at: number | undefined): void {
    const was = this.armed;
    if (was && !was.rang && was.at === at) return;
    if (was && !was.rang) was.scope.cancel();
    // No deadline: no timer (a rung alarm left armed would wake the loop at once, forever).
    this.armed = undefined;
    if (at === undefined) return;
    const next = { at, scope: new wf.CancellationScope(), rang: false };
    this.armed = next;
    next.scope
      .run(() => wf.sleep(Math.max(1, at - Date.now())))
      .then(
        () => (next.rang = true),
        () => undefined, // cancelled: the deadline moved
      );
  }
}
