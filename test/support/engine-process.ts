/**
 * The engine as an operator runs it on a cluster: `npm start -- --only=worker` and
 * `--only=api` as separate processes, configured only by environment and a config file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, tail } from '../../worker/dev-server';
import { eventually } from './engine';

const ROOT = path.resolve(__dirname, '../..');

export interface EngineProcess {
  name: string;
  child: ChildProcess;
  /** The API's base URL (API replicas only). */
  url?: string;
  log: string;
  exited: Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** `all`: worker and API in one process (npm start) against TEMPORAL_ADDRESS. */
export async function startProcess(
  role: 'worker' | 'api' | 'all',
  name: string,
  env: Record<string, string>,
): Promise<EngineProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `tourniquet-${name}-`));
  const port = role === 'worker' ? undefined : await freePort();
  const log = path.join(dir, 'out.log');
  const out = createWriteStream(log);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'scripts/start.ts'), ...(role === 'all' ? [] : [`--only=${role}`])],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...env,
        TOURNIQUET_DATA_DIR: path.join(dir, 'data'),
        ...(port ? { PORT: String(port), HOST: '127.0.0.1' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const p: EngineProcess = {
    name,
    child,
    log,
    exited,
    url: port ? `http://127.0.0.1:${port}` : undefined,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  process.once('exit', () => child.kill('SIGKILL'));
  const ready = eventually(
    async () =>
      p.url
        ? (await fetch(`${p.url}/readyz`).catch(() => undefined))?.ok
        : tail(log, 200).includes('worker polling'),
    { timeoutMs: 120_000, intervalMs: 300 },
  );
  ready.catch(() => undefined);
  await Promise.race([
    ready,
    exited.then(() => {
      throw new Error('it exited');
    }),
  ]).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${name} did not become ready (${err.message}):\n${tail(log)}`);
  });
  return p;
}
