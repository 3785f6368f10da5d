import { defineRunbook, PATCH, patched, z } from 'tourniquet/runbook';

/** "PostgreSQL: connection limit reached" (seed page, runbook integration). */
export default defineRunbook({
  meta: {
    name: 'postgres-connection-exhaustion',
    owner: 'database',
    description:
      'Diagnose connections by state/application/age against max_connections, terminate sessions idle in a transaction too long, verify headroom.',
    version: '1.0.0',
    triggers: [
      { labels: { runbook: 'postgres-connection-exhaustion' } },
      { labels: { alertname: 'PostgresConnectionsExhausted' } },
    ],
    escalation: 'dba-oncall',
    eta: '10m',
    params: z.object({
      service: z.string().describe("the service's database (catalogue services.<name>.postgres)"),
      idle_seconds: z.coerce
        .number()
        .positive()
        .default(60)
        .describe('idle-in-transaction age to terminate (default 60)'),
    }),
    targets: { service: 'database' },
  },
  async run(ctx) {
    const service = ctx.params.service;
    const olderThanSeconds = ctx.params.idle_seconds;
    // Blast radius: the service's cap (catalogue caps.max_sessions_terminated), never a parameter.
    const max = ctx.caps.max_sessions_terminated;
    const before = await ctx.step(
      { id: 'diagnose', title: 'Diagnose connections', impact: 'read', what: 'read pg_stat_activity' },
      () => ctx.pg.pgDiagnoseConnections({ service }),
    );
    ctx.evidence('connections before', before);
    const chosenFirst = patched(PATCH.sessionsChosenFirst);
    const terminated = await ctx.step(
      {
        id: 'terminate',
        title: 'Terminate idle-in-transaction sessions',
        impact: 'high',
        action: 'terminate-sessions',
        what: `terminate up to ${max} sessions of ${service} idle in a transaction for over ${olderThanSeconds}s`,
      },
      // Once approved: choose the sessions (a read, recorded), then terminate exactly those —
      // a worker lost mid-step can never make the retry pick more. Runs from before choose inside.
      chosenFirst
        ? async () => {
            const { sessions } = await ctx.pg.pgIdleInTransaction({ service, olderThanSeconds, max });
            return ctx.pg.pgTerminateSessions({ service, sessions });
          }
        : () => ctx.pg.pgTerminateIdleInTransaction({ service, olderThanSeconds, max }),
    );
    if (ctx.dryRun)
      return `dry-run: would terminate idle-in-transaction sessions older than ${olderThanSeconds}s`;
    const after = await ctx.step(
      { id: 'verify', title: 'Verify headroom', impact: 'read', what: 'read pg_stat_activity again' },
      () => ctx.pg.pgDiagnoseConnections({ service }),
    );
    ctx.evidence('connections after', after);
    if (after.headroom < Math.ceil(after.max_connections * 0.1)) {
      ctx.escalate(
        `only ${after.headroom} of ${after.max_connections} connections free after terminating ${terminated?.pids.length}`,
      );
    }
    const left = after.by_state['idle in transaction'] ?? 0;
    return `terminated ${terminated!.pids.length} sessions (cap ${max}${left ? `; ${left} idle in transaction remain` : ''}); ${after.headroom}/${after.max_connections} connections free`;
  },
});
