/**
 * `npm start` after a crash: kill -9 leaves the embedded Temporal server running (it was a
 * child of the killed process); the next start stops it through its pid file, comes up on
 * the same ports and data, and the incidents are there.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canListen } from '../worker/dev-server';
import { eventually } from './support/engine';

const TOKEN = 'crash-test-token-0123456789';
const root = path.resolve(__dirname, '..');

/** A free port in 20000–29999 (outside Linux's ephemeral range, 32768–60999). */
async function listenablePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (await canListen(port)) return port;
  }
}

async function start(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/start.ts')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited: ${output.slice(-2000)}`);
      return /Console and API on/.test(output);
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  );
  return child;
}

it('kill -9 of npm start, then npm start: it comes up and the incidents are there', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-crash-'));
  // Below the ephemeral range: no client socket elsewhere takes these ports between the two starts.
  const [port, temporalPort, uiPort] = [
    await listenablePort(),
    await listenablePort(),
    await listenablePort(),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TOURNIQUET_DATA_DIR: dataDir,
    PORT: String(port),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    TOURNIQUET_TOKENS: `${TOKEN}:crash:admin`,
    TOURNIQUET_TASK_QUEUE: 'crash-test',
    LOG_LEVEL: 'info',
  };
  delete env.TEMPORAL_ADDRESS;
  delete env.KUBECONFIG;
  const api = (method: string, p: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${port}${p}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const first = await start(env);
  const declared = await api('POST', '/api/v1/incidents', {
    title: 'before the crash',
    description: 'd',
    severity: 'SEV3',
    affected_services: ['crash'],
  });
  expect(declared.status).toBe(201);
  const { id } = (await declared.json()) as { id: string };
  const orphan = Number(readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'));
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  expect(() => process.kill(orphan, 0)).not.toThrow(); // the server outlived its parent

  const second = await start(env);
  try {
    const read = await eventually(async () => {
      const r = await api('GET', `/api/v1/incidents/${id}`);
      return r.status === 200 && ((await r.json()) as { title: string });
    });
    expect(read.title).toBe('before the crash');
    expect(() => process.kill(orphan, 0)).toThrow(); // stopped by the second start
  } finally {
    second.kill('SIGINT');
    await new Promise((r) => second.once('exit', r));
  }
}, 240_000);
