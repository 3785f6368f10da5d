/** The activities a runbook's steps act through (ctx.k8s, ctx.pg, ctx.http), with their timeouts. */
import * as wf from '@temporalio/workflow';
import type { DatabaseActivities } from '../../activities/database';
import type { HttpActivities } from '../../activities/http';
import type { KubernetesActivities } from '../../activities/kubernetes';
import type { PrometheusActivities } from '../../activities/prometheus';
import type { KafkaActivities } from '../../activities/kafka';

// Reads retry freely; mutating actions are idempotent (keyed) but still capped, never unbounded.
export const ACTION_RETRY: wf.ActivityOptions['retry'] = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  maximumAttempts: 5,
};
// Long waits (rollouts, replay catching up) heartbeat every 0.5 s; a call silent for 10 s is
// considered lost (its worker died) and retried — safe, every write is keyed — so a crash costs 10 s.
const waiting = {
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '10 seconds',
  retry: ACTION_RETRY,
} as const;
const quick = { startToCloseTimeout: '30 seconds', retry: ACTION_RETRY } as const;

export const k8s = wf.proxyActivities<KubernetesActivities>(waiting);
export const http = wf.proxyActivities<HttpActivities>(quick);
export const prom = wf.proxyActivities<PrometheusActivities>(quick);
export const kafka = wf.proxyActivities<KafkaActivities>(quick);

/** The database activities that wait (and heartbeat); every other one answers within 30 s. */
const WAITS = new Set<string | symbol>(['pgWaitForReplay'] satisfies (keyof DatabaseActivities)[]);
const pgQuick = wf.proxyActivities<DatabaseActivities>(quick);
const pgWaiting = wf.proxyActivities<DatabaseActivities>(waiting);
export const pg = new Proxy(pgQuick, {
  get: (quickOnes, name) => (WAITS.has(name) ? pgWaiting : quickOnes)[name as keyof DatabaseActivities],
});
