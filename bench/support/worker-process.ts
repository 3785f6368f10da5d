/**
 * A worker in its own process: the benchmarks measure its memory alone, and tests kill it
 * with SIGKILL mid-incident. BENCH_TEMPORAL, BENCH_TASK_QUEUE, BENCH_NAMESPACE (default
 * "default"), BENCH_KUBECONFIG, BENCH_ESCALATION and BENCH_SERVICES (the config's escalation and services
 * sections as JSON), BENCH_BUNDLE (a prebuilt workflow bundle), all optional.
 * WORKER_CRASH_AT=<activity>:<before|during|after>[:<nth call>] makes it kill itself with
 * SIGKILL at that activity boundary (writing WORKER_CRASH_MARK first, so a test knows).
 */
import { Client, Connection } from '@temporalio/client';
import { writeFileSync } from 'node:fs';
import {
  type ActivityInterceptorsFactory,
  DefaultLogger,
  NativeConnection,
  Runtime,
} from '@temporalio/worker';
import pino from 'pino';
import { KubeConfig } from '@kubernetes/client-node';
import { createWorker } from '../../worker';
import { EscalationConfigSchema, toEscalationConfig } from '../../config';
import { ServicesConfigSchema } from '../../config/schema';
import { toServiceCatalogue } from '../../config/services';

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const address = process.env.BENCH_TEMPORAL!;
  const taskQueue = process.env.BENCH_TASK_QUEUE!;
  const namespace = process.env.BENCH_NAMESPACE ?? 'default';
  const connection = await NativeConnection.connect({ address });
  const client = new Client({ connection: await Connection.connect({ address }), namespace });
  let kubeconfig: KubeConfig | undefined;
  if (process.env.BENCH_KUBECONFIG) {
    kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(process.env.BENCH_KUBECONFIG);
  }
  const escalation = toEscalationConfig(
    EscalationConfigSchema.parse(JSON.parse(process.env.BENCH_ESCALATION ?? '{}')),
    'http://127.0.0.1:3000',
  );
  const worker = await createWorker({
    connection,
    client,
    namespace,
    taskQueue,
    logger: pino({ level: 'warn' }),
    kubeconfig,
    escalation: escalation.config,
    notifiers: escalation.notifiers,
    services: toServiceCatalogue(ServicesConfigSchema.parse(JSON.parse(process.env.BENCH_SERVICES ?? '{}'))),
    ...(process.env.BENCH_BUNDLE ? { workflowBundle: { codePath: process.env.BENCH_BUNDLE } } : {}),
    ...(process.env.WORKER_CRASH_AT
      ? { interceptors: { activity: [crashAt(process.env.WORKER_CRASH_AT)] } }
      : {}),
  });
  process.on('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  process.stdout.write('worker ready\n');
  await running;
  process.exit(0);
}
/** Kills this process at one activity boundary: before it runs, while it runs, or after it ran but before its completion is sent. */
function crashAt(spec: string): ActivityInterceptorsFactory {
  const [activity, phase, nth = '1'] = spec.split(':');
  let calls = 0;
  const die = () => {
    writeFileSync(process.env.WORKER_CRASH_MARK ?? '/dev/null', spec);
    process.kill(process.pid, 'SIGKILL');
  };
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        if (ctx.info.activityType !== activity || ++calls !== Number(nth)) return next(input);
        if (phase === 'before') die();
        if (phase === 'during') setTimeout(die, 300);
        const result = await next(input);
        if (phase === 'after') die();
        return result;
      },
    },
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
