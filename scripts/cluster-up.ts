/**
 * `npm run cluster:up`: Temporal's own server on PostgreSQL 15 on loopback (what the cluster
 * tests use), for drills against a production-shaped Temporal. Builds the server the first
 * time (1-4 minutes). Ctrl-C stops it and deletes its data.
 */
import { startTemporalCluster } from '../test/support/temporal-cluster';
import { untilStopped } from './until-stopped';

untilStopped(async () => {
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const cluster = await startTemporalCluster({
    namespaces: [namespace],
    log: (m) => console.log(`[cluster] ${m}`),
  });
  console.log(`
Temporal frontend: ${cluster.address}  (namespace ${namespace})
PostgreSQL:        ${cluster.postgres.url}
server metrics:    ${cluster.metricsUrl}
server log:        ${cluster.logFile}

Run the engine against it as separate processes (README "Deploy"), for example:
  TEMPORAL_ADDRESS=${cluster.address} TOURNIQUET_TOKENS=… npm start -- --only=worker
  TEMPORAL_ADDRESS=${cluster.address} TOURNIQUET_TOKENS=… PORT=3001 npm start -- --only=api

Press Ctrl-C to stop it and delete its data.`);
  return cluster;
});
