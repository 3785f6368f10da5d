/** A real Prometheus (Debian's package) on loopback, scraping the given targets every second. */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../worker/dev-server';
import { eventually } from './engine';

const BINARY = '/usr/bin/prometheus';

export interface Prometheus {
  url: string;
  stop(): Promise<void>;
}

export async function startPrometheus(jobs: Record<string, string>): Promise<Prometheus> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-prom-'));
  const port = await freePort();
  const scrape = Object.entries(jobs)
    .map(
      ([job, target]) =>
        `  - job_name: ${JSON.stringify(job)}\n    static_configs: [{ targets: [${JSON.stringify(target)}] }]`,
    )
    .join('\n');
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\nscrape_configs:\n${scrape}\n`,
  );
  const log = path.join(dir, 'prometheus.log');
  const out = createWriteStream(log);
  const child: ChildProcess = spawn(
    BINARY,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/-/ready`)).ok, { timeoutMs: 20_000 }).catch(() => {
    child.kill('SIGKILL');
    throw new Error(
      `Prometheus did not become ready (is ${BINARY} installed? scripts/install-system-deps.sh):\n${readFileSync(log, 'utf8').slice(-2000)}`,
    );
  });
  return {
    url,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
