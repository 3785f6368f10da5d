import { carriedProblem } from '../domain/workflow-inputs';
import { checkInput } from './failures';
import * as wf from '@temporalio/workflow';
import { iso } from '../domain/clock';
import { own } from '../domain/own';
import {
  guardAcquireUpdate,
  guardPauseUpdate,
  guardQuery,
  guardReportUpdate,
  guardResetUpdate,
  GUARD_REPORTED,
  GUARD_WAITERS,
  guardResumedSignal,
  GuardState,
} from './definitions';

/** Rate limits per action (count per window) and the circuit breaker threshold: safe defaults. */
export const RATE_LIMITS: Record<string, { count: number; windowMs: number }> = {
  rollback: { count: 1, windowMs: 15 * 60_000 },
  failover: { count: 1, windowMs: 30 * 60_000 },
  restart: { count: 2, windowMs: 15 * 60_000 },
  scale: { count: 3, windowMs: 15 * 60_000 },
  'terminate-sessions': { count: 2, windowMs: 15 * 60_000 },
};
const DEFAULT_LIMIT = { count: 5, windowMs: 15 * 60_000 };
/** The engine-wide guard's record of one mutating action (never a runbook's action name). */
const ENGINE_ACTION = '(engine budget)';
export const BREAKER = { failures: 3, windowMs: 30 * 60_000 };

/**
 * One per service (and one, `guard-*`, for the whole engine): serialises automated actions
 * so limits hold across every incident and worker restart — the counters live in this
 * workflow's state, never in a process. Updates run one at a time, so no two incidents can
 * both take the last slot.
 */
export async function serviceGuard(carried?: GuardState): Promise<void> {
  checkInput('serviceGuard', carriedProblem(carried));
  const state: GuardState = carried ?? { paused: false, breaker_open: false, actions: [], failures: [] };
  const now = () => Date.now();
  const prune = () => {
    const t = now();
    // The engine budget's window is its own (spend() keeps it).
    state.actions = state.actions.filter(
      (a) => a.action === ENGINE_ACTION || t - a.at < (own(RATE_LIMITS, a.action) ?? DEFAULT_LIMIT).windowMs,
    );
    state.failures = state.failures.filter((at) => t - at < BREAKER.windowMs);
  };
  let changes = 0;
  /** The engine-wide guard: one budget of mutating actions across every service. */
  const spend = (budget: { count: number; windowMs: number }, incident: string, grant?: string) => {
    const t = now();
    state.actions = state.actions.filter((a) => a.action !== ENGINE_ACTION || t - a.at < budget.windowMs);
    const spent = state.actions.filter((a) => a.action === ENGINE_ACTION);
    if (spent.length >= budget.count)
      return {
        decision: 'rate_limited' as const,
        reason: `engine-wide budget: at most ${budget.count} mutating actions per ${budget.windowMs / 60_000} min across all services; next allowed at ${iso(spent[0].at + budget.windowMs)}`,
      };
    state.actions.push({ action: ENGINE_ACTION, incident, at: t, ...(grant ? { grant } : {}) });
    return { decision: 'allowed' as const, reason: 'within the engine budget' };
  };

  wf.setHandler(guardQuery, () => state);
  wf.setHandler(
    guardAcquireUpdate,
    ({ action, incident, record = true, budget, waiter, grant, override }) => {
      changes++;
      prune();
      if (state.paused) {
        const waiting = (state.waiting ??= []);
        if (waiter && !waiting.includes(waiter) && waiting.length < GUARD_WAITERS) waiting.push(waiter);
        return {
          decision: 'paused' as const,
          reason: `automation is paused${state.paused_by ? ` by ${state.paused_by}` : ''}`,
        };
      }
      // A retry of an acquire that already took its slot (its reply was lost): the same grant.
      if (grant && state.actions.some((a) => a.grant === grant))
        return { decision: 'allowed' as const, reason: 'already granted to this step' };
      if (state.breaker_open && !override)
        return {
          decision: 'breaker_open' as const,
          reason: `circuit breaker open after ${BREAKER.failures} failed actions; a human must approve or reset it`,
        };
      if (budget) return spend(budget, incident, grant);
      if (!record) return { decision: 'allowed' as const, reason: 'not paused' };
      const limit = own(RATE_LIMITS, action) ?? DEFAULT_LIMIT;
      const recent = state.actions.filter((a) => a.action === action);
      if (recent.length >= limit.count) {
        const retryAt = recent[0].at + limit.windowMs;
        return {
          decision: 'rate_limited' as const,
          reason: `rate limit: at most ${limit.count} ${action} per ${limit.windowMs / 60_000} min (last by ${recent.at(-1)!.incident}); next allowed at ${iso(retryAt)}`,
        };
      }
      state.actions.push({ action, incident, at: now(), ...(grant ? { grant } : {}) });
      return { decision: 'allowed' as const, reason: 'within limits' };
    },
  );
  wf.setHandler(guardReportUpdate, ({ action, incident, ok, grant }) => {
    changes++;
    prune();
    const reported = (state.reported ??= []);
    if (!ok && grant && reported.includes(grant)) return state; // a retried report counts once
    if (!ok && grant) {
      reported.push(grant);
      if (reported.length > GUARD_REPORTED) reported.shift();
    }
    if (!ok) {
      // A failed action feeds the breaker but gives back its rate-limit slot: it did not happen.
      state.failures.push(now());
      const mine =
        (grant ? state.actions.find((a) => a.grant === grant) : undefined) ??
        state.actions.filter((a) => a.action === action && a.incident === incident).pop();
      if (mine) state.actions.splice(state.actions.indexOf(mine), 1);
    }
    if (state.failures.length >= BREAKER.failures) state.breaker_open = true;
    return state;
  });
  wf.setHandler(guardPauseUpdate, async ({ paused, actor }) => {
    changes++;
    state.paused = paused;
    state.paused_by = paused ? actor : undefined;
    if (!paused) await tellWaiters(state);
    return state;
  });
  wf.setHandler(guardResetUpdate, ({ actor }) => {
    changes++;
    state.breaker_open = false;
    state.failures = [];
    state.reset_by = actor;
    return state;
  });

  await wf.condition(() => changes >= 1000 || wf.workflowInfo().continueAsNewSuggested);
  await wf.condition(wf.allHandlersFinished);
  prune();
  await wf.continueAsNew<typeof serviceGuard>(state);
}

/** Automation resumed: every run the pause held goes on (a run that is gone is skipped). */
async function tellWaiters(state: GuardState): Promise<void> {
  const waiting = state.waiting ?? [];
  state.waiting = [];
  await Promise.all(
    waiting.map((id) =>
      wf
        .getExternalWorkflowHandle(id)
        .signal(guardResumedSignal)
        .catch(() => undefined),
    ),
  );
}
