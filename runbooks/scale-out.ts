import { defineRunbook, z } from 'tourniquet/runbook';

/** More replicas for a saturated service, never past a cap. */
export default defineRunbook({
  meta: {
    name: 'scale-out',
    owner: 'platform',
    description:
      "Scale a Deployment up by a factor (default ×2) within the service's replica cap (catalogue caps.max_replicas), wait, verify.",
    version: '1.0.0',
    triggers: [{ labels: { runbook: 'scale-out' } }, { labels: { alertname: 'HighSaturation' } }],
    escalation: 'platform-oncall',
    eta: '5m',
    params: z.object({
      namespace: z.string().describe('namespace'),
      deployment: z.string().describe('Deployment to scale'),
      factor: z.coerce.number().positive().default(2).describe('multiplier, at most 2 (default 2)'),
    }),
    targets: { namespace: 'namespace', deployment: 'deployment' },
  },
  async run(ctx) {
    const ref = { namespace: ctx.params.namespace, name: ctx.params.deployment };
    const factor = ctx.params.factor;
    // Blast radius: at most ×2 per run; asking for more is refused, not quietly trimmed.
    if (factor > 2)
      ctx.escalate(`blast radius: scaling by ×${factor} exceeds the ×2 cap; scale in steps or by hand`);
    const cap = ctx.caps.max_replicas;
    const now = await ctx.step(
      { id: 'inspect', title: 'Read replicas', impact: 'read', what: `read ${ref.name}` },
      () => ctx.k8s.k8sRolloutState(ref),
    );
    const target = Math.min(Math.ceil(now.desired * factor), cap);
    if (target <= now.desired)
      ctx.escalate(`${ref.name} already has ${now.desired} replicas, at its cap of ${cap}`);
    await ctx.step(
      {
        id: 'scale',
        title: `Scale ${ref.name} to ${target}`,
        impact: 'low',
        action: 'scale',
        what: `scale ${ref.namespace}/${ref.name} from ${now.desired} to ${target} replicas (cap ${cap})`,
      },
      () => ctx.k8s.k8sScale({ ...ref, replicas: target, key: ctx.key('scale') }),
    );
    if (ctx.dryRun) return `dry-run: would scale ${ref.name} to ${target}`;
    const after = await ctx.step(
      { id: 'wait', title: 'Wait for new replicas', impact: 'read', what: 'watch replicas become available' },
      () => ctx.k8s.k8sWaitForRollout({ ...ref, timeoutSeconds: 300 }),
    );
    if (after.available < target)
      ctx.escalate(`${ref.name} has ${after.available}/${target} available after scaling`);
    return `scaled ${ref.name} from ${now.desired} to ${target}`;
  },
});
