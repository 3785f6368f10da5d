/**
 * Every runbook in runbooks/, found by the workflow bundler (webpack's require.context):
 * adding a runbook is adding a file, no registry to edit. Node code (API, worker start-up
 * checks) uses common/runbook-catalog.ts, which reads the same folder.
 */
import type { RunbookDefinition } from './runbook-sdk';

/** What webpack's `require.context` returns: the matching files, each loadable by key. */
interface RequireContext {
  keys(): string[];
  (key: string): { default: RunbookDefinition };
}
type WebpackRequire = { context(dir: string, deep: boolean, filter: RegExp): RequireContext };
const context = (require as unknown as WebpackRequire).context('../runbooks', false, /\.ts$/);

export const RUNBOOKS: Record<string, RunbookDefinition> = Object.fromEntries(
  context.keys().map((file) => {
    const def = context(file).default;
    return [def.meta.name, def];
  }),
);
