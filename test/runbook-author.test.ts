/**
 * A runbook author's path, outside this repository: scaffold, lint, type-check (a parameter
 * typo fails tsc), drill from the command line (dry-run, then for real) on the Kubernetes
 * plane, and run from an alert on an engine that loads the author's directory.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALERT_SECRETS, eventually } from './support/engine';
import { runReaches } from './support/incidents';
import { startKit, type RunbookKit } from './support/runbook-kit';

const ROOT = path.resolve(__dirname, '..');
const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tourniquet-author-')), 'checkout', 'runbooks');
const file = path.join(dir, 'restart-cache.ts');
let kit: RunbookKit;

beforeAll(async () => {
  const made = await run('runbook-new.ts', ['restart-cache', '--dir', dir]);
  expect(made.status).toBe(0);
  kit = await startKit({
    runbookDirs: [dir],
    deployments: ['web'],
    runbooks: { 'restart-cache': { automatic: true } },
    // Its own: it makes its bundle current, which would reroute another file's incidents.
    namespace: 'test-10',
  });
  await kit.deployment('web', 1);
}, 180_000);
afterAll(() => kit?.close());

it('scaffolds a runbook that lints, type-checks, and refuses a parameter typo', async () => {
  expect(
    ['restart-cache.ts', 'restart-cache.test.ts', 'tsconfig.json'].every((f) =>
      existsSync(path.join(dir, f)),
    ),
  ).toBe(true);
  const lint = await run('runbook-lint.ts', [dir]);
  expect(lint.stderr).toContain('fine');
  expect(lint.status).toBe(0);
  const good = readFileSync(file, 'utf8');
  writeFileSync(file, good.replace('name: ctx.params.deployment', 'name: ctx.params.deploymnet'));
  const typo = await tsc(dir);
  writeFileSync(file, good);
  expect(typo.status).not.toBe(0);
  expect(typo.stdout).toContain("Property 'deploymnet' does not exist");
  expect((await tsc(dir)).status).toBe(0);
}, 120_000);

it('runs the author runbook from an alert', async () => {
  const r = await kit.engine.call('POST', '/api/v1/alerts/alertmanager', {
    bearer: ALERT_SECRETS.alertmanager,
    body: {
      version: '4',
      status: 'firing',
      groupKey: `author-${kit.service.name}`,
      receiver: 'tourniquet',
      alerts: [
        {
          status: 'firing',
          labels: {
            alertname: 'CacheStale',
            runbook: 'restart-cache',
            service: kit.service.name,
            severity: 'warning',
          },
          annotations: { summary: 'cache stale' },
          startsAt: new Date().toISOString(),
          fingerprint: 'author-1',
        },
      ],
    },
  });
  expect(r.status).toBe(200);
  const id = await eventually(
    async () =>
      (await kit.engine.call('GET', `/api/v1/incidents?service=${kit.service.name}`)).body.incidents?.[0]
        ?.id as string | undefined,
  );
  const run = await runReaches(kit.engine, id, `${id}-rb-1`, ['succeeded', 'failed', 'escalated']);
  expect(run).toMatchObject({ name: 'restart-cache', status: 'succeeded' });
}, 120_000);

it('drills beside the running engine: a dry run changes nothing, then for real, leaving a drill incident', async () => {
  const restartedAt = async () =>
    (await kit.k.apps.readNamespacedDeployment({ name: 'web', namespace: kit.namespace })).spec?.template
      .metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
  const params = ['--param', `namespace=${kit.namespace}`, '--param', 'deployment=web', '--yes'];
  const drill = (...extra: string[]) =>
    run('drill.ts', ['restart-cache', '--runbooks', dir, ...params, ...extra], {
      TEMPORAL_ADDRESS: process.env.TOURNIQUET_TEST_TEMPORAL!,
      TEMPORAL_NAMESPACE: kit.engine.namespace,
      KUBECONFIG: process.env.TOURNIQUET_TEST_KUBECONFIG!,
      TOURNIQUET_DATA_DIR: path.join(dir, '..', 'data'),
    });
  const before = await restartedAt(); // the alert's run restarted it already
  const dry = await drill('--dry-run');
  expect(dry.stderr.slice(-2000)).not.toContain('drill failed');
  expect(dry.stdout).toMatch(/skipped\s+restart \(low\)/);
  expect(dry.stdout).toContain('succeeded: dry-run: would restart web');
  expect(dry.status).toBe(0);
  expect(await restartedAt()).toBe(before);

  const real = await drill();
  expect(real.stdout).toMatch(/succeeded\s+wait \(read\)/);
  expect(real.status).toBe(0);
  expect(await restartedAt()).not.toBe(before);
  // The drill incident is in the engine's Temporal: listed (marked, resolved), with its timeline.
  expect(real.stdout).toMatch(/incident INC-\d+ resolved with \d+ timeline entries/);
  const id = /drill incident (INC-\d+)/.exec(real.stdout)![1];
  const listed = await eventually(async () => {
    const rows = (await kit.engine.call('GET', '/api/v1/incidents?service=drill')).body.incidents ?? [];
    return rows.find((r: { id: string; status: string }) => r.id === id && r.status === 'resolved');
  });
  expect(listed).toMatchObject({ title: '[drill] restart-cache', severity: 'SEV4' });
}, 180_000);

/** A script run by node itself (not npx: a timeout stops the script, not a wrapper). */
const run = (script: string, args: string[], env: Record<string, string> = {}) =>
  node([path.join(ROOT, 'scripts', script), ...args], env, ['--import', 'tsx']);
const tsc = (project: string) => node([path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project]);

/** Not spawnSync: the engine under test runs in this process and must keep serving meanwhile. */
function node(args: string[], env: Record<string, string> = {}, flags: string[] = []) {
  const child = spawn(process.execPath, [...flags, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}
