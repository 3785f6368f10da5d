import { defineRunbook, z } from 'tourniquet/runbook';

/**
 * "Kafka: partition rebalance" (seed 004, runbook integration). A member that holds
 * partitions without committing keeps them from everyone else. Find it (offsets watched
 * 5 s), restart its pod (the member's client id) so the group rebalances them, and verify
 * they move again.
 */
export default defineRunbook({
  meta: {
    name: 'kafka-partition-rebalance',
    owner: 'streaming',
    description:
      'Find consumer group members that hold partitions without committing (offsets watched 5 s); restart their pods (client id = pod name) so the group rebalances; verify those partitions progress.',
    version: '1.0.0',
    triggers: [
      { labels: { runbook: 'kafka-partition-rebalance' } },
      { labels: { alertname: 'KafkaPartitionStuck' } },
    ],
    escalation: 'streaming-oncall',
    eta: '10m',
    params: z.object({
      group: z.string().describe('the consumer group (catalogue services.<name>.kafka.consumer_groups)'),
      topic: z.string().min(1).describe('the topic it consumes'),
      namespace: z.string().describe('namespace of the consumers'),
      deployment: z.string().describe('the consumer Deployment (its pods are the members)'),
    }),
    targets: { group: 'consumer-group', namespace: 'namespace', deployment: 'deployment' },
  },
  async run(ctx) {
    const { group, topic } = ctx.params;
    const app = { namespace: ctx.params.namespace, name: ctx.params.deployment };
    const watch = () => ctx.kafka.kafkaGroupLag({ group, topic, watchSeconds: 5 });
    const before = await ctx.step(
      {
        id: 'members',
        title: `Members of ${group}`,
        impact: 'read',
        what: `read ${group}'s members and offsets twice, 5 s apart`,
      },
      watch,
    );
    ctx.evidence(`members and lag of ${group} on ${topic}`, before);
    const stuck = before.members.filter((m) => m.stuck.length > 0);
    if (stuck.length === 0)
      return `every member of ${group} commits (lag ${before.total_lag}); nothing changed`;
    // At most the cap's worth of restarts, and never every member at once.
    const restart = stuck.slice(0, Math.min(ctx.caps.max_replicas, Math.max(1, before.members.length - 1)));
    for (const m of restart)
      await ctx.step(
        {
          id: `restart-${m.client_id}`,
          title: `Restart ${m.client_id}`,
          impact: 'low',
          action: 'restart',
          what: `delete pod ${app.namespace}/${m.client_id} of ${app.name} (its ReplicaSet starts a new one): it holds partitions ${m.stuck.join(', ')} of ${topic} without committing`,
        },
        () => ctx.k8s.k8sDeletePod({ ...app, pod: m.client_id }),
      );
    if (ctx.dryRun) return `dry-run: would restart ${restart.map((m) => m.client_id).join(', ')}`;
    await ctx.step(
      {
        id: 'wait',
        title: 'Wait for the new pods',
        impact: 'read',
        what: `watch ${app.name} become available`,
      },
      () => ctx.k8s.k8sWaitForRollout({ ...app, timeoutSeconds: 300 }),
    );
    const held = new Set(restart.flatMap((m) => m.stuck));
    const after = await ctx.step(
      {
        id: 'verify',
        title: 'Verify the partitions move',
        impact: 'read',
        what: `read ${group}'s offsets again, 5 s apart`,
      },
      watch,
    );
    ctx.evidence(`members and lag of ${group} after the restart`, after);
    const still = after.partitions.filter((p) => held.has(p.partition) && p.lag > 0 && p.progressed === 0);
    if (still.length)
      ctx.escalate(
        `partitions ${still.map((p) => p.partition).join(', ')} of ${topic} still make no progress after restarting ${restart.map((m) => m.client_id).join(', ')}`,
      );
    return `restarted ${restart.map((m) => m.client_id).join(', ')}; partitions ${[...held].join(', ')} now owned by ${[...new Set(after.partitions.filter((p) => held.has(p.partition)).map((p) => p.owner ?? 'nobody'))].join(', ')} (lag ${before.total_lag} → ${after.total_lag})`;
  },
});
