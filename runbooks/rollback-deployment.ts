import { defineRunbook, z } from 'tourniquet/runbook';

/** Rollback first (SEV1, ch. "rollback first"): restore the previous ReplicaSet's pod template. */
export default defineRunbook({
  meta: {
    name: 'rollback-deployment',
    owner: 'platform',
    description:
      'Roll a Deployment back to its previous revision (like kubectl rollout undo), wait for the rollout, verify availability.',
    version: '1.0.0',
    triggers: [
      { labels: { runbook: 'rollback-deployment' } },
      { labels: { alertname: 'HighErrorRateAfterDeploy' } },
    ],
    escalation: 'platform-oncall',
    eta: '10m',
    params: z.object({
      namespace: z.string().describe('namespace of the Deployment'),
      deployment: z.string().describe('Deployment to roll back'),
    }),
    targets: { namespace: 'namespace', deployment: 'deployment' },
  },
  async run(ctx) {
    const ref = { namespace: ctx.params.namespace, name: ctx.params.deployment };
    const before = await ctx.step(
      {
        id: 'inspect',
        title: 'Inspect current rollout',
        impact: 'read',
        what: `read ${ref.namespace}/${ref.name}`,
      },
      () => ctx.k8s.k8sRolloutState(ref),
    );
    ctx.evidence('rollout before rollback', before);
    const undo = await ctx.step(
      {
        id: 'undo',
        title: `Roll back ${ref.name}`,
        impact: 'high',
        action: 'rollback',
        what: `restore the pod template of the revision before ${before.revision} of ${ref.namespace}/${ref.name}`,
      },
      () => ctx.k8s.k8sRolloutUndo({ ...ref, key: ctx.key('undo') }),
    );
    if (ctx.dryRun) return `dry-run: would roll ${ref.name} back from revision ${before.revision}`;
    const after = await ctx.step(
      { id: 'wait', title: 'Wait for the rollout', impact: 'read', what: 'watch the rollout finish' },
      () => ctx.k8s.k8sWaitForRollout({ ...ref, timeoutSeconds: 300 }),
    );
    if (after.available < after.desired)
      ctx.escalate(`${ref.name} has ${after.available}/${after.desired} available after the rollback`);
    ctx.health(ctx.service, 'recovering', `${ref.name} rolled back to revision ${undo?.to}`);
    return `rolled ${ref.name} back to revision ${undo?.to} (${undo?.image}); ${after.available}/${after.desired} available`;
  },
});
