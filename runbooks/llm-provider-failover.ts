import { defineRunbook, z } from 'tourniquet/runbook';

/**
 * "AI Service: LLM provider failover" (seed 004, runbook integration). Confirm the primary
 * provider is failing, flip the service's catalogued provider switch to the backup, restart
 * the app so its pods read it, verify through the app's own health check; switch back if
 * that fails.
 */
export default defineRunbook({
  meta: {
    name: 'llm-provider-failover',
    owner: 'ai-platform',
    description:
      "Probe the primary LLM provider; if it fails, flip the service's provider switch (a catalogued ConfigMap key) to the backup, restart the app, verify its health check; switch back if verification fails.",
    version: '1.0.0',
    triggers: [
      { labels: { runbook: 'llm-provider-failover' } },
      { labels: { alertname: 'LLMProviderErrors' } },
    ],
    escalation: 'ai-oncall',
    eta: '10m',
    params: z.object({
      namespace: z.string().describe('namespace of the app'),
      deployment: z.string().describe('the app Deployment (restarted to read the switch)'),
      switch: z.string().describe('the provider switch (catalogue kubernetes.switches; default the first)'),
      to: z.string().min(1).describe('the provider to switch to (one of the switch’s catalogued values)'),
      probe_url: z.string().describe("the primary provider's probe URL (a catalogued health check)"),
      health_url: z.string().describe("the app's own health URL (a catalogued health check)"),
    }),
    targets: {
      namespace: 'namespace',
      deployment: 'deployment',
      switch: 'switch',
      probe_url: 'url',
      health_url: 'url',
    },
  },
  async run(ctx) {
    const { switch: name, to, probe_url, health_url } = ctx.params;
    const app = { namespace: ctx.params.namespace, name: ctx.params.deployment };
    const probe = await ctx.step(
      {
        id: 'probe-primary',
        title: 'Probe the primary provider',
        impact: 'read',
        what: `GET ${probe_url} three times, 2 s apart`,
      },
      () => ctx.http.httpSamples({ url: probe_url, count: 3, gapSeconds: 2 }),
    );
    ctx.evidence('primary provider probe', probe);
    if (probe.failed < 2)
      ctx.escalate(
        `the primary provider answers (${probe.count - probe.failed}/${probe.count} probes passed); failing over would not help`,
      );
    const before = await ctx.step(
      { id: 'read-switch', title: `Read switch ${name}`, impact: 'read', what: `read switch ${name}` },
      () => ctx.k8s.k8sReadSwitch({ switch: name }),
    );
    ctx.evidence(`switch ${name} (${before.namespace}/${before.config_map} ${before.key})`, before);
    if (!before.values.includes(to))
      ctx.escalate(`switch ${name} may be ${before.values.join(' or ')}, not "${to}"`);
    if (before.value === to) ctx.escalate(`switch ${name} is already "${to}" and the app still fails`);

    const setTo = (value: string, stepId: string) => async () => {
      const set = await ctx.k8s.k8sSetSwitch({ switch: name, value, key: ctx.key(stepId) });
      await ctx.k8s.k8sRolloutRestart({ ...app, key: ctx.key(`${stepId}-restart`) });
      return set;
    };
    const where = `${before.namespace}/${before.config_map} ${before.key}`;
    await ctx.step(
      {
        id: 'switch',
        title: `Switch ${name} to ${to}`,
        impact: 'high',
        action: 'failover',
        what: `set ${where} from "${before.value ?? ''}" to "${to}" and restart ${app.namespace}/${app.name} to read it`,
      },
      setTo(to, 'switch'),
    );
    if (ctx.dryRun) return `dry-run: would switch ${name} to ${to}`;
    await ctx.step(
      { id: 'wait', title: 'Wait for the restart', impact: 'read', what: `watch ${app.name} roll out` },
      () => ctx.k8s.k8sWaitForRollout({ ...app, timeoutSeconds: 300 }),
    );
    const health = await ctx.step(
      {
        id: 'verify',
        title: 'Verify the app',
        impact: 'read',
        what: `GET ${health_url} three times, 2 s apart`,
      },
      () => ctx.http.httpSamples({ url: health_url, count: 3, gapSeconds: 2 }),
    );
    ctx.evidence(`app health on ${to}`, health);
    if (health.failed > 0 && before.value !== undefined) {
      await ctx.step(
        {
          id: 'switch-back',
          title: `Switch ${name} back to ${before.value}`,
          impact: 'low',
          compensation: true,
          what: `set ${where} back to "${before.value}" and restart ${app.name}`,
        },
        setTo(before.value, 'switch-back'),
      );
      ctx.escalate(
        `the app still fails on ${to} (${health.failed}/${health.count} health checks); switched back to ${before.value}`,
      );
    }
    if (health.failed > 0) ctx.escalate(`the app still fails on ${to} (${health.failed}/${health.count})`);
    ctx.health(ctx.service, 'recovering', `now on ${to}`);
    return `${app.name} now uses ${to} (was ${before.value ?? 'unset'}); ${health.count}/${health.count} health checks pass`;
  },
});
