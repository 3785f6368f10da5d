import { defineRunbook, z } from 'tourniquet/runbook';

/**
 * The seeds' example runbook: a web app cannot reach its database. Confirm, check the
 * database, restart the app (stale pools are the usual cause), verify, else page the DBA.
 */
export default defineRunbook({
  meta: {
    name: 'db-connection-failure',
    owner: 'platform',
    description:
      'Confirm the alert, check database health, rolling-restart the app, verify connectivity; escalate to the on-call DBA if still failing.',
    version: '1.0.0',
    triggers: [
      { labels: { runbook: 'db-connection-failure' } },
      { labels: { alertname: 'DatabaseConnectionFailure' } },
    ],
    escalation: 'dba-oncall',
    eta: '15m',
    params: z.object({
      database: z.string().describe("the service's database (catalogue services.<name>.postgres)"),
      namespace: z.string().describe('namespace of the app'),
      deployment: z.string().describe('app Deployment'),
      health_url: z
        .string()
        .optional()
        .describe("app health URL (one of the service's catalogued health_checks; default the first)"),
    }),
    targets: { database: 'database', namespace: 'namespace', deployment: 'deployment', health_url: 'url' },
  },
  async run(ctx) {
    const database = ctx.params.database;
    const app = { namespace: ctx.params.namespace, name: ctx.params.deployment };
    const firing = await ctx.step(
      {
        id: 'confirm',
        title: 'Confirm the alert is still firing',
        impact: 'read',
        what: 'check the incident alerts',
      },
      async () => ctx.alertsFiring,
    );
    if (ctx.startedByAlert && firing === 0) return 'the alert is no longer firing; nothing to do';
    const healthUrl = ctx.params.health_url;
    if (healthUrl) {
      const app_ = await ctx.step(
        {
          id: 'app-health',
          title: 'Check the app health endpoint',
          impact: 'read',
          what: `GET ${healthUrl}`,
        },
        () => ctx.http.httpCheck({ url: healthUrl }),
      );
      ctx.evidence('app health', app_);
    }
    const health = await ctx.step(
      {
        id: 'db-health',
        title: 'Check database health',
        impact: 'read',
        what: `connect to ${database} and run select 1`,
      },
      () => ctx.pg.pgHealth({ service: database }),
    );
    ctx.evidence('database health', health);
    if (!health.ok)
      ctx.escalate(`database ${database} is unreachable (${health.error}); restarting the app will not help`);
    await ctx.step(
      {
        id: 'restart-app',
        title: `Restart ${app.name}`,
        impact: 'low',
        action: 'restart',
        what: `rolling restart of ${app.namespace}/${app.name} to reset its connection pools`,
      },
      () => ctx.k8s.k8sRolloutRestart({ ...app, key: ctx.key('restart-app') }),
    );
    if (ctx.dryRun) return `dry-run: would restart ${app.name}`;
    const rollout = await ctx.step(
      { id: 'wait', title: 'Wait for the restart', impact: 'read', what: 'watch the rollout finish' },
      () => ctx.k8s.k8sWaitForRollout({ ...app, timeoutSeconds: 300 }),
    );
    const again = await ctx.step(
      { id: 'verify', title: 'Verify connectivity', impact: 'read', what: `check ${database} again` },
      () => ctx.pg.pgHealth({ service: database }),
    );
    if (!again.ok || !rollout.complete) ctx.escalate('still failing after restarting the app');
    return `restarted ${app.name}; database answers in ${again.latency_ms} ms`;
  },
});
