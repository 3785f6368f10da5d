/**
 * Recorded workflow histories (test/histories/*.json), replayed in CI by test/replay.test.ts.
 * Recorders run only with RECORD_HISTORIES=1 and never overwrite a fixture: each stands for
 * workflows started on the code of its day.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureTemporalCli } from '../../worker/dev-server';

export const HISTORIES_DIR = path.join(__dirname, '..', 'histories');
const record = process.env.RECORD_HISTORIES === '1';

/** True when recording and `name` has no fixture yet. */
export const missing = (name: string) => record && !existsSync(path.join(HISTORIES_DIR, `${name}.json`));

/** Writes a workflow's history as the CLI's proto JSON (what Worker.runReplayHistory reads). */
export function save(namespace: string, workflowId: string, name: string, runId?: string) {
  const json = execFileSync(ensureTemporalCli(), [
    'workflow',
    'show',
    '--address',
    process.env.TOURNIQUET_TEST_TEMPORAL!,
    '--namespace',
    namespace,
    '-w',
    workflowId,
    ...(runId ? ['-r', runId] : []),
    '-o',
    'json',
  ]);
  writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), json);
}

/** Records a run's history under `name` when recording and it has none (test files that already run it). */
export function keep(namespace: string, workflowId: string, name: string): void {
  if (missing(name)) save(namespace, workflowId, name);
}
