/**
 * One Temporal dev server for the whole test run (in memory, free ports), one namespace
 * per Jest worker so files running in parallel never share incident ids, and one
 * workflow bundle built once for every worker the tests start; plus one Kubernetes
 * control plane (test/support/k8s-plane.ts) shared by the suite, a namespace per test.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { ensureTemporalCli, freePort, startDevServer } from '../../worker/dev-server';
import { ensureSearchAttributes } from '../../worker/search-attributes';
import { bundleWorkflows } from '../../worker/bundle';
import { startK8sPlane } from './k8s-plane';

export const TEST_NAMESPACES = [
  'test-1',
  'test-2',
  'test-3',
  'test-4',
  'test-5',
  'test-6',
  'test-7',
  'test-8',
  'test-9',
  'test-10',
  'test-11',
  'test-12',
];

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-test-'));
  const cli = ensureTemporalCli();
  // The Kubernetes plane comes up alongside Temporal (it takes ~10 s, mostly kube-apiserver).
  const plane = startK8sPlane({ log: (m) => process.stderr.write(`[k8s] ${m}\n`) });
  const server = await startDevServer(cli, {
    port: await freePort(),
    namespaces: TEST_NAMESPACES,
    logFile: path.join(dir, 'temporal.log'),
  });
  (globalThis as any).__temporal = server;
  const k8s = await plane;
  (globalThis as any).__k8s = k8s;
  process.env.TOURNIQUET_TEST_KUBECONFIG = k8s.kubeconfig;

  const connection = await Connection.connect({ address: server.address });
  for (const ns of TEST_NAMESPACES) await ensureSearchAttributes(connection, ns);
  await connection.close();

  const { code } = await bundleWorkflows();
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  mkdirSync(path.resolve(__dirname, '../../test-artifacts'), { recursive: true });

  process.env.TOURNIQUET_TEST_TEMPORAL = server.address;
  process.env.TOURNIQUET_TEST_BUNDLE = bundlePath;
  process.env.TOURNIQUET_TEST_DIR = dir;
}
