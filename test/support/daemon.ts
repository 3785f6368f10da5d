/** A Debian server binary on loopback for tests: its output logged in its directory, ready when its /-/ready answers. */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { eventually } from './engine';

/** Starts `binary` (named `what` in errors) serving `url`; returns how to stop it (its directory removed). */
export async function startDaemon(o: {
  what: string;
  binary: string;
  args: string[];
  dir: string;
  url: string;
  timeoutMs: number;
}): Promise<() => Promise<void>> {
  const log = path.join(o.dir, `${path.basename(o.binary)}.log`);
  const out = createWriteStream(log);
  const child: ChildProcess = spawn(o.binary, o.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  await eventually(async () => (await fetch(`${o.url}/-/ready`)).ok, { timeoutMs: o.timeoutMs }).catch(() => {
    child.kill('SIGKILL');
    throw new Error(
      `${o.what} did not become ready (is ${o.binary} installed? scripts/install-system-deps.sh):\n${readFileSync(log, 'utf8').slice(-2000)}`,
    );
  });
  return async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(o.dir, { recursive: true, force: true });
  };
}
