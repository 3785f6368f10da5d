/**
 * Temporal's own multi-service server (frontend, history, matching, worker in one process)
 * on a real PostgreSQL 15 for persistence and SQL visibility — what a production cluster
 * runs, unlike the CLI's dev server on SQLite. Built from the Go module proxy by
 * scripts/ensure-temporal-server.sh; schemas set up with Temporal's own SQL tool.
 * Used by the cluster tests (test/cluster/) and `npm run cluster:up`.
 */
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import YAML from 'yaml';
import { canListen, ensureBuilt, SHARD_QUEUE_READS, tail } from '../../worker/dev-server';
import { ensureSearchAttributes } from '../../worker/search-attributes';
import { startPostgres, type Postgres } from './postgres';

export interface TemporalCluster {
  /** The frontend's gRPC address (TEMPORAL_ADDRESS). */
  address: string;
  /** The server's own Prometheus metrics. */
  metricsUrl: string;
  postgres: Postgres;
  logFile: string;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;

/** As the dev server's embedded default (worker/dev-server.ts): activities dispatched eagerly, each shard's queues read often. */
const DYNAMIC_CONFIG = {
  'system.enableActivityEagerExecution': true,
  'system.enableEagerWorkflowStart': true,
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
  'frontend.enableExecuteMultiOperation': true,
  'frontend.workerVersioningDataAPIs': true,
  'frontend.workerVersioningWorkflowAPIs': true,
  'system.enableDeploymentVersions': true,
  'system.enableDeployments': true,
  'limit.maxIDLength': 255,
  ...SHARD_QUEUE_READS,
};

export async function startTemporalCluster(
  o: { namespaces?: string[]; log?: (m: string) => void } = {},
): Promise<TemporalCluster> {
  const log = o.log ?? (() => {});
  const home = ensureBuilt('ensure-temporal-server.sh');
  log('starting PostgreSQL 15 for persistence and visibility');
  const postgres = await startPostgres({ maxConnections: 200 });
  const pgPort = new URL(postgres.url).port;
  try {
    for (const [db, schema] of [
      ['temporal', 'temporal'],
      ['temporal_visibility', 'visibility'],
    ]) {
      const tool = (...args: string[]) =>
        run(path.join(home, 'temporal-sql-tool'), [
          ...['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', pgPort, '-u', 'postgres', '--db', db],
          ...args,
        ]);
      await tool('create-database');
      await tool('setup-schema', '-v', '0.0');
      await tool('update-schema', '-d', path.join(home, 'schema', schema, 'versioned'));
    }
    log('schemas set up; starting temporal-server');
    return await startServer(home, postgres, o.namespaces ?? ['default'], log);
  } catch (err) {
    await postgres.stop();
    throw err;
  }
}

async function startServer(home: string, postgres: Postgres, namespaces: string[], log: (m: string) => void) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-temporal-'));
  mkdirSync(path.join(root, 'config', 'dynamicconfig'), { recursive: true });
  const ports = await freePorts(2 * SERVICES.length + 2);
  const frontend = ports[0];
  const metricsPort = ports[ports.length - 1];
  writeFileSync(path.join(root, 'config', 'dynamicconfig', 'cluster.yaml'), dynamicConfig());
  writeFileSync(
    path.join(root, 'config', 'development.yaml'),
    YAML.stringify(serverConfig(new URL(postgres.url).port, ports, metricsPort, root)),
  );
  const logFile = path.join(root, 'temporal.log');
  const out = createWriteStream(logFile);
  const child = spawn(
    path.join(home, 'temporal-server'),
    ['--root', root, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const address = `127.0.0.1:${frontend}`;
  const stopServer = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    out.end();
  };
  try {
    const connection = await connectWhenReady(address, exited, logFile);
    for (const namespace of namespaces) await registerNamespace(connection, namespace);
    await connection.close();
  } catch (err) {
    await stopServer();
    throw err;
  }
  log(`Temporal cluster ready on ${address} (namespaces ${namespaces.join(', ')})`);
  return {
    address,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    postgres,
    logFile,
    async stop() {
      await stopServer();
      await postgres.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function connectWhenReady(address: string, exited: Promise<void>, logFile: string) {
  let gone = false;
  void exited.then(() => (gone = true));
  for (const deadline = Date.now() + 60_000; ;) {
    if (gone) throw new Error(`temporal-server exited; last log lines:\n${tail(logFile)}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`temporal-server did not answer on ${address} within 60 s:\n${tail(logFile)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * A new namespace and its search attributes reach every service through caches refreshed
 * every few seconds (no dev-server shortcut here): wait until a query using them answers.
 */
async function registerNamespace(connection: Connection, namespace: string) {
  await connection.workflowService
    .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') })
    .catch((err: { code?: number }) => {
      if (err.code !== 6) throw err; // ALREADY_EXISTS
    });
  for (const deadline = Date.now() + 60_000; ;) {
    try {
      await ensureSearchAttributes(connection, namespace);
      await connection.workflowService.countWorkflowExecutions({
        namespace,
        query: `IncidentSeverity = 'SEV1'`,
      });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function serverConfig(pgPort: string, ports: number[], metricsPort: number, root: string) {
  const sql = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `127.0.0.1:${pgPort}`,
      connectProtocol: 'tcp',
      user: 'postgres',
      password: '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: 4,
      datastores: { default: sql('temporal', 40), visibility: sql('temporal_visibility', 10) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: {
        prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${metricsPort}` },
      },
    },
    services: Object.fromEntries(
      SERVICES.map((s, i) => [
        s,
        {
          rpc: {
            grpcPort: ports[2 * i],
            membershipPort: ports[2 * i + 1],
            bindOnLocalHost: true,
            ...(s === 'frontend' ? { httpPort: ports[2 * SERVICES.length] } : {}),
          },
        },
      ]),
    ),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports[0]}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: {
      filepath: path.join(root, 'config', 'dynamicconfig', 'cluster.yaml'),
      pollInterval: '10s',
    },
  };
}

function dynamicConfig(): string {
  return YAML.stringify(
    Object.fromEntries(Object.entries(DYNAMIC_CONFIG).map(([k, value]) => [k, [{ value }]])),
  );
}

/** Below 32768: membership rows keep the port in a PostgreSQL smallint (the kernel's ephemeral ones are above). */
async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) ports.add(port);
  }
  return [...ports];
}
