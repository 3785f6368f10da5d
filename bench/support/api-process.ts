/**
 * The API in its own process, as deployed: the load generators' HTTP clients in the bench
 * process do not share its event loop. BENCH_TEMPORAL, BENCH_TASK_QUEUE and BENCH_SERVICES
 * (the config's services section as JSON); prints `api ready <url>`.
 */
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createApp } from '../../api/app';
import { TokenStore } from '../../api/auth';
import type { AlertsConfig } from '../../config';
import { ServicesConfigSchema } from '../../config/schema';
import { toServiceCatalogue } from '../../config/services';
import { BENCH_AM_SECRET, BENCH_APPROVER_TOKEN, BENCH_TOKEN } from './tokens';

async function main() {
  const connection = await Connection.connect({ address: process.env.BENCH_TEMPORAL! });
  const alerts: AlertsConfig = {
    alertmanager: { token: BENCH_AM_SECRET },
    routes: [],
    auto_resolve: ['SEV3', 'SEV4'],
  };
  const app = createApp({
    client: new Client({ connection, namespace: 'default' }),
    namespace: 'default',
    taskQueue: process.env.BENCH_TASK_QUEUE!,
    tokens: new TokenStore([
      { token: BENCH_TOKEN, identity: 'bench', roles: ['admin'] },
      { token: BENCH_APPROVER_TOKEN, identity: 'bench-approver', roles: ['approver'] },
    ]),
    alerts,
    logger: pino({ level: 'warn' }),
    services: toServiceCatalogue(ServicesConfigSchema.parse(JSON.parse(process.env.BENCH_SERVICES ?? '{}')))
      .entries,
    // The load generators are one caller at one address: measure the engine, not the limiter.
    edgeLimits: { perMinute: 10_000_000, failedAuthPerMinute: 10_000_000 },
  });
  const http = app.listen(0, '127.0.0.1', () => {
    process.stdout.write(`api ready http://127.0.0.1:${(http.address() as AddressInfo).port}\n`);
  });
  process.on('SIGTERM', () => http.close(() => process.exit(0)));
}

void main();
