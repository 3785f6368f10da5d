/**
 * The workflow bundle: workflows/ plus every runbook file (built-ins and the configured
 * directories), and its build id — a hash of the code, so Worker Versioning can tell one
 * version of the workflows and runbooks from another and keep runs on the code they began with.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { runbookFiles } from '../common/runbook-catalog';

export interface WorkflowBundle {
  code: string;
  buildId: string;
}

/** The SDK's import name for runbook files (also in tsconfig.json paths and jest.config.js). */
const SDK = { 'tourniquet/runbook$': path.resolve(__dirname, '../workflows/runbook-sdk.ts') };

export async function bundleWorkflows(runbookDirs: readonly string[] = []): Promise<WorkflowBundle> {
  const set = runbookSetModule(runbookFiles(runbookDirs));
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    workflowInterceptorModules: [require.resolve('../workflows/trace-context')],
    // Each cached workflow evaluates the bundle's modules for itself, except these (why: there).
    preloadModules: [require.resolve('../workflows/shared-modules')],
    logger: quietBundlerLogger,
    webpackConfigHook: (config) => ({
      ...config,
      resolve: {
        ...config.resolve,
        alias: { ...config.resolve?.alias, ...SDK, '@tourniquet/runbook-set$': set },
      },
    }),
  });
  return { code, buildId: buildIdOf(code) };
}

/** A bundle built before (tests build one per run). */
export function loadBundle(codePath: string): WorkflowBundle {
  const code = readFileSync(codePath, 'utf8');
  return { code, buildId: buildIdOf(code) };
}

const buildIdOf = (code: string) => createHash('sha256').update(code).digest('hex').slice(0, 16);

/**
 * A module listing the runbooks (workflows/runbook-registry.ts imports it). Its path depends
 * only on the list, so the same runbooks always bundle to the same code and build id.
 */
function runbookSetModule(files: string[]): string {
  const body = `export default [\n${files.map((f) => `  require(${JSON.stringify(f)}).default,`).join('\n')}\n];\n`;
  const dir = path.join(os.tmpdir(), 'tourniquet-runbook-sets');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${createHash('sha256').update(body).digest('hex').slice(0, 16)}.js`);
  writeFileSync(file, body);
  return file;
}

const noop = () => undefined;
/** The bundler's progress output is noise at start-up; warnings and errors still show. */
export const quietBundlerLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  log: noop,
  warn: console.warn,
  error: console.error,
};
