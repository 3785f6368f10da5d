/**
 * `npm start`: the Temporal dev server (unless TEMPORAL_ADDRESS points at a cluster), the
 * worker and the HTTP API under one supervising process. Ctrl-C stops all three cleanly.
 * `npm start -- --only=worker` or `--only=api` runs one part against a cluster, for scaling out.
 */
import './tracing-init';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import path from 'node:path';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createApp } from '../api/app';
import { createServer } from 'node:http';
import { register } from 'prom-client';
import { TokenStore } from '../api/auth';
import { ConfigError, loadConfig, toGuardrailConfig, toEscalationConfig } from '../config';
import { bootstrapAdminToken } from '../config/admin-token';
import { createLogger } from '../config/logger';
import { createWorker } from '../worker';
import { clusterConnectionOptions } from '../worker/connection';
import { DevServer, ensureTemporalCli, startDevServer } from '../worker/dev-server';
import { ensureSearchAttributes } from '../worker/search-attributes';
import { installRuntime } from '../worker/runtime';
import { grants } from '../config/roles';
import { clientInterceptors, stopTracing } from '../common/tracing';

async function main() {
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  if (only && only !== 'worker' && only !== 'api')
    throw new ConfigError(`--only must be worker or api, not ${only}`);
  const config = loadConfig();
  // A generated first-run token would differ per replica: replicas share their tokens through config.
  if (only === 'api' && config.tokens.length === 0)
    throw new ConfigError(
      "an API replica (--only=api) needs its tokens from configuration, the same for every replica: set TOURNIQUET_TOKENS or the config file's tokens (token_sha256 hashes allowed)",
    );
  const logger = createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  // Buffered spans go out after everything else has stopped.
  const stops: (() => Promise<unknown>)[] = [stopTracing];

  let devServer: DevServer | undefined;
  let options;
  if (config.temporal.address) {
    options = clusterConnectionOptions(config.temporal.address);
    logger.info(
      { address: config.temporal.address, namespace: config.temporal.namespace },
      'using the Temporal cluster at TEMPORAL_ADDRESS',
    );
  } else {
    if (only)
      throw new ConfigError(
        '--only needs TEMPORAL_ADDRESS: the embedded dev server runs with the whole engine',
      );
    logger.info('starting the embedded Temporal dev server (set TEMPORAL_ADDRESS to use a cluster instead)');
    const dbFile = path.join(config.dataDir, 'temporal.db');
    devServer = await startDevServer(ensureTemporalCli(), {
      port: config.temporal.port,
      uiPort: config.temporal.uiPort,
      dbFile,
      logFile: path.join(config.dataDir, 'temporal.log'),
      pidFile: path.join(config.dataDir, 'temporal.pid'),
    });
    stops.push(() => devServer!.stop());
    options = { address: devServer.address };
    logger.info(
      {
        address: devServer.address,
        ui: devServer.uiUrl,
        data: dbFile,
        log: path.join(config.dataDir, 'temporal.log'),
      },
      `Temporal UI: ${devServer.uiUrl}`,
    );
  }
  const { namespace, taskQueue } = config.temporal;
  const uiBase = devServer?.uiUrl ?? config.temporal.uiUrl?.replace(/\/$/, '');
  const escalation = toEscalationConfig(
    config.escalation,
    config.publicUrl,
    uiBase ? `${uiBase}/namespaces/${namespace}` : undefined,
    config.services.entries,
    config.slack,
  );

  const connection = await Connection.connect(options);
  stops.unshift(() => connection.close());
  const client = new Client({ connection, namespace, interceptors: clientInterceptors() });
  const added = await ensureSearchAttributes(connection, namespace);
  if (added.length) logger.info({ added }, 'registered search attributes');

  let runtimeMetrics: (() => Promise<string>) | undefined;
  if (only !== 'api') {
    runtimeMetrics = await installRuntime(logger);
    const nativeConnection = await NativeConnection.connect(options);
    const catalogued = config.services.entries.map((s) => s.name);
    if (catalogued.length)
      logger.info({ services: catalogued }, 'runbooks may act on these catalogued services');
    else
      logger.warn(
        'no services catalogued (config file: services): runbooks will act on nothing until you add them — see README "Services"',
      );
    const kubeconfig = loadKubeconfig(config.targets.kubeconfig);
    logger.info(
      kubeconfig ? { cluster: kubeconfig.getCurrentCluster()?.server } : {},
      kubeconfig
        ? 'runbooks act on Kubernetes'
        : 'no Kubernetes configured (KUBECONFIG): Kubernetes runbook steps will stop with a message',
    );
    if (config.runbookDirs.length)
      logger.info({ dirs: config.runbookDirs }, 'runbooks from these directories too (TOURNIQUET_RUNBOOKS)');
    if (config.workflowBundle)
      logger.info(
        { bundle: config.workflowBundle },
        'workflows and runbooks from the bundle built ahead (TOURNIQUET_WORKFLOW_BUNDLE): it holds the runbooks it was built with',
      );
    const worker = await createWorker({
      connection: nativeConnection,
      client,
      namespace,
      taskQueue,
      logger,
      runbookDirs: config.runbookDirs,
      workflowBundle: config.workflowBundle ? { codePath: config.workflowBundle } : undefined,
      workflowCacheSize: config.workflowCacheSize,
      // Each version's bundle is kept so runs pinned to an older version finish on it after an upgrade.
      bundleDir: path.join(config.dataDir, 'bundles'),
      setCurrent: config.temporal.setCurrentVersion,
      kubeconfig,
      services: config.services,
      guardrails: toGuardrailConfig(config.guardrails),
      escalation: escalation.config,
      notifiers: escalation.notifiers,
      linkSecret: config.linkSecret,
      slack: config.slack,
      // Configured tokens say who may approve; with none yet (the first-run admin) nobody is paged links.
      approvers: config.tokens.filter((t) => grants(t.roles, 'approver')).map((t) => t.identity),
    });
    const running = worker.run();
    stops.unshift(async () => {
      worker.shutdown();
      await running;
      await nativeConnection.close();
    });
    logger.info({ namespace, taskQueue }, 'worker polling');
    if (only === 'worker' && config.workerMetricsPort !== undefined) {
      // A worker alone has no API to serve its counters (pages, runbook steps, approvals): its own /metrics.
      const metrics = createServer((req, res) => {
        if (req.url !== '/metrics') return void res.writeHead(404).end();
        void Promise.all([register.metrics(), runtimeMetrics!()]).then(([ours, core]) =>
          res.writeHead(200, { 'content-type': register.contentType }).end(ours + core),
        );
      }).listen(config.workerMetricsPort);
      stops.unshift(() => new Promise((r) => metrics.close(r)));
      logger.info(
        { port: config.workerMetricsPort },
        `worker metrics on http://localhost:${config.workerMetricsPort}/metrics`,
      );
    }
  }

  if (only !== 'worker') {
    const tokens = [...config.tokens];
    if (tokens.length === 0) {
      const boot = bootstrapAdminToken(config.dataDir);
      tokens.push(boot.entry);
      if (boot.newToken) printFirstToken(boot.newToken, config.port, boot.file);
      else
        logger.info(
          { file: boot.file },
          'no tokens configured: using the admin token generated on first start (delete the file to make a new one)',
        );
    }
    const app = createApp({
      client,
      namespace,
      taskQueue,
      runbookDirs: config.runbookDirs,
      tokens: new TokenStore(tokens),
      alerts: config.alerts,
      linkSecret: config.linkSecret,
      slack: config.slack,
      escalation: escalation.config,
      temporalUiUrl: escalation.config.temporal_ui_url,
      logger,
      runtimeMetrics,
      services: config.services.entries,
      edgeLimits: config.edgeLimits,
    });
    const server: Server = await new Promise((resolve, reject) => {
      const s = (
        config.host
          ? app.listen(config.port, config.host, () => resolve(s))
          : app.listen(config.port, () => resolve(s))
      ).once('error', reject);
    });
    stops.unshift(() => new Promise((r) => server.close(r)));
    logger.info(
      { url: `http://localhost:${config.port}`, data: config.dataDir },
      `Console and API on http://localhost:${config.port}`,
    );
    if (config.slack?.signing_secret)
      logger.info(
        { users: Object.keys(config.slack.users).length, channels: !!config.slack.incident_channels },
        `Slack: slash command at ${config.publicUrl}/api/v1/slack/commands, buttons at ${config.publicUrl}/api/v1/slack/interactions`,
      );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    for (const s of stops) await s().catch((err) => logger.warn({ err }, 'while stopping'));
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  devServer?.process.once('exit', (code) => {
    if (!stopping) {
      logger.fatal({ code }, 'the Temporal dev server exited; see data/temporal.log');
      void stop('temporal-exit');
    }
  });
}

/** A kubeconfig from the config file, KUBECONFIG, ~/.kube/config or the in-cluster account; none → undefined. */
function loadKubeconfig(file?: string): KubeConfig | undefined {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else if (
    process.env.KUBECONFIG ||
    existsSync(path.join(os.homedir(), '.kube/config')) ||
    process.env.KUBERNETES_SERVICE_HOST
  )
    kc.loadFromDefault();
  else return undefined;
  return kc;
}

function printFirstToken(token: string, port: number, file: string) {
  const lines = [
    '',
    'No API tokens configured, so an admin token was generated. It is shown only this once:',
    '',
    `    ${token}`,
    '',
    `Sign in to the console at http://localhost:${port}/ with it, or try the API:`,
    `    curl -H "Authorization: Bearer ${token}" http://localhost:${port}/api/v1/incidents`,
    '',
    `Only its hash is kept (${file}); delete that file and restart to get a new one.`,
    'Configure your own tokens with TOURNIQUET_TOKENS=token:identity:role+role,… (see README).',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${err.message}\n`);
  } else {
    process.stderr.write(`Tourniquet failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  }
  process.exit(1);
});
