/**
 * An app on loopback with a real node-postgres Pool, for connection-pool-exhaustion. Its
 * "pods" follow its Deployment on the Kubernetes plane: each ready replica adds `perPod`
 * connections to the pool, and a restart (the pod template's restart stamp) replaces the
 * pool — connections a bug leaked die with the old pods. It serves its pool's counters at
 * /pool, work at /work?ms=N (a query that takes N ms) and the bug at POST /leak.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type PoolClient } from 'pg';
import type { Kube } from './kube';

export interface PoolApp {
  poolUrl: string;
  url: string;
  /** Pools replaced so far (restarts seen). */
  restarts(): number;
  close(): Promise<void>;
}

export async function startPoolApp(o: {
  kube: Kube;
  namespace: string;
  deployment: string;
  postgres: string;
  application: string;
  perPod: number;
}): Promise<PoolApp> {
  const newPool = (replicas: number) =>
    new Pool({ connectionString: o.postgres, application_name: o.application, max: o.perPod * replicas });
  let replicas = 1;
  let pool = newPool(replicas);
  let leaked: PoolClient[] = [];
  let stamp: string | undefined = 'unread';
  let restarts = 0;
  const tick = async () => {
    try {
      const d = await o.kube.apps.readNamespacedDeployment({ namespace: o.namespace, name: o.deployment });
      const ready = Math.max(1, d.status?.availableReplicas ?? 1);
      const now = d.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
      if (stamp !== 'unread' && now !== stamp) {
        // New pods: a new pool; the old pods' connections (the leaked ones too) close.
        const old = pool;
        pool = newPool(ready);
        leaked.forEach((c) => c.release(true));
        leaked = [];
        void old.end();
        restarts++;
      } else if (ready !== replicas) pool.options.max = o.perPod * ready;
      stamp = now;
      replicas = ready;
    } catch {
      // the API server is busy: the next tick reads again
    }
  };
  await tick();
  const watch = setInterval(() => void tick(), 200);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://app');
    if (url.pathname === '/pool') {
      const counters = {
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
        max: pool.options.max,
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counters));
      return;
    }
    if (url.pathname === '/leak') {
      leaked.push(await pool.connect()); // the bug: checked out, used once, never released
      await leaked.at(-1)!.query('select 1');
      res.writeHead(204).end();
      return;
    }
    const ms = Number(url.searchParams.get('ms') ?? 0);
    await pool.query('select pg_sleep($1)', [ms / 1000]).then(
      () => res.writeHead(200).end('done'),
      (err: Error) => res.writeHead(503).end(err.message),
    );
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    poolUrl: `${url}/pool`,
    restarts: () => restarts,
    close: async () => {
      clearInterval(watch);
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      leaked.forEach((c) => c.release(true));
      await pool.end();
    },
  };
}
