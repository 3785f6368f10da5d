import { defineRunbook, z } from 'tourniquet/runbook';

/**
 * "Kafka: consumer lag resolution" (seed 004, runbook integration). Measure the group's lag
 * per partition and how fast it commits; when every member makes progress but too slowly,
 * add consumers — at most one per partition and within the service's cap — and verify the
 * lag falls. A member making no progress is the rebalance runbook's case, not more pods.
 */
export default defineRunbook({
  meta: {
    name: 'kafka-consumer-lag',
    owner: 'streaming',
    description:
      'Read the consumer group’s lag per partition (watched 5 s); if every member progresses, scale the consumer Deployment ×2 within the partition count and the cap; verify the lag falls.',
    version: '1.0.0',
    triggers: [{ labels: { runbook: 'kafka-consumer-lag' } }, { labels: { alertname: 'KafkaConsumerLag' } }],
    escalation: 'streaming-oncall',
    eta: '10m',
    params: z.object({
      group: z.string().describe('the consumer group (catalogue services.<name>.kafka.consumer_groups)'),
      topic: z.string().min(1).describe('the topic it consumes'),
      namespace: z.string().describe('namespace of the consumers'),
      deployment: z.string().describe('the consumer Deployment'),
      max_lag: z.coerce
        .number()
        .int()
        .nonnegative()
        .default(1000)
        .describe('acceptable total lag (default 1000)'),
    }),
    targets: { group: 'consumer-group', namespace: 'namespace', deployment: 'deployment' },
  },
  async run(ctx) {
    const { group, topic, max_lag: maxLag } = ctx.params;
    const app = { namespace: ctx.params.namespace, name: ctx.params.deployment };
    const watch = () => ctx.kafka.kafkaGroupLag({ group, topic, watchSeconds: 5 });
    const before = await ctx.step(
      {
        id: 'lag',
        title: `Lag of ${group}`,
        impact: 'read',
        what: `read ${group}'s offsets on ${topic} twice, 5 s apart`,
      },
      watch,
    );
    ctx.evidence(`lag per partition of ${group} on ${topic}`, before);
    if (before.total_lag <= maxLag)
      return `${group} is ${before.total_lag} messages behind, within ${maxLag}; nothing changed`;
    const stuck = before.members.filter((m) => m.stuck.length > 0);
    if (stuck.length)
      ctx.escalate(
        `${stuck.map((m) => `${m.client_id} holds partitions ${m.stuck.join(', ')} without committing`).join('; ')}: more pods will not help (run kafka-partition-rebalance)`,
      );
    const rollout = await ctx.step(
      { id: 'consumers', title: `Read ${app.name}`, impact: 'read', what: 'read the consumer Deployment' },
      () => ctx.k8s.k8sRolloutState(app),
    );
    const partitions = before.partitions.length + before.omitted;
    const replicas = Math.min(rollout.desired * 2, partitions, ctx.caps.max_replicas);
    if (replicas <= rollout.desired)
      ctx.escalate(
        `${group} is ${before.total_lag} behind with ${rollout.desired} consumers for ${partitions} partitions (cap ${ctx.caps.max_replicas}): more consumers cannot help`,
      );
    await ctx.step(
      {
        id: 'scale',
        title: `Scale ${app.name} to ${replicas}`,
        impact: 'low',
        action: 'scale',
        what: `scale ${app.namespace}/${app.name} from ${rollout.desired} to ${replicas} consumers (${partitions} partitions, cap ${ctx.caps.max_replicas}); ${group} is ${before.total_lag} behind, committing ${before.committed_per_second}/s`,
      },
      () => ctx.k8s.k8sScale({ ...app, replicas, key: ctx.key('scale') }),
    );
    if (ctx.dryRun) return `dry-run: would scale ${app.name} to ${replicas}`;
    await ctx.step(
      { id: 'wait', title: 'Wait for the consumers', impact: 'read', what: `watch ${app.name} roll out` },
      () => ctx.k8s.k8sWaitForRollout({ ...app, timeoutSeconds: 300 }),
    );
    // The group rebalances onto the new members before it catches up: judge the rate, then the lag.
    const after = await ctx.step(
      {
        id: 'verify',
        title: 'Verify the lag falls',
        impact: 'read',
        what: `read ${group}'s offsets again, 5 s apart`,
      },
      watch,
    );
    ctx.evidence(`lag per partition of ${group} after scaling`, after);
    if (after.committed_per_second <= before.committed_per_second || after.total_lag >= before.total_lag)
      ctx.escalate(
        `${group} still ${after.total_lag} behind after scaling to ${replicas} (committing ${after.committed_per_second}/s, was ${before.committed_per_second}/s)`,
      );
    ctx.health(ctx.service, 'recovering', `${group} lag ${before.total_lag} → ${after.total_lag}`);
    return `scaled ${app.name} to ${replicas}: ${group} lag ${before.total_lag} → ${after.total_lag}, committing ${after.committed_per_second}/s (was ${before.committed_per_second}/s)`;
  },
});
