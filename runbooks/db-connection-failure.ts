import { defineRunbook, PATCH, patched, z } from 'tourniquet/runbook';

/**
 * The seeds' example runbook: a web app cannot reach its database. Confirm; check the
 * database, and a failed check again (a spike passes, a sustained failure is the DBA's);
 * restart the app (stale pools are the usual cause); verify, watching the app's error rate;
 * else page the DBA with everything tried and what it showed.
 */
export default defineRunbook({
  meta: {
    name: 'db-connection-failure',
    owner: 'platform',
    description:
      'Confirm the alert, check database health (rechecked: spike or sustained), rolling-restart the app, verify connectivity and the app error rate; escalate to the on-call DBA with what was tried.',
    version: '1.1.0',
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
    // Runs from before 2026-11-30 neither recheck nor watch (their histories replay as they were).
    const thorough = patched(PATCH.dbFailureChecks);
    const database = ctx.params.database;
    const app = { namespace: ctx.params.namespace, name: ctx.params.deployment };
    /** What was tried and what it showed, for the DBA's page. */
    const tried: string[] = [];
    const escalate = (why: string) => ctx.escalate(thorough ? `${why}. Tried: ${tried.join('; ')}` : why);
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
      tried.push(`app health ${app_.status ?? app_.error} in ${app_.latency_ms} ms`);
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
    tried.push(
      health.ok ? `database answered in ${health.latency_ms} ms` : `database unreachable (${health.error})`,
    );
    if (!health.ok && !thorough)
      escalate(`database ${database} is unreachable (${health.error}); restarting the app will not help`);
    if (!health.ok) {
      const again = await ctx.step(
        {
          id: 'db-recheck',
          title: 'Check the database again: spike or sustained?',
          impact: 'read',
          what: `connect to ${database} three times, 4 s apart`,
        },
        () => ctx.pg.pgHealthSamples({ service: database, count: 3, gapSeconds: 4 }),
      );
      ctx.evidence('database health, rechecked', again);
      tried.push(`rechecked: ${again.count - again.failed}/${again.count} answered`);
      if (again.failed === again.count)
        escalate(
          `database ${database} is unreachable (sustained: ${again.count} more checks over ${4 * (again.count - 1)} s failed); restarting the app will not help`,
        );
    }
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
    tried.push(
      `restarted ${app.namespace}/${app.name} (rollout ${rollout.complete ? 'complete' : 'incomplete'})`,
    );
    const again = await ctx.step(
      { id: 'verify', title: 'Verify connectivity', impact: 'read', what: `check ${database} again` },
      () => ctx.pg.pgHealth({ service: database }),
    );
    tried.push(
      again.ok
        ? `database answered in ${again.latency_ms} ms after the restart`
        : `database still unreachable (${again.error})`,
    );
    if (!again.ok || !rollout.complete) escalate('still failing after restarting the app');
    if (thorough && healthUrl) {
      const watched = await ctx.step(
        {
          id: 'watch-app',
          title: 'Watch the app error rate after the restart',
          impact: 'read',
          what: `GET ${healthUrl} three times, 4 s apart`,
        },
        () => ctx.http.httpSamples({ url: healthUrl, count: 3, gapSeconds: 4 }),
      );
      ctx.evidence('app health after the restart', watched);
      tried.push(`app health after the restart: ${watched.failed}/${watched.count} failed`);
      if (watched.failed > 0)
        escalate(`the app still fails ${watched.failed} of ${watched.count} health checks after the restart`);
    }
    return `restarted ${app.name}; database answers in ${again.latency_ms} ms`;
  },
});
