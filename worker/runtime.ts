/**
 * The process-wide Temporal runtime of a worker: the SDK's logs to pino (and to the
 * failing-task watch), and Core's own metrics — workflow task failures, schedule-to-start
 * latency, slots, polls — on a loopback Prometheus endpoint that /metrics appends.
 */
import { createServer } from 'node:net';
import { DefaultLogger, Runtime, makeTelemetryFilterString, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';
import { observeSdkLog } from './task-failures';

/** Installs the runtime; returns a reader of Core's metrics in Prometheus text. */
export async function installRuntime(
  logger: Logger,
  level: LogLevel = 'WARN',
): Promise<() => Promise<string>> {
  const port = await freeLoopbackPort();
  const sdkLog = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      observeSdkLog(entry);
      const { level: l, message, meta } = entry;
      // The id-sequence worker has no activities by design; its start-up warning is noise.
      if (message.startsWith('No activities registered') && String(meta?.taskQueue).endsWith('-ids')) return;
      sdkLog[l === 'ERROR' ? 'error' : l === 'WARN' ? 'warn' : 'debug'](meta ?? {}, message);
    }),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: level }), forward: {} },
      metrics: {
        prometheus: {
          bindAddress: `127.0.0.1:${port}`,
          countersTotalSuffix: true,
          unitSuffix: true,
          useSecondsForDurations: true,
        },
      },
    },
  });
  // A scrape still answers with everything else if Core's endpoint does not.
  return () =>
    fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) })
      .then((res) => (res.ok ? res.text() : ''))
      .catch(() => '');
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}
