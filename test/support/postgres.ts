/**
 * A real PostgreSQL 15 (Debian's package) on loopback in a temp dir. initdb refuses to run
 * as root, and tests run as root in CI, so the server runs as the package's postgres user.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../worker/dev-server';

const BIN = '/usr/lib/postgresql/15/bin';

export interface Postgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * `preload`: server libraries (shared_preload_libraries), e.g. pg_stat_statements from Debian's contrib.
 * `replicaOf`: a streaming replica of that server (pg_basebackup -R), whose replay waits for
 * as long as a conflicting query runs (max_standby_streaming_delay=-1), as lagging replicas do.
 */
export async function startPostgres(
  o: { maxConnections?: number; preload?: string[]; replicaOf?: Postgres } = {},
): Promise<Postgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-pg-'));
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string) => {
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      chownSync(dir, uid, gid);
      execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', cmd], { stdio: 'pipe' });
    } else {
      execFileSync('/bin/sh', ['-c', cmd], { stdio: 'pipe' });
    }
  };
  const data = path.join(dir, 'data');
  try {
    const options = [
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=${o.maxConnections ?? 30}`,
      ...(o.preload ? [`-c shared_preload_libraries=${o.preload.join(',')}`] : []),
      ...(o.replicaOf ? ['-c max_standby_streaming_delay=-1'] : []),
    ].join(' ');
    if (o.replicaOf)
      run(
        `${BIN}/pg_basebackup -h 127.0.0.1 -p ${o.replicaOf.port} -U postgres -D ${data} -R -X stream -c fast >/dev/null`,
      );
    else run(`${BIN}/initdb -D ${data} -A trust -U postgres >/dev/null`);
    run(`${BIN}/pg_ctl -D ${data} -o "${options}" -l ${dir}/log -w start >/dev/null`);
  } catch (err: any) {
    throw new Error(
      `PostgreSQL did not start (is the postgresql package installed? scripts/install-system-deps.sh): ${err.stderr ?? err.message}`,
      { cause: err },
    );
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      run(`${BIN}/pg_ctl -D ${data} -m immediate stop >/dev/null`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
