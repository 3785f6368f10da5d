/**
 * Runs the Temporal CLI's dev server as a child process: the embedded default for
 * `npm start`, and the one shared server of a test run.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';

export interface DevServerOptions {
  port: number;
  /** Web UI port; omit for a headless server. */
  uiPort?: number;
  /** SQLite file so incidents survive restarts; omit for an in-memory server. */
  dbFile?: string;
  namespaces?: string[];
  logFile: string;
  /**
   * Where the server's pid is kept while it runs. A server left behind by a killed run
   * (kill -9 or an OOM kill leave no chance to stop it) is found there and stopped first.
   */
  pidFile?: string;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, '..');

/** Runs one of scripts/ensure-*.sh (it finds or builds a pinned binary, progress on stderr) and returns the path it prints. */
export function ensureBuilt(script: string): string {
  return execFileSync('bash', [path.join(root, 'scripts', script)], { stdio: ['ignore', 'pipe', 'inherit'] })
    .toString()
    .trim();
}

/** Finds or builds the pinned Temporal CLI. */
export const ensureTemporalCli = () => ensureBuilt('ensure-temporal.sh');

/** Whether a TCP server can listen on `port` on loopback right now. */
export function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The dev server has one history shard, and each shard reads its internal task queues at most
 * 20 times a second by default: every hop between workflows (a child started, a signal
 * between workflows, a task handed to a worker, a timer fired) then waits up to 50 ms for the
 * next read. A production cluster spreads its workflows over hundreds of shards; one shard
 * (or the test cluster's four) needs a higher cap (#18: alert → first step p50 153 → 69 ms one alert at a time).
 */
export const SHARD_QUEUE_READS: Readonly<Record<string, number>> = Object.fromEntries(
  ['transfer', 'timer', 'visibility'].map((queue) => [`history.${queue}ProcessorMaxPollRPS`, 1000]),
);

export async function startDevServer(cli: string, o: DevServerOptions): Promise<DevServer> {
  if (o.pidFile) await stopOrphan(o.pidFile);
  for (const port of [o.port, o.uiPort]) if (port) await portFree(port, o.pidFile ? 5_000 : 0);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--log-level', 'warn'];
  if (o.uiPort) args.push('--ui-port', String(o.uiPort));
  else args.push('--headless');
  // WAL doubles throughput without giving up durability on a process crash (shared VERIFIED.md).
  if (o.dbFile) args.push('--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=wal');
  for (const ns of o.namespaces ?? []) args.push('--namespace', ns);
  // An activity scheduled by a workflow task goes straight back to the worker that completed
  // it (no task-queue round trip): a runbook's first step, an approved action (#18).
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
  for (const [key, value] of Object.entries(SHARD_QUEUE_READS))
    args.push('--dynamic-config-value', `${key}=${value}`);

  const log = createWriteStream(o.logFile, { flags: 'a' });
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (o.pidFile && child.pid) writeFileSync(o.pidFile, String(child.pid));
  // Never leave a server behind if this process dies without a clean stop.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const address = `127.0.0.1:${o.port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('running'), 250))]);
    if (early !== 'running')
      throw new Error(
        `Temporal dev server exited (code ${String(early)}); last log lines:\n${tail(o.logFile)}`,
      );
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(
          `Temporal dev server did not answer on ${address} within 30 s; last log lines:\n${tail(o.logFile)}`,
        );
      }
    }
  }

  return {
    address,
    uiUrl: o.uiPort ? `http://127.0.0.1:${o.uiPort}` : undefined,
    process: child,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (o.pidFile) rmSync(o.pidFile, { force: true });
      log.end();
    },
  };
}

/** The last lines of a log file, for error messages that say why a process did not start. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Stops a dev server a killed run left behind (its pid file names it; any other process is left alone). */
async function stopOrphan(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return; // no pid file: the last run stopped cleanly
  }
  const alive = () => {
    try {
      return /start-dev/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      return false;
    }
  };
  if (pid > 0 && alive()) {
    process.stderr.write(`Stopping the Temporal dev server a previous run left behind (pid ${pid})\n`);
    process.kill(pid, 'SIGTERM');
    for (let waited = 0; alive() && waited < 10_000; waited += 200)
      await new Promise((r) => setTimeout(r, 200));
    if (alive()) process.kill(pid, 'SIGKILL');
    for (let waited = 0; alive() && waited < 5_000; waited += 200)
      await new Promise((r) => setTimeout(r, 200));
  }
  rmSync(pidFile, { force: true });
}

/**
 * Fails with one line naming the port and who holds it, rather than a server log later.
 * `graceMs`: how long a port may take to come free (a server just stopped).
 */
async function portFree(port: number, graceMs: number): Promise<void> {
  for (let waited = 0; ; waited += 200) {
    if (await canListen(port)) return;
    if (waited >= graceMs) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  let holder = 'another process';
  try {
    const line = execFileSync('ss', ['-ltnpH', `sport = :${port}`])
      .toString()
      .trim();
    const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
    if (m) holder = `${m[1]} (pid ${m[2]})`;
  } catch {
    // ss is missing or not allowed: say less
  }
  throw new Error(
    `port ${port} is in use by ${holder}: stop it, or choose other ports (TEMPORAL_PORT, TEMPORAL_UI_PORT)`,
  );
}
