/** A real Prometheus (Debian's package) on loopback, scraping the given targets every second. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../worker/dev-server';
import { startDaemon } from './daemon';

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
  const url = `http://127.0.0.1:${port}`;
  const stop = await startDaemon({
    what: 'Prometheus',
    binary: BINARY,
    args: [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    dir,
    url,
    timeoutMs: 20_000,
  });
  return { url, stop };
}
