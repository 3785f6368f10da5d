/**
 * Every runbook in the bundle: the built-ins in runbooks/ and those of the configured
 * directories, listed by the bundler (worker/bundle.ts) — adding a runbook is adding a file,
 * no registry to edit. Node code (API, worker start-up checks) uses common/runbook-catalog.ts,
 * which reads the same files.
 */
// The generated module's type, for type-checks that start outside this repo (an author's tsconfig).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./runbook-set.d.ts" />
import runbookSet from '@tourniquet/runbook-set';
import type { RunbookDefinition } from './runbook-sdk';

export const RUNBOOKS: Record<string, RunbookDefinition> = Object.fromEntries(
  runbookSet.map((def) => [def.meta.name, def]),
);
