/**
 * PostgreSQL diagnostics and fixes for runbooks ("connection limit reached" in the seeds).
 * One short-lived connection per call: a runbook must not add to the exhaustion it fixes.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Client } from 'pg';
import { own } from '../domain/own';
import { sample, type Samples } from './samples';
import { type Scoped, TargetScope } from './scope';

export interface PostgresDeps {
  /** Connection URL per service, from the service catalogue. */
  urls: Record<string, string>;
  scope: TargetScope;
}

type Target = Scoped & { service: string };

export interface ConnectionDiagnosis {
  max_connections: number;
  total: number;
  headroom: number;
  by_state: Record<string, number>;
  by_application: Record<string, number>;
  idle_in_transaction_oldest_seconds: number;
  /** With `application`: its sessions by state. */
  application_states?: Record<string, number>;
}

/** One short-lived connection to the service's database (checked against the run's scope) for `fn`. */
export async function withPostgres<T>(
  { urls, scope }: PostgresDeps,
  { service, scope: actingFor }: Target,
  fn: (c: Client) => Promise<T>,
): Promise<T> {
  scope.check(actingFor, 'database', service);
  const url = own(urls, service);
  if (!url)
    throw ApplicationFailure.nonRetryable(
      `No PostgreSQL target is configured for service "${service}" (config services.${service}.postgres)`,
      'TargetNotConfigured',
    );
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: 5000,
    statement_timeout: 10_000,
    application_name: 'tourniquet',
  });
  try {
    await client.connect();
  } catch (err) {
    // "too many clients" is exactly the failure some runbooks fix: report it, let retries wait.
    throw ApplicationFailure.retryable(
      `cannot connect to PostgreSQL for ${service}: ${(err as Error).message}`,
      'ConnectFailed',
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function createPostgresActivities(deps: PostgresDeps) {
  const { scope } = deps;
  // The catalogue's cap, whatever the runbook asked for.
  const capOf = (o: Target) => scope.caps(o.scope).max_sessions_terminated;
  const withClient = <T>(target: Target, fn: (c: Client) => Promise<T>) => withPostgres(deps, target, fn);

  async function pgHealth(target: Target): Promise<{ ok: boolean; latency_ms: number; error?: string }> {
    const start = Date.now();
    try {
      await withClient(target, (c) => c.query('select 1'));
      return { ok: true, latency_ms: Date.now() - start };
    } catch (err) {
      if (err instanceof ApplicationFailure && err.type === 'TargetNotConfigured') throw err;
      return { ok: false, latency_ms: Date.now() - start, error: (err as Error).message };
    }
  }

  return {
    pgHealth,

    /** The health check `count` times, `gapSeconds` apart: a spike or a sustained failure. */
    async pgHealthSamples(o: Target & { count: number; gapSeconds: number }): Promise<Samples> {
      return sample(o.count, o.gapSeconds, () => pgHealth(o));
    },

    async pgDiagnoseConnections(target: Target & { application?: string }): Promise<ConnectionDiagnosis> {
      return withClient(target, async (c) => {
        const max = Number(
          (await c.query<{ max_connections: string }>('show max_connections')).rows[0].max_connections,
        );
        const rows = (
          await c.query(
            `select coalesce(state, 'unknown') as state, coalesce(nullif(application_name, ''), '(none)') as app,
                    extract(epoch from now() - state_change)::int as age
               from pg_stat_activity where backend_type = 'client backend'`,
          )
        ).rows as { state: string; app: string; age: number }[];
        const count = (key: 'state' | 'app', of = rows) =>
          // A Map: application_name is anyone's text ("constructor" included).
          Object.fromEntries(
            of.reduce((acc, r) => acc.set(r[key], (acc.get(r[key]) ?? 0) + 1), new Map<string, number>()),
          );
        const app = target.application;
        const idleTx = rows.filter((r) => r.state === 'idle in transaction').map((r) => r.age);
        return {
          max_connections: max,
          total: rows.length,
          headroom: max - rows.length,
          by_state: count('state'),
          by_application: count('app'),
          idle_in_transaction_oldest_seconds: idleTx.length ? Math.max(...idleTx) : 0,
          ...(app === undefined
            ? {}
            : {
                application_states: count(
                  'state',
                  rows.filter((r) => r.app === app),
                ),
              }),
        };
      });
    },

    /**
     * Terminates sessions idle in a transaction for longer than `olderThanSeconds`, at most
     * `max` in all: each pid is recorded (heartbeat details) as it goes, and a retried attempt
     * spends only what remains of the budget — a cap of 5 never becomes 5 per attempt.
     */
    async pgTerminateIdleInTransaction(
      o: Target & {
        olderThanSeconds: number;
        max: number;
        dryRun?: boolean;
      },
    ): Promise<{ pids: number[]; dry_run: boolean }> {
      const max = Math.min(o.max, capOf(o));
      const done: number[] = [
        ...((Context.current().info.heartbeatDetails as { pids?: number[] } | undefined)?.pids ?? []),
      ];
      if (done.length >= max) return { pids: done, dry_run: !!o.dryRun };
      return withClient(o, async (c) => {
        const victims = (await idleInTransaction(c, o.olderThanSeconds, max - done.length)).map((s) => s.pid);
        if (o.dryRun) return { pids: victims, dry_run: true };
        for (const pid of victims) {
          await c.query('select pg_terminate_backend($1)', [pid]);
          done.push(pid);
          Context.current().heartbeat({ pids: done });
        }
        return { pids: done, dry_run: false };
      });
    },

    /**
     * The sessions to terminate: idle in a transaction for longer than `olderThanSeconds`,
     * oldest first, at most the catalogue's cap. A read; its answer is recorded in the run's
     * history, so the termination that follows acts on exactly these, however often retried.
     */
    async pgIdleInTransaction(
      o: Target & { olderThanSeconds: number; max: number },
    ): Promise<{ sessions: Session[] }> {
      const max = Math.min(o.max, capOf(o));
      return withClient(o, async (c) => ({ sessions: await idleInTransaction(c, o.olderThanSeconds, max) }));
    },

    /**
     * Terminates the sessions chosen by `pgIdleInTransaction`, each only while it is still the
     * same backend (pid and start) and still idle in a transaction. A retry terminates nothing
     * new: the list is fixed. Answers which of them it terminated or found gone.
     */
    async pgTerminateSessions(o: Target & { sessions: Session[] }): Promise<{ pids: number[] }> {
      if (o.sessions.length > capOf(o))
        throw ApplicationFailure.nonRetryable(
          `${o.sessions.length} sessions exceed ${o.service}'s cap of ${capOf(o)}`,
          'OverCap',
        );
      return withClient(o, async (c) => {
        const pids: number[] = [];
        for (const s of o.sessions) {
          const { rows } = await c.query<{ terminated: boolean }>(
            `select pg_terminate_backend(pid) as terminated from pg_stat_activity
              where pid = $1 and backend_start::text = $2 and state = 'idle in transaction'`,
            [s.pid, s.backend_start],
          );
          // Terminated now, or gone already (an earlier attempt, or it ended): either way, done.
          if (rows[0]?.terminated || !(await present(c, s))) pids.push(s.pid);
        }
        return { pids };
      });
    },
  };
}
export type PostgresActivities = ReturnType<typeof createPostgresActivities>;

/** Client sessions idle in a transaction for over `olderThanSeconds`, oldest first, at most `limit`. */
async function idleInTransaction(c: Client, olderThanSeconds: number, limit: number): Promise<Session[]> {
  const { rows } = await c.query<{ pid: number; backend_start: string }>(
    `select pid, backend_start::text as backend_start from pg_stat_activity
      where state = 'idle in transaction' and backend_type = 'client backend' and pid <> pg_backend_pid()
        and now() - state_change > make_interval(secs => $1)
      order by state_change limit $2`,
    [olderThanSeconds, limit],
  );
  return rows.map((r) => ({ pid: Number(r.pid), backend_start: r.backend_start }));
}

const present = async (c: Client, s: Session) =>
  (
    await c.query('select 1 from pg_stat_activity where pid = $1 and backend_start::text = $2', [
      s.pid,
      s.backend_start,
    ])
  ).rowCount! > 0;

/** A backend, told apart from a later one that reuses its pid by when it started. */
export interface Session {
  pid: number;
  backend_start: string;
}
