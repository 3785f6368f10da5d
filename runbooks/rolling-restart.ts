import { defineRunbook, z } from 'tourniquet/runbook';

/** Restart every pod of a Deployment without downtime (like kubectl rollout restart). */
export default defineRunbook({
  meta: {
    name: 'rolling-restart',
    owner: 'platform',
    description:
      'Rolling restart of a Deployment by patching the pod template restartedAt annotation; wait and verify.',
    version: '1.0.0',
    triggers: [{ labels: { runbook: 'rolling-restart' } }, { labels: { alertname: 'PodsUnhealthy' } }],
    escalation: 'platform-oncall',
    eta: '10m',
    params: z.object({
      namespace: z.string().describe('namespace of the Deployment'),
      deployment: z.string().describe('Deployment to restart'),
    }),
    targets: { namespace: 'namespace', deployment: 'deployment' },
    // Not mitigated in time: offer failing over to the standby (a human approves it).
    stronger: {
      runbook: 'failover',
      params: { service: '{deployment}', primary: '{deployment}', standby: '{deployment}-standby' },
    },
  },
  async run(ctx) {
    const ref = { namespace: ctx.params.namespace, name: ctx.params.deployment };
    const restart = await ctx.step(
      {
        id: 'restart',
        title: `Restart ${ref.name}`,
        impact: 'low',
        action: 'restart',
        what: `restart the pods of ${ref.namespace}/${ref.name} one surge at a time`,
      },
      () => ctx.k8s.k8sRolloutRestart({ ...ref, key: ctx.key('restart') }),
    );
    if (ctx.dryRun) return `dry-run: would restart ${ref.name}`;
    const after = await ctx.step(
      {
        id: 'wait',
        title: 'Wait for the rollout',
        impact: 'read',
        what: 'watch the rollout finish',
        eta: '5m',
      },
      () => ctx.k8s.k8sWaitForRollout({ ...ref, timeoutSeconds: 300 }),
    );
    if (after.available < after.desired)
      ctx.escalate(`${ref.name} has ${after.available}/${after.desired} available after the restart`);
    ctx.health(
      ctx.service,
      'recovering',
      `${ref.name} restarted, ${after.available}/${after.desired} available`,
    );
    return `${restart?.restarted ? 'restarted' : 'already restarted'} ${ref.name}: revision ${after.revision}, ${after.available}/${after.desired} available`;
  },
});
