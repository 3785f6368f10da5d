import { defineRunbook, z } from 'tourniquet/runbook';

/**
 * "PostgreSQL: replication lag" (seed 004, runbook integration). Measure the lag from both
 * ends, find what holds replay (queries on the replica whose locks it waits for, or the WAL
 * volume), then with approval either cancel the queries holding replay or move read traffic
 * to the primary until the replica catches up, and move it back.
 */
export default defineRunbook({
  meta: {
    name: 'replication-lag',
    owner: 'database',
    description:
      'Measure replication lag on the primary (pg_stat_replication, WAL rate) and the replica (replay behind, queries holding it); with approval cancel the queries holding replay, or point the read Service at the primary until the replica catches up and point it back.',
    version: '1.0.0',
    triggers: [
      { labels: { runbook: 'replication-lag' } },
      { labels: { alertname: 'PostgresReplicationLag' } },
    ],
    escalation: 'dba-oncall',
    eta: '15m',
    params: z.object({
      database: z.string().describe('the primary (catalogue services.<name>.postgres)'),
      replica: z.string().describe('the replica (catalogue services.<name>.postgres_replica)'),
      max_lag_seconds: z.coerce.number().positive().default(30).describe('acceptable lag (default 30)'),
      remedy: z
        .enum(['cancel', 'reads-to-primary'])
        .default('cancel')
        .describe(
          '"cancel" the queries holding replay (default), or move reads to the primary while it catches up',
        ),
      namespace: z.string().describe('namespace of the read Service'),
      read_service: z.string().describe('the Service read traffic goes through'),
      primary_pods: z
        .string()
        .describe("the primary's Deployment (its pods' labels become the read Service's selector)"),
      wait_seconds: z.coerce
        .number()
        .positive()
        .max(600)
        .default(300)
        .describe('how long to wait for replay (default 300)'),
    }),
    targets: {
      database: 'database',
      replica: 'replica',
      namespace: 'namespace',
      read_service: 'k8s-service',
      primary_pods: 'deployment',
    },
  },
  async run(ctx) {
    const { database, replica, max_lag_seconds: maxLag, namespace, read_service: service } = ctx.params;
    const primary = await ctx.step(
      {
        id: 'primary',
        title: 'Standbys, from the primary',
        impact: 'read',
        what: `read pg_stat_replication on ${database}`,
      },
      () => ctx.pg.pgReplicationStatus({ service: database }),
    );
    ctx.evidence('standbys and WAL rate (pg_stat_replication, pg_current_wal_lsn)', primary);
    const replay = await ctx.step(
      {
        id: 'replica',
        title: 'Replay, on the replica',
        impact: 'read',
        what: `read replay state and its blockers on ${replica}`,
      },
      () => ctx.pg.pgReplayStatus({ service: replica, olderThanSeconds: maxLag }),
    );
    ctx.evidence(
      'replay on the replica (pg_last_wal_replay_lsn; pg_locks the startup process waits for)',
      replay,
    );
    const behind = `${replay.lag_seconds} s (${replay.behind_bytes} bytes) behind`;
    if (!replay.in_recovery)
      ctx.escalate(`${replica} is not in recovery: it was promoted or is not a replica`);
    if (replay.paused)
      ctx.escalate(`replay on ${replica} is paused (pg_wal_replay_pause); a human paused it`);
    if (replay.lag_seconds <= maxLag) return `${replica} is ${behind}, within ${maxLag} s; nothing changed`;
    const holders = replay.blocking_replay;
    const caughtUp = (id: 'verify' | 'wait') =>
      ctx.step(
        {
          id,
          title: 'Wait for replay to catch up',
          impact: 'read',
          what: `watch ${replica} until at most ${maxLag} s behind`,
        },
        () =>
          ctx.pg.pgWaitForReplay({
            service: replica,
            maxLagSeconds: maxLag,
            timeoutSeconds: ctx.params.wait_seconds,
          }),
      );

    if (holders.length && ctx.params.remedy === 'cancel') {
      await ctx.step(
        {
          id: 'cancel',
          title: `Cancel ${holders.length} queries holding replay`,
          impact: 'high',
          action: 'cancel-queries',
          what: `pg_cancel_backend on ${replica} for ${holders.map((q) => `${q.pid} (${q.application}, ${q.seconds} s: ${q.query.slice(0, 80)})`).join('; ')} — replay waits for their locks; ${replica} is ${behind}`,
        },
        () => ctx.pg.pgEndQueries({ service: replica, queries: holders, how: 'cancel' }),
      );
      if (ctx.dryRun) return `dry-run: would cancel ${holders.length} queries on ${replica}`;
      const after = await caughtUp('verify');
      ctx.evidence('replay after the cancel', after);
      if (!after.caught_up)
        ctx.escalate(
          `${replica} is still ${after.lag_seconds} s behind after cancelling ${holders.length} queries`,
        );
      return `cancelled ${holders.length} queries holding replay; ${replica} is ${after.lag_seconds} s behind`;
    }

    const why = holders.length
      ? `${holders.length} queries hold replay and the remedy is reads-to-primary`
      : `no query holds replay (WAL at ${primary.wal_bytes_per_second} bytes/s)`;
    const original = await ctx.step(
      {
        id: 'read-selector',
        title: `Read ${service}'s selector`,
        impact: 'read',
        what: `read Service ${namespace}/${service}'s selector`,
      },
      () => ctx.k8s.k8sServiceSelector({ namespace, service }),
    );
    const pods = await ctx.step(
      {
        id: 'primary-pods',
        title: 'Read the primary pods',
        impact: 'read',
        what: `read ${ctx.params.primary_pods}`,
      },
      () => ctx.k8s.k8sRolloutState({ namespace, name: ctx.params.primary_pods }),
    );
    await ctx.step(
      {
        id: 'reads-to-primary',
        title: `Point ${service} at the primary`,
        impact: 'high',
        action: 'failover',
        what: `change Service ${namespace}/${service} selector to ${JSON.stringify(pods.selector)} (the primary takes the reads) while ${replica} is ${behind}: ${why}`,
      },
      () =>
        ctx.k8s.k8sSetServiceSelector({
          namespace,
          service,
          selector: pods.selector,
          key: ctx.key('reads-to-primary'),
        }),
    );
    if (ctx.dryRun) return `dry-run: would point ${service} at the primary`;
    const after = await caughtUp('wait');
    ctx.evidence('replay while reads are on the primary', after);
    if (!after.caught_up)
      ctx.escalate(
        `${replica} is still ${after.lag_seconds} s behind after ${after.waited_seconds} s; ${service} stays on the primary (its selector was ${JSON.stringify(original)})`,
      );
    await ctx.step(
      {
        id: 'reads-back',
        title: `Point ${service} back at the replica`,
        impact: 'low',
        compensation: true,
        what: `restore Service ${namespace}/${service} selector ${JSON.stringify(original)}: ${replica} caught up`,
      },
      () =>
        ctx.k8s.k8sSetServiceSelector({ namespace, service, selector: original, key: ctx.key('reads-back') }),
    );
    return `${replica} caught up (${after.lag_seconds} s behind after ${after.waited_seconds} s with reads on the primary); ${service} points at the replica again`;
  },
});
