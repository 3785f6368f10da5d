/**
 * deploy/ and the Dockerfile as a platform team would use them: the manifests pass a
 * server-side dry run and apply to the Kubernetes test plane (pods scheduled on its simulated
 * nodes), rbac.yaml is what `npm run rbac` makes of the ConfigMap's catalogue, and the
 * Dockerfile lints clean and builds the runtime from what the repository holds.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type KubernetesObject, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { validate } from 'dockerfile-utils';
import YAML from 'yaml';
import { rbacManifests } from '../common/rbac';
import { FileConfigSchema } from '../config';
import { toServiceCatalogue } from '../config/services';
import { deploymentReady, kube } from './support/kube';

const ROOT = path.resolve(__dirname, '..');
const DEPLOY = path.join(ROOT, 'deploy');
const docs = (file: string) =>
  YAML.parseAllDocuments(readFileSync(path.join(DEPLOY, file), 'utf8')).map(
    (d) => d.toJS() as KubernetesObject,
  );
/** In the order a platform team applies them (the namespace first, the workloads last). */
const FILES = [
  'namespace.yaml',
  'config.yaml',
  'secret.example.yaml',
  'rbac.yaml',
  'api.yaml',
  'worker.yaml',
];

it('deploy/ holds every manifest the README lists', () => {
  expect(
    readdirSync(DEPLOY)
      .filter((f) => f.endsWith('.yaml'))
      .sort(),
  ).toEqual([...FILES].sort());
});

it("rbac.yaml is what npm run rbac makes of the ConfigMap's catalogue", () => {
  const config = docs('config.yaml')[0] as KubernetesObject & { data: Record<string, string> };
  const file = FileConfigSchema.parse(YAML.parse(config.data['tourniquet.yaml']));
  const expected = rbacManifests(toServiceCatalogue(file.services, file.targets.postgres).entries);
  expect(docs('rbac.yaml')).toEqual(expected);
});

it('applies to the Kubernetes plane: a server-side dry run changes nothing, then every pod is scheduled', async () => {
  const k = kube();
  const api = KubernetesObjectApi.makeApiClient(k.kc);
  // The catalogued service's namespace exists in a real cluster; its Role lives there.
  await k.core.createNamespace({ body: { metadata: { name: 'shop' } } }).catch(() => undefined);
  const all = FILES.flatMap(docs);
  const apply = (o: KubernetesObject, dryRun?: string) =>
    api.patch(o, undefined, dryRun, 'tourniquet-deploy-test', true, PatchStrategy.ServerSideApply);

  await apply(all[0]); // the namespace itself: a dry run inside a namespace that does not exist fails
  for (const o of all.slice(1)) await apply(o, 'All');
  await expect(
    k.apps.readNamespacedDeployment({ name: 'tourniquet-api', namespace: 'tourniquet' }),
  ).rejects.toMatchObject({ code: 404 });

  for (const o of all.slice(1)) await apply(o);
  for (const name of ['tourniquet-api', 'tourniquet-worker']) await deploymentReady(k, 'tourniquet', name, 2);
  const pods = (await k.core.listNamespacedPod({ namespace: 'tourniquet' })).items;
  expect(pods).toHaveLength(4);
  expect(pods.every((p) => p.spec?.nodeName && p.status?.phase === 'Running')).toBe(true);
  const worker = pods.find((p) => p.metadata?.labels?.['app.kubernetes.io/component'] === 'worker')!;
  expect(worker.spec?.serviceAccountName).toBe('tourniquet-worker');
  const apiPod = pods.find((p) => p.metadata?.labels?.['app.kubernetes.io/component'] === 'api')!;
  expect(apiPod.spec?.containers[0].readinessProbe?.httpGet?.path).toBe('/readyz');
  expect(apiPod.spec?.containers[0].livenessProbe?.httpGet?.path).toBe('/healthz');
}, 120_000);

describe('Dockerfile', () => {
  const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const runtime = lines.slice(lines.map((l) => l.startsWith('FROM')).lastIndexOf(true));

  it('lints clean', () => {
    // LSP severities: 1 error, 2 warning (3 and 4 are hints).
    const problems = validate(text).filter((d) => (d.severity ?? 1) <= 2);
    expect(problems.map((d) => [d.range.start.line + 1, d.message])).toEqual([]);
  });

  it('builds in two stages and runs production dependencies only, as a non-root user', () => {
    expect(lines.filter((l) => l.startsWith('FROM'))).toHaveLength(2);
    expect(runtime.join('\n')).toContain('npm ci --omit=dev');
    expect(runtime.join('\n')).toMatch(/NODE_ENV=production/);
    expect(runtime.find((l) => l.startsWith('USER'))).toMatch(/^USER (?!root\b)\S+/);
    expect(lines.join('\n')).toMatch(/npm run build:console && npm run build:workflows/);
  });

  it('copies what the runtime imports, and that imports only production dependencies', () => {
    const copied = runtime
      .filter((l) => l.startsWith('COPY') && !l.includes('--from'))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    const deps = Object.keys(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies);
    const { files, packages } = importsFrom(path.join(ROOT, 'scripts/start.ts'));
    for (const f of files)
      expect(copied.some((c) => path.relative(ROOT, f).startsWith(c.replace(/^\.\//, '')))).toBe(true);
    expect([...packages].filter((p) => !deps.includes(p))).toEqual([]);
  });
});

/** Every source file `entry` reaches through relative imports, and the packages they import. */
function importsFrom(entry: string) {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/^(?:import|export) (?!type )(?:[^;]*?from )?'([^']+)'/gms)) {
      if (spec.startsWith('.')) {
        const base = path.resolve(path.dirname(file), spec);
        const next = [`${base}.ts`, path.join(base, 'index.ts')].find(existsSync);
        if (next) visit(next);
      } else if (!spec.startsWith('node:') && !BUNDLE_ALIASES.includes(spec))
        packages.add(
          spec
            .split('/')
            .slice(0, spec.startsWith('@') ? 2 : 1)
            .join('/'),
        );
    }
  };
  visit(entry);
  return { files, packages };
}

/** Import names the workflow bundler resolves (worker/bundle.ts), not packages. */
const BUNDLE_ALIASES = ['tourniquet/runbook', '@tourniquet/runbook-set'];
