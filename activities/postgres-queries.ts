/**
 * Slow query investigation (seed 004, Query Engine): what the database spends its time on
 * (pg_stat_statements), which queries run long right now and who blocks whom
 * (pg_stat_activity, pg_blocking_pids), and ending exactly the queries chosen — cancel first,
 * terminate only after an approval — each only while it is still the same query.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from 'pg';
import type { PostgresDeps } from './postgres';
import { withPostgres } from './postgres';
import type { Scoped } from './scope';

type Target = Scoped & { service: string };

/** Query texts in evidence are cut here and marked (a statement can be megabytes). */
const QUERY_CHARS = 500;

export interface Statement {
  query: string;
  calls: number;
  mean_ms: number;
  total_ms: number;
}

/** A running query, told apart from a later one on the same backend by when it started. */
export interface RunningQuery {
  pid: number;
  backend_start: string;
  query_start: string;
  seconds: number;
  application: string;
  wait_event: string | null;
  blocked_by: number[];
  query: string;
}

export function createPostgresQueryActivities(deps: PostgresDeps) {
  // The catalogue's cap, whatever the runbook asked for.
  const capOf = (o: Target) => deps.scope.caps(o.scope).max_sessions_terminated;
  return {
    /** The top statements by mean and by total time, or why there are none (no pg_stat_statements). */
    async pgTopStatements(
      o: Target & { limit: number },
    ): Promise<{ by_mean: Statement[]; by_total: Statement[]; note?: string }> {
      return withPostgres(deps, o, async (c) => {
        const installed = await c.query(`select 1 from pg_extension where extname = 'pg_stat_statements'`);
        if (!installed.rowCount)
          return { by_mean: [], by_total: [], note: 'pg_stat_statements is not installed in this database' };
        const top = (order: string) => statements(c, order, Math.min(o.limit, 20));
        return { by_mean: await top('mean_exec_time'), by_total: await top('total_exec_time') };
      });
    },

    /** Queries active for over `olderThanSeconds`, longest first, at most the cap — a read, recorded. */
    async pgSlowQueries(o: Target & { olderThanSeconds: number }): Promise<{ queries: RunningQuery[] }> {
      return withPostgres(deps, o, async (c) => {
        return {
          queries: await runningQueries(
            c,
            `now() - query_start > make_interval(secs => $1) order by query_start limit $2`,
            [o.olderThanSeconds, capOf(o)],
          ),
        };
      });
    },

    /**
     * Ends the chosen queries — `cancel` (pg_cancel_backend) or `terminate` the backend — each
     * only while the same backend still runs the same query; answers which ended or were gone.
     */
    async pgEndQueries(
      o: Target & {
        queries: Pick<RunningQuery, 'pid' | 'backend_start' | 'query_start'>[];
        how: 'cancel' | 'terminate';
      },
    ): Promise<{ pids: number[] }> {
      if (o.queries.length > capOf(o))
        throw ApplicationFailure.nonRetryable(
          `${o.queries.length} queries exceed ${o.service}'s cap of ${capOf(o)}`,
          'OverCap',
        );
      const fn = o.how === 'cancel' ? 'pg_cancel_backend' : 'pg_terminate_backend';
      return withPostgres(deps, o, async (c) => {
        const pids: number[] = [];
        for (const q of o.queries) {
          const { rows } = await c.query<{ ended: boolean }>(
            `select ${fn}(pid) as ended from pg_stat_activity
              where pid = $1 and backend_start::text = $2 and query_start::text = $3 and state = 'active'`,
            [q.pid, q.backend_start, q.query_start],
          );
          if (rows[0]?.ended || rows.length === 0) pids.push(q.pid);
        }
        await untilEnded(c, o.queries);
        return { pids };
      });
    },
  };
}
export type PostgresQueryActivities = ReturnType<typeof createPostgresQueryActivities>;

/**
 * Client backends running a query (not this session) that match `where` (its parameters
 * from $1; the query text's limit is appended as the last one).
 */
export async function runningQueries(c: Client, where: string, params: unknown[]): Promise<RunningQuery[]> {
  const { rows } = await c.query<RunningQuery>(
    `select pid, backend_start::text as backend_start, query_start::text as query_start,
            extract(epoch from now() - query_start)::int as seconds,
            coalesce(nullif(application_name, ''), '(none)') as application, wait_event,
            pg_blocking_pids(pid) as blocked_by, left(query, $${params.length + 1}) as query
       from pg_stat_activity
      where state = 'active' and backend_type = 'client backend' and pid <> pg_backend_pid() and ${where}`,
    [...params, QUERY_CHARS],
  );
  return rows.map((r) => ({ ...r, pid: Number(r.pid), blocked_by: r.blocked_by.map(Number) }));
}

async function statements(c: Client, order: string, limit: number): Promise<Statement[]> {
  const { rows } = await c.query<{ query: string; calls: string; mean_ms: number; total_ms: number }>(
    `select left(query, $2) as query, calls, round(mean_exec_time::numeric, 1)::float as mean_ms,
            round(total_exec_time::numeric, 1)::float as total_ms
       from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
      order by ${order} desc limit $1`,
    [limit, QUERY_CHARS],
  );
  return rows.map((r) => ({ ...r, calls: Number(r.calls) }));
}

/** A cancelled query takes a moment to stop: wait (up to 5 s) so the verification that follows sees it gone. */
async function untilEnded(c: Client, queries: Pick<RunningQuery, 'pid' | 'query_start'>[]): Promise<void> {
  for (let waited = 0; waited < 5000; waited += 250) {
    const { rowCount } = await c.query(
      `select 1 from pg_stat_activity a join unnest($1::int[], $2::text[]) as q(pid, started)
          on a.pid = q.pid and a.query_start::text = q.started where a.state = 'active'`,
      [queries.map((q) => q.pid), queries.map((q) => q.query_start)],
    );
    if (!rowCount) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}
