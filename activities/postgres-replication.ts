/**
 * Replication lag (seed 004, PostgreSQL): how far each standby is behind as the primary sees
 * it (pg_stat_replication), how far its replay is behind and what holds it there as the
 * replica sees it — the queries whose locks its startup process waits for.
 */
import { Context } from '@temporalio/activity';
import type { Client } from 'pg';
import { type PostgresDeps, withPostgres } from './postgres';
import { type RunningQuery, runningQueries } from './postgres-queries';
import type { Scoped } from './scope';

type Target = Scoped & { service: string };

export interface Standby {
  name: string;
  state: string;
  behind_bytes: number;
  replay_lag_seconds: number | null;
}

export interface ReplayStatus {
  in_recovery: boolean;
  /** WAL received but not yet replayed. */
  behind_bytes: number;
  /** Seconds behind: since the last replayed transaction, while WAL waits (0 when caught up). */
  lag_seconds: number;
  paused: boolean;
  /** Queries replay waits for (their locks), at most the cap. */
  blocking_replay: RunningQuery[];
  /** Queries active longer than `olderThanSeconds` (snapshot and buffer-pin conflicts hold replay too). */
  long_queries: RunningQuery[];
}

export function createPostgresReplicationActivities(deps: PostgresDeps) {
  // The catalogue's cap, whatever the runbook asked for.
  const capOf = (o: Target) => deps.scope.caps(o.scope).max_sessions_terminated;
  return {
    /** On the primary: its standbys, and how much WAL it writes per second (sampled over 1 s). */
    async pgReplicationStatus(o: Target): Promise<{ standbys: Standby[]; wal_bytes_per_second: number }> {
      return withPostgres(deps, o, async (c) => {
        const lsn = async () =>
          (await c.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn;
        const first = await lsn();
        await new Promise((r) => setTimeout(r, 1000));
        const { rows } = await c.query<{ bytes: string }>('select pg_wal_lsn_diff($1, $2)::text as bytes', [
          await lsn(),
          first,
        ]);
        return { standbys: await standbys(c), wal_bytes_per_second: Number(rows[0].bytes) };
      });
    },

    /** On the replica: how far replay is behind, and the queries holding it. */
    async pgReplayStatus(o: Target & { olderThanSeconds: number }): Promise<ReplayStatus> {
      return withPostgres(deps, o, async (c) => {
        const lag = await replayLag(c);
        const cap = capOf(o);
        return {
          ...lag,
          blocking_replay: await runningQueries(
            c,
            `pid in (${REPLAY_HOLDERS}) order by query_start limit $1`,
            [cap],
          ),
          long_queries: await runningQueries(
            c,
            `now() - query_start > make_interval(secs => $1) order by query_start limit $2`,
            [o.olderThanSeconds, cap],
          ),
        };
      });
    },

    /**
     * Waits (heartbeating) until the replica is at most `maxLagSeconds` behind, or
     * `timeoutSeconds` passed; answers the lag it saw last and whether it caught up.
     */
    async pgWaitForReplay(
      o: Target & { maxLagSeconds: number; timeoutSeconds: number },
    ): Promise<ReplayLag & { caught_up: boolean; waited_seconds: number }> {
      const start = Date.now();
      return withPostgres(deps, o, async (c) => {
        for (;;) {
          const lag = await replayLag(c);
          const waited_seconds = Math.round((Date.now() - start) / 1000);
          Context.current().heartbeat(lag);
          if (lag.lag_seconds <= o.maxLagSeconds) return { ...lag, caught_up: true, waited_seconds };
          if (waited_seconds >= o.timeoutSeconds) return { ...lag, caught_up: false, waited_seconds };
          await Context.current().sleep(500);
        }
      });
    },
  };
}
export type PostgresReplicationActivities = ReturnType<typeof createPostgresReplicationActivities>;

/**
 * Sessions holding a lock the startup process (replay) waits for. pg_blocking_pids() answers
 * nothing for it — its locks are taken on behalf of the primary's transactions — so pg_locks.
 */
const REPLAY_HOLDERS = `select h.pid from pg_locks w join pg_locks h
    on h.granted and h.pid <> w.pid and h.locktype = w.locktype
   and h.database is not distinct from w.database and h.relation is not distinct from w.relation
 where not w.granted and w.pid = (select pid from pg_stat_activity where backend_type = 'startup')`;

type ReplayLag = Pick<ReplayStatus, 'in_recovery' | 'behind_bytes' | 'lag_seconds' | 'paused'>;

async function replayLag(c: Client): Promise<ReplayLag> {
  const { rows } = await c.query<{
    in_recovery: boolean;
    behind: string | null;
    since: number | null;
    paused: boolean;
  }>(
    `select pg_is_in_recovery() as in_recovery,
                  pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::text as behind,
                  extract(epoch from now() - pg_last_xact_replay_timestamp())::int as since,
                  case when pg_is_in_recovery() then pg_is_wal_replay_paused() else false end as paused`,
  );
  const r = rows[0];
  const behind = Math.max(0, Number(r.behind ?? 0));
  return {
    in_recovery: r.in_recovery,
    behind_bytes: behind,
    lag_seconds: behind > 0 ? (r.since ?? 0) : 0,
    paused: r.paused,
  };
}

async function standbys(c: Client): Promise<Standby[]> {
  const { rows } = await c.query<Omit<Standby, 'behind_bytes'> & { behind_bytes: string | null }>(
    `select coalesce(nullif(application_name, ''), client_addr::text, '(unknown)') as name, state,
            pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text as behind_bytes,
            extract(epoch from replay_lag)::float as replay_lag_seconds
       from pg_stat_replication order by name limit 20`,
  );
  return rows.map((s) => ({ ...s, behind_bytes: Number(s.behind_bytes ?? 0) }));
}
