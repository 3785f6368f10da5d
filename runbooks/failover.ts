import { defineRunbook, PATCH, patched, z } from 'tourniquet/runbook';

/**
 * Switch a Service from the primary Deployment to a ready standby. On failed verification,
 * compensate by switching back ("automatic rollback on failed validation"), then escalate.
 */
export default defineRunbook({
  meta: {
    name: 'failover',
    owner: 'platform',
    description:
      "Scale the standby up, check it is ready, point the Service's selector at it, verify endpoints; switch back if verification fails.",
    version: '1.0.0',
    triggers: [{ labels: { runbook: 'failover' } }, { labels: { alertname: 'PrimaryUnavailable' } }],
    escalation: 'platform-oncall',
    eta: '15m',
    params: z.object({
      namespace: z.string().describe('namespace'),
      service: z.string().describe('Service to fail over'),
      primary: z.string().describe('primary Deployment'),
      standby: z.string().describe('standby Deployment'),
      confirm_fenced: z
        .stringbool()
        .default(false)
        .describe('"true" adds a manual step: a human confirms the primary is fenced before the switch'),
    }),
    targets: { namespace: 'namespace', service: 'k8s-service', primary: 'deployment', standby: 'deployment' },
  },
  async run(ctx) {
    const namespace = ctx.params.namespace;
    const service = ctx.params.service;
    const primary = await ctx.step(
      { id: 'inspect-primary', title: 'Read primary', impact: 'read', what: 'read the primary Deployment' },
      () => ctx.k8s.k8sRolloutState({ namespace, name: ctx.params.primary }),
    );
    const standbyRef = { namespace, name: ctx.params.standby };
    const standby = await ctx.step(
      { id: 'inspect-standby', title: 'Read standby', impact: 'read', what: 'read the standby Deployment' },
      () => ctx.k8s.k8sRolloutState(standbyRef),
    );
    const replicas = Math.max(primary.desired, 1);
    await ctx.step(
      {
        id: 'scale-standby',
        title: `Scale standby to ${replicas}`,
        impact: 'low',
        action: 'scale',
        what: `scale ${standbyRef.name} to ${replicas} replicas`,
      },
      () => ctx.k8s.k8sScale({ ...standbyRef, replicas, key: ctx.key('scale-standby') }),
    );
    if (!ctx.dryRun) {
      const ready = await ctx.step(
        {
          id: 'standby-ready',
          title: 'Wait for the standby to be ready',
          impact: 'read',
          what: 'watch the standby become available',
        },
        () => ctx.k8s.k8sWaitForRollout({ ...standbyRef, timeoutSeconds: 300 }),
      );
      if (ready.available < replicas)
        ctx.escalate(
          `standby ${standbyRef.name} is not ready (${ready.available}/${replicas}); not switching`,
        );
    }
    if (ctx.params.confirm_fenced) {
      await ctx.manual({
        id: 'confirm-fenced',
        title: 'Confirm the primary is fenced',
        instructions:
          'Make sure the primary takes no more writes (stop its writers or revoke its access), then mark this step done.',
      });
    }
    // What the Service selects before the switch, read in a step of its own: the switch-back
    // restores exactly this (runs from before the step use what the switch reported).
    const original = patched(PATCH.failoverReadsSelector)
      ? await ctx.step(
          {
            id: 'read-selector',
            title: `Read ${service}'s selector`,
            impact: 'read',
            what: `read Service ${namespace}/${service}'s selector`,
          },
          () => ctx.k8s.k8sServiceSelector({ namespace, service }),
        )
      : undefined;
    const switched = await ctx.step(
      {
        id: 'switch',
        title: `Point ${service} at ${standbyRef.name}`,
        impact: 'high',
        action: 'failover',
        what: `change Service ${namespace}/${service} selector to ${JSON.stringify(standby.selector)}`,
      },
      () =>
        ctx.k8s.k8sSetServiceSelector({
          namespace,
          service,
          selector: standby.selector,
          key: ctx.key('switch'),
        }),
    );
    if (ctx.dryRun) return `dry-run: would fail ${service} over to ${standbyRef.name}`;
    const endpoints = await ctx.step(
      {
        id: 'verify',
        title: 'Verify endpoints',
        impact: 'read',
        what: `check ${service} has ready endpoints on the standby`,
      },
      () => ctx.k8s.k8sReadyEndpoints({ namespace, service }),
    );
    const onStandby = (endpoints?.pods ?? []).filter((p) => p.startsWith(`${standbyRef.name}-`)).length;
    if (onStandby === 0 || onStandby !== endpoints?.ready) {
      await ctx.step(
        {
          id: 'switch-back',
          title: `Switch ${service} back`,
          impact: 'low',
          compensation: true,
          what: `restore selector ${JSON.stringify(original ?? switched!.previous)}`,
        },
        () =>
          ctx.k8s.k8sSetServiceSelector({
            namespace,
            service,
            selector: original ?? switched!.previous,
            key: ctx.key('switch-back'),
          }),
      );
      ctx.escalate(
        `failover verification failed (${onStandby}/${endpoints?.ready} endpoints on the standby); switched back`,
      );
    }
    return `${service} now serves from ${standbyRef.name} (${onStandby} ready endpoints)`;
  },
});
