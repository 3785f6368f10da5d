import pino, { Logger } from 'pino';
import { currentTraceId } from '../common/tracing';

/** pino JSON logs; pretty when a human is watching a terminal. */
export function createLogger(level: string = 'info'): Logger {
  const pretty = process.stdout.isTTY && !process.env.CI;
  return pino({
    level,
    // The trace id on every line logged inside a traced request or Temporal task.
    mixin: () => {
      const traceId = currentTraceId();
      return traceId ? { trace_id: traceId } : {};
    },
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' },
          },
        }
      : {}),
  });
}
