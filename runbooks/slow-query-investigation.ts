import { defineRunbook, z } from 'tourniquet/runbook';

/** "Query Engine: slow query investigation" (seed 004, runbook integration). */
export default defineRunbook({
  meta: {
    name: 'slow-query-investigation',
    owner: 'database',
    description:
      'Find what the database spends its time on (pg_stat_statements) and the queries running long now with who blocks them; cancel those (within the cap), terminate the ones that ignore the cancel only with approval, verify.',
    version: '1.0.0',
    triggers: [
      { labels: { runbook: 'slow-query-investigation' } },
      { labels: { alertname: 'PostgresSlowQueries' } },
    ],
    escalation: 'dba-oncall',
    eta: '15m',
    params: z.object({
      service: z.string().describe("the service's database (catalogue services.<name>.postgres)"),
      seconds: z.coerce
        .number()
        .positive()
        .default(30)
        .describe('a query running longer than this is slow (default 30)'),
    }),
    targets: { service: 'database' },
  },
  async run(ctx) {
    const { service, seconds } = ctx.params;
    const statements = await ctx.step(
      { id: 'statements', title: 'Top statements', impact: 'read', what: 'read pg_stat_statements' },
      () => ctx.pg.pgTopStatements({ service, limit: 5 }),
    );
    ctx.evidence('top statements by mean and by total time (pg_stat_statements)', statements);
    const slow = () => ctx.pg.pgSlowQueries({ service, olderThanSeconds: seconds });
    const running = await ctx.step(
      {
        id: 'running',
        title: 'Queries running long',
        impact: 'read',
        what: `read pg_stat_activity: active over ${seconds}s, with blockers`,
      },
      slow,
    );
    ctx.evidence(`queries active over ${seconds}s (pg_stat_activity, pg_blocking_pids)`, running);
    if (running.queries.length === 0) return `no query active over ${seconds}s; top statements attached`;

    const pids = running.queries.map((q) => q.pid).join(', ');
    await ctx.step(
      {
        id: 'cancel',
        title: 'Cancel the slow queries',
        impact: 'low',
        action: 'cancel-queries',
        what: `cancel the queries of backends ${pids} on ${service} (pg_cancel_backend; the sessions stay)`,
      },
      () => ctx.pg.pgEndQueries({ service, queries: running.queries, how: 'cancel' }),
    );
    if (ctx.dryRun) return `dry-run: would cancel ${running.queries.length} queries active over ${seconds}s`;
    const left = await ctx.step(
      {
        id: 'verify',
        title: 'Verify the queries ended',
        impact: 'read',
        what: 'read pg_stat_activity again',
      },
      async () => stillRunning(running.queries, (await slow()).queries),
    );
    if (left.length === 0)
      return `cancelled ${running.queries.length} queries active over ${seconds}s (backends ${pids})`;

    ctx.evidence('queries still running after the cancel', left);
    await ctx.step(
      {
        id: 'terminate',
        title: 'Terminate the backends that ignored the cancel',
        impact: 'high',
        action: 'terminate-sessions',
        what: `terminate backends ${left.map((q) => q.pid).join(', ')} on ${service} (their sessions end)`,
      },
      () => ctx.pg.pgEndQueries({ service, queries: left, how: 'terminate' }),
    );
    const stuck = await ctx.step(
      {
        id: 'verify-terminated',
        title: 'Verify the backends ended',
        impact: 'read',
        what: 'read pg_stat_activity again',
      },
      async () => stillRunning(left, (await slow()).queries),
    );
    if (stuck.length)
      ctx.escalate(
        `${stuck.length} queries still run after cancel and terminate (backends ${stuck.map((q) => q.pid).join(', ')})`,
      );
    return `cancelled ${running.queries.length - left.length} and terminated ${left.length} queries active over ${seconds}s`;
  },
});

type Query = { pid: number; query_start: string };
/** Of the chosen queries, those the same backend still runs. */
const stillRunning = <Q extends Query>(chosen: Q[], now: Query[]) =>
  chosen.filter((c) => now.some((n) => n.pid === c.pid && n.query_start === c.query_start));
