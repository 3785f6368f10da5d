/** Everything a runbook's `ctx.pg` offers, from the PostgreSQL activity files. */
import type { PostgresActivities } from './postgres';
import type { PostgresQueryActivities } from './postgres-queries';
import type { PostgresReplicationActivities } from './postgres-replication';

export type DatabaseActivities = PostgresActivities & PostgresQueryActivities & PostgresReplicationActivities;
