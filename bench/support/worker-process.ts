/**
 * A worker in its own process: the benchmarks measure its memory alone, and a test kills
 * it with SIGKILL mid-incident. BENCH_TEMPORAL, BENCH_TASK_QUEUE, BENCH_NAMESPACE (default
 * "default"), BENCH_KUBECONFIG, BENCH_ESCALATION and BENCH_SERVICES (the config's escalation and services
 * sections as JSON), all optional.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
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
  });
  process.on('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  process.stdout.write('worker ready\n');
  await running;
  process.exit(0);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
