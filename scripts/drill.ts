/**
 * `npm run drill -- NAME --param k=v … [--dry-run] [--yes] [--runbooks DIR] [--kubeconfig F] [--postgres URL]`
 * runs one runbook from the command line, as an incident would, and prints its steps live.
 * Targets: the Kubernetes cluster of --kubeconfig/KUBECONFIG, else the local test plane
 * (started for the drill); PostgreSQL at --postgres, else a local one. Approvals and decisions on
 * a failed step are asked in the terminal (--yes approves and retries nothing: it cancels).
 * It leaves a drill incident ("[drill] NAME", SEV4, no escalation: nobody is paged) with the
 * full timeline, resolved when the run ends, in the engine's Temporal (or the embedded one's data).
 */
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import { Incidents } from '../api/incidents';
import { loadRunbooks } from '../common/runbook-catalog';
import { EscalationConfigSchema, loadConfig, toEscalationConfig } from '../config';
import { ServicesConfigSchema } from '../config/schema';
import { toServiceCatalogue } from '../config/services';
import type { RunbookRunRecord, StepRecord } from '../domain/runbook';
import type { TargetKind } from '../domain/services';
import { createWorker } from '../worker';
import { installRuntime } from '../worker/runtime';
import { ensureTemporalCli, startDevServer } from '../worker/dev-server';
import { ensureSearchAttributes } from '../worker/search-attributes';
import { parseParams, type RunbookDefinition } from '../workflows/runbook-sdk';
import {
  approvalUpdate,
  incidentQuery,
  runbookQuery,
  runDecisionUpdate,
  startRunbookUpdate,
  transitionUpdate,
} from '../workflows/definitions';
import { clientInterceptors } from '../common/tracing';

const DRILL_ACTOR = 'drill';
/** Who decides approvals and failed steps in the terminal (not the drill, which requested them). */
const OPERATOR = process.env.USER || 'operator';
const stops: (() => Promise<unknown>)[] = [];
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      param: { type: 'string', multiple: true, default: [] },
      runbooks: { type: 'string', multiple: true, default: [] },
      'dry-run': { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      kubeconfig: { type: 'string' },
      postgres: { type: 'string' },
    },
  });
  const name = positionals[0];
  const config = loadConfig();
  const runbookDirs = [...config.runbookDirs, ...values.runbooks.map((d) => path.resolve(d))];
  const defs = new Map(loadRunbooks(runbookDirs).map((e) => [e.def.meta.name, e.def]));
  const def = name ? defs.get(name) : undefined;
  if (!def) fail(`usage: npm run drill -- NAME --param k=v …; runbooks: ${[...defs.keys()].join(', ')}`);
  const params = Object.fromEntries(
    values.param.map((p) => [p.split('=')[0], p.split('=').slice(1).join('=')]),
  );
  const parsed = parseParams(def.params, params);
  if ('problem' in parsed) fail(`${parsed.problem} (npm run drill -- ${name} --param name=value …)`);

  await installRuntime(pino({ level: 'warn' })); // the SDK's own logs: warnings only
  const { client, address, started } = await temporal(config);
  const targets = await drillTargets(def, params, values);
  // Beside a running engine, a queue (and deployment) of its own: never the engine's current
  // version. Alone on the embedded server, the engine's queue (its id sequence needs a worker).
  const taskQueue = started ? config.temporal.taskQueue : `${config.temporal.taskQueue}-drill`;
  const services = toServiceCatalogue(
    ServicesConfigSchema.parse({ [targets.service]: targets.entry }),
    targets.db,
  );
  const worker = await createWorker({
    connection: await NativeConnection.connect({ address }),
    client,
    namespace: config.temporal.namespace,
    taskQueue,
    logger: pino({ level: 'warn' }),
    runbookDirs,
    kubeconfig: targets.kubeconfig,
    services,
    ...noPages(config.publicUrl),
  });
  const running = worker.run();
  stops.unshift(async () => {
    worker.shutdown();
    await running;
  });
  await worker.ready();

  const incidents = new Incidents({ client, taskQueue, engineTaskQueue: config.temporal.taskQueue });
  const incident = await incidents.create(
    {
      title: `[drill] ${name}`,
      description: `Drill of runbook ${name} from the command line${values['dry-run'] ? ' (dry-run)' : ''}: nobody is paged.`,
      severity: 'SEV4',
      affected_services: [targets.service],
    },
    DRILL_ACTOR,
  );
  say(`drill incident ${incident.id} (service ${targets.service})`);
  const { run_id } = await client.workflow.getHandle(incident.id).executeUpdate(startRunbookUpdate, {
    args: [{ actor: DRILL_ACTOR, name: def.meta.name, params, dry_run: values['dry-run'] }],
  });
  const run = await follow(client, run_id, values.yes);
  await client.workflow.getHandle(incident.id).executeUpdate(transitionUpdate, {
    args: [{ actor: DRILL_ACTOR, to: 'resolved', root_cause: `drill of ${def.meta.name}: ${run.status}` }],
  });
  say(`${run.status}: ${run.outcome}`);
  const record = await client.workflow.getHandle(incident.id).query(incidentQuery);
  say(
    `incident ${incident.id} ${record.status} with ${record.timeline.length} timeline entries (GET /api/v1/incidents/${incident.id}, or the console)`,
  );
  process.exitCode = run.status === 'succeeded' ? 0 : 1;
}

/** No escalation policy: the drill incident pages nobody. */
function noPages(publicUrl: string) {
  const { config, notifiers } = toEscalationConfig(EscalationConfigSchema.parse({}), publicUrl);
  return { escalation: config, notifiers };
}

/** Prints each step as it changes; asks for approvals and decisions on failed steps. */
async function follow(client: Client, runId: string, yes: boolean): Promise<RunbookRunRecord> {
  const handle = client.workflow.getHandle(runId);
  const seen = new Map<string, string>();
  const asked = new Set<string>();
  const prompt = yes ? undefined : createInterface({ input: process.stdin, output: process.stdout });
  for (;;) {
    const run = await handle.query(runbookQuery);
    for (const s of run.steps) {
      const line = stepLine(s);
      if (seen.get(s.id) !== line) say(line);
      seen.set(s.id, line);
    }
    if (run.finished_at) {
      prompt?.close();
      return run;
    }
    for (const a of run.approvals.filter((x) => x.status === 'pending' && !asked.has(x.id))) {
      asked.add(a.id);
      const answer = yes
        ? 'y'
        : await prompt!.question(`approve "${a.what}" (${a.impact}; ${a.reason})? [y/N] `);
      const approve = answer.trim().toLowerCase().startsWith('y');
      await handle.executeUpdate(approvalUpdate, {
        args: [{ approvalId: a.id, approve, actor: OPERATOR, comment: 'drill' }],
      });
    }
    for (const s of run.steps.filter(
      (x) => x.decision === 'pending' && !asked.has(`${x.id}/${x.attempts}`),
    )) {
      asked.add(`${s.id}/${s.attempts}`);
      const answer = yes ? 'c' : await prompt!.question(`step ${s.id} failed: [r]etry, [s]kip or [c]ancel? `);
      const action = answer.startsWith('r') ? 'retry' : answer.startsWith('s') ? 'skip' : 'cancel';
      await handle.executeUpdate(runDecisionUpdate, {
        args: [{ action, stepId: s.id, actor: OPERATOR, reason: 'drill' }],
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

const stepLine = (s: StepRecord) =>
  `  ${s.status.padEnd(9)} ${s.id} (${s.impact}) ${s.title}${s.error ? ` — ${s.error}` : s.result ? ` — ${s.result}` : ''}`;

/** The engine's Temporal (a cluster, or `npm start`'s dev server when it answers), else the embedded one. */
async function temporal(config: ReturnType<typeof loadConfig>) {
  let address = config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
  let connection = await Connection.connect({ address, connectTimeout: '2s' }).catch(() => undefined);
  const started = !connection;
  if (!connection) {
    say('starting the embedded Temporal dev server (its data stays in the data directory)');
    mkdirSync(config.dataDir, { recursive: true });
    const server = await startDevServer(ensureTemporalCli(), {
      port: config.temporal.port,
      dbFile: path.join(config.dataDir, 'temporal.db'),
      logFile: path.join(config.dataDir, 'temporal.log'),
    });
    stops.push(() => server.stop());
    address = server.address;
    connection = await Connection.connect({ address });
  }
  const opened = connection;
  stops.unshift(() => opened.close());
  await ensureSearchAttributes(connection, config.temporal.namespace);
  return {
    client: new Client({
      connection,
      namespace: config.temporal.namespace,
      interceptors: clientInterceptors(),
    }),
    address,
    started,
  };
}

/** A catalogue entry allowing exactly the drill's targets, and where they live. */
async function drillTargets(
  def: RunbookDefinition,
  params: Record<string, string>,
  o: { kubeconfig?: string; postgres?: string },
) {
  const kinds = new Map<string, TargetKind>(Object.entries(def.meta.targets ?? {}));
  const valueOf = (kind: TargetKind) =>
    [...kinds]
      .filter(([, k]) => k === kind)
      .map(([p]) => params[p])
      .filter(Boolean);
  const service = valueOf('database')[0] ?? 'drill';
  const needsK8s = [...kinds.values()].some(
    (k) => k === 'namespace' || k === 'deployment' || k === 'k8s-service',
  );
  const entry = {
    owner: 'drill',
    ...(needsK8s
      ? {
          kubernetes: {
            namespace: valueOf('namespace')[0] ?? 'default',
            deployments: valueOf('deployment'),
            services: valueOf('k8s-service'),
          },
        }
      : {}),
    health_checks: valueOf('url'),
    ...(valueOf('prometheus').length ? { prometheus: valueOf('prometheus')[0] } : {}),
    runbooks: { [def.meta.name]: { automatic: false } },
  };
  return {
    service,
    entry,
    kubeconfig: needsK8s ? await kubeconfig(o.kubeconfig) : undefined,
    db: valueOf('database').length ? { [service]: await postgres(o.postgres) } : {},
  };
}

async function kubeconfig(file = process.env.KUBECONFIG): Promise<KubeConfig> {
  const kc = new KubeConfig();
  if (file) {
    kc.loadFromFile(file);
    return kc;
  }
  say('no --kubeconfig or KUBECONFIG: starting the local Kubernetes test plane (about 10 s)');
  const { startK8sPlane } = await import('../test/support/k8s-plane');
  const plane = await startK8sPlane({ log: (m) => say(`[k8s] ${m}`) });
  stops.push(() => plane.stop());
  kc.loadFromFile(plane.kubeconfig);
  return kc;
}

async function postgres(url?: string): Promise<string> {
  if (url) return url;
  say('no --postgres: starting a local PostgreSQL');
  const { startPostgres } = await import('../test/support/postgres');
  const pg = await startPostgres();
  stops.push(() => pg.stop());
  return pg.url;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** Stops what the drill started (worker, servers), then exits: the SDK's runtime would keep the process alive. */
async function finish(code?: number): Promise<never> {
  for (const stop of stops.splice(0)) await stop().catch(() => undefined);
  process.exit(code ?? process.exitCode);
}

// Ctrl-C: the drill stops its worker and servers; the incident and the run stay as they are.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    say(
      'stopping the drill: its incident and run stay in Temporal, unfinished (resolve the incident in the console)',
    );
    void finish(130);
  });

main()
  .catch((err: Error) => {
    console.error(`drill failed: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(() => finish());
