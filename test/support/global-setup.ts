/**
 * One Temporal dev server for the whole test run (in memory, free ports), one namespace
 * per Jest worker so files running in parallel never share incident ids, and one
 * workflow bundle built once for every worker the tests start.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalCli, freePort, startDevServer } from '../../worker/dev-server';
import { ensureSearchAttributes } from '../../worker/search-attributes';

export const TEST_NAMESPACES = ['test-1', 'test-2', 'test-3', 'test-4'];

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-test-'));
  const cli = ensureTemporalCli();
  const server = await startDevServer(cli, { port: await freePort(), namespaces: TEST_NAMESPACES, logFile: path.join(dir, 'temporal.log') });
  (globalThis as any).__temporal = server;

  const connection = await Connection.connect({ address: server.address });
  for (const ns of TEST_NAMESPACES) await ensureSearchAttributes(connection, ns);
  await connection.close();

  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  mkdirSync(path.resolve(__dirname, '../../test-artifacts'), { recursive: true });

  process.env.TOURNIQUET_TEST_TEMPORAL = server.address;
  process.env.TOURNIQUET_TEST_BUNDLE = bundlePath;
  process.env.TOURNIQUET_TEST_DIR = dir;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
