/**
 * `npm run build:workflows [-- OUT]`: the workflow bundle (workflows/ and every runbook: the
 * built-ins and TOURNIQUET_RUNBOOKS / the config file's runbooks.dirs) built ahead, for a
 * container image: workers given TOURNIQUET_WORKFLOW_BUNDLE start without bundling, and every
 * replica of one image runs the same build id.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { bundleWorkflows } from '../worker/bundle';

async function main() {
  const out = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const { code, buildId } = await bundleWorkflows(loadConfig().runbookDirs);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`workflow bundle ${buildId} (${Math.round(code.length / 1024)} KiB): ${out}`);
}

main().catch((err: Error) => {
  console.error(`build:workflows failed: ${err.message}`);
  process.exit(1);
});
