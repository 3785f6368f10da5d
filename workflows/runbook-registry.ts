/**
 * Every runbook in runbooks/, found by the workflow bundler (webpack's require.context):
 * adding a runbook is adding a file, no registry to edit. Node code (API, worker start-up
 * checks) uses worker/runbook-catalog.ts, which reads the same folder.
 */
import type { RunbookDefinition } from './runbook-sdk';

const context = (require as any).context('../runbooks', false, /\.ts$/);

export const RUNBOOKS: Record<string, RunbookDefinition> = Object.fromEntries(
  context.keys().map((file: string) => {
    const def = context(file).default as RunbookDefinition;
    return [def.meta.name, def];
  }),
);
