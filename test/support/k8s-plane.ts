/**
 * A real Kubernetes control plane on loopback, built from source by scripts/ensure-k8s.sh:
 * etcd, kube-apiserver, kube-controller-manager, kube-scheduler, and kwok as simulated
 * nodes and kubelets (pods get scheduled and become Ready without containers).
 * Used by the test suite (one plane per run) and by `npm run k8s:up`.
 */
import { ensureBuilt } from '../../worker/dev-server';
import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { freePort, tail } from '../../worker/dev-server';

export interface K8sPlane {
  server: string;
  token: string;
  kubeconfig: string;
  dir: string;
  stop(): Promise<void>;
}

/** Finds or builds the pinned Kubernetes control plane and kwok; returns their bin folder. */
export const ensureK8sBinaries = () => ensureBuilt('ensure-k8s.sh');

interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
}

export async function startK8sPlane(
  opts: { nodes?: number; log?: (msg: string) => void } = {},
): Promise<K8sPlane> {
  const say = opts.log ?? (() => undefined);
  const bin = ensureK8sBinaries();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-k8s-'));
  const procs: Proc[] = [];
  const start = (name: string, args: string[]) => {
    const log = path.join(dir, `${name}.log`);
    const out = createWriteStream(log);
    const child = spawn(path.join(bin, name), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    procs.push({ name, child, log });
    return child;
  };
  const killAll = () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const failed = (what: string) => {
    const logs = procs
      .map(
        (p) =>
          `--- ${p.name} (${p.child.exitCode === null ? 'running' : `exited ${p.child.exitCode}`}):\n${tail(p.log)}`,
      )
      .join('\n');
    killAll();
    return new Error(`Kubernetes test plane: ${what}\n${logs}`);
  };

  try {
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const token = randomBytes(24).toString('hex');
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(
      path.join(dir, 'tokens.csv'),
      `${token},tourniquet-admin,tourniquet-admin,system:masters\n`,
    );

    say('starting etcd');
    start('etcd', [
      '--name',
      'default',
      '--data-dir',
      path.join(dir, 'etcd'),
      '--listen-client-urls',
      `http://127.0.0.1:${etcdClient}`,
      '--advertise-client-urls',
      `http://127.0.0.1:${etcdClient}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${etcdPeer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster',
      `default=http://127.0.0.1:${etcdPeer}`,
      '--log-level',
      'warn',
    ]);
    await waitFor(() => get(`http://127.0.0.1:${etcdClient}/health`), 20_000).catch(() => {
      throw failed('etcd did not become healthy');
    });

    say('starting kube-apiserver');
    const server = `https://127.0.0.1:${apiPort}`;
    start('kube-apiserver', [
      '--etcd-servers',
      `http://127.0.0.1:${etcdClient}`,
      '--bind-address',
      '127.0.0.1',
      '--secure-port',
      String(apiPort),
      '--cert-dir',
      path.join(dir, 'certs'),
      '--token-auth-file',
      path.join(dir, 'tokens.csv'),
      '--service-account-issuer',
      'https://kubernetes.default.svc',
      '--service-account-key-file',
      path.join(dir, 'sa.pub'),
      '--service-account-signing-key-file',
      path.join(dir, 'sa.key'),
      '--authorization-mode',
      'RBAC',
      '--service-cluster-ip-range',
      '10.0.0.0/24',
    ]);
    await waitFor(() => get(`${server}/readyz`, token), 60_000).catch(() => {
      throw failed('kube-apiserver /readyz did not answer ok');
    });

    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml(server, token));
    const kc = ['--kubeconfig', kubeconfig];
    say('starting kube-controller-manager, kube-scheduler and kwok');
    start('kube-controller-manager', [
      ...kc,
      '--authentication-kubeconfig',
      kubeconfig,
      '--authorization-kubeconfig',
      kubeconfig,
      '--bind-address',
      '127.0.0.1',
      '--secure-port',
      '0',
      '--leader-elect=false',
      '--service-account-private-key-file',
      path.join(dir, 'sa.key'),
      '--use-service-account-credentials=false',
      // 1.37 controller names end in -controller; node-lifecycle lifts the not-ready taint from new nodes.
      '--controllers',
      [
        'deployment-controller',
        'replicaset-controller',
        'endpointslice-controller',
        'endpoints-controller',
        'namespace-controller',
        'garbage-collector-controller',
        'serviceaccount-controller',
        'serviceaccount-token-controller',
        'node-lifecycle-controller',
      ].join(','),
    ]);
    start('kube-scheduler', [
      ...kc,
      '--authentication-kubeconfig',
      kubeconfig,
      '--authorization-kubeconfig',
      kubeconfig,
      '--bind-address',
      '127.0.0.1',
      '--secure-port',
      '0',
      '--leader-elect=false',
    ]);
    start('kwok', [
      ...kc,
      '--config',
      path.join(bin, 'kwok-stages.yaml'),
      '--manage-all-nodes=true',
      '--server-address',
      '127.0.0.1:0',
    ]);

    for (let i = 0; i < (opts.nodes ?? 2); i++) {
      await request('POST', `${server}/api/v1/nodes`, token, fakeNode(`kwok-node-${i}`));
    }
    await waitFor(async () => {
      const nodes = JSON.parse(await get(`${server}/api/v1/nodes`, token));
      return nodes.items.every(
        (n: any) =>
          n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') &&
          !(n.spec.taints ?? []).length,
      );
    }, 60_000).catch(() => {
      throw failed('kwok nodes did not become Ready and untainted');
    });
    for (const p of procs) if (p.child.exitCode !== null) throw failed(`${p.name} exited`);
    say(`ready: ${server}`);

    return {
      server,
      token,
      kubeconfig,
      dir,
      async stop() {
        process.off('exit', killAll);
        for (const p of [...procs].reverse()) {
          if (p.child.exitCode !== null) continue;
          const exited = new Promise((r) => p.child.once('exit', r));
          p.child.kill('SIGTERM');
          const timer = setTimeout(() => p.child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    killAll();
    throw err;
  }
}

function kubeconfigYaml(server: string, token: string): string {
  // The API server's certificate is self-signed for this run only, hence skip-verify.
  return `apiVersion: v1
kind: Config
clusters:
- name: tourniquet-test
  cluster: {server: "${server}", insecure-skip-tls-verify: true}
users:
- name: tourniquet-admin
  user: {token: "${token}"}
contexts:
- name: tourniquet-test
  context: {cluster: tourniquet-test, user: tourniquet-admin, namespace: default}
current-context: tourniquet-test
`;
}

function fakeNode(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake' },
      labels: { type: 'kwok', 'kubernetes.io/hostname': name },
    },
    spec: {},
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
    },
  };
}

function request(method: string, url: string, token?: string, body?: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https') ? https : http).request(
      url,
      {
        method,
        rejectUnauthorized: false,
        timeout: 5000,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res: any) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () =>
          res.statusCode < 300
            ? resolve(data)
            : reject(new Error(`${method} ${url}: ${res.statusCode} ${data}`)),
        );
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body ? JSON.stringify(body) : undefined);
  });
}
const get = (url: string, token?: string) => request('GET', url, token);

async function waitFor(check: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err as Error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw last ?? new Error('timed out');
}
