/**
 * The runbook catalogue for Node code: every file in runbooks/ and the configured runbook
 * directories, with metadata checked by zod. The worker refuses to start on an invalid or
 * duplicate runbook, naming the files. The workflow bundle holds the same set (worker/bundle.ts).
 */
import { TARGET_KINDS } from '../domain/services';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SEVERITIES } from '../domain/severity';
import { DURATION_HINT, DURATION_PATTERN } from '../domain/duration';
import type { RunbookDefinition } from '../workflows/runbook-sdk';

const Trigger = z
  .strictObject({
    labels: z.record(z.string().min(1), z.string().min(1)).optional(),
    services: z.array(z.string().min(1)).min(1).optional(),
    severities: z.array(z.enum(SEVERITIES)).min(1).optional(),
  })
  .refine(
    (t) => t.labels || t.services || t.severities,
    'a trigger needs at least one of labels, services, severities',
  );

export const RunbookMetaSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case, like rolling-restart'),
  owner: z.string().min(1),
  description: z.string().min(1),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'semver, like 1.0.0'),
  triggers: z.array(Trigger),
  escalation: z.string().min(1),
  eta: z.string().regex(DURATION_PATTERN, DURATION_HINT),
  params: z.record(z.string(), z.string()),
  targets: z.record(z.string(), z.enum(TARGET_KINDS)).optional(),
  stronger: z
    .strictObject({ runbook: z.string().min(1), params: z.record(z.string(), z.string()).optional() })
    .optional(),
});

export class RunbookCatalogError extends Error {}

/** The built-in runbooks; configured directories (TOURNIQUET_RUNBOOKS, `runbooks.dirs`) add to them. */
const BUILT_IN_RUNBOOKS = path.resolve(__dirname, '../runbooks');

/** Every runbook file: `*.ts` in each directory (not tests or declarations), built-ins first. */
export function runbookFiles(dirs: readonly string[] = []): string[] {
  return [BUILT_IN_RUNBOOKS, ...dirs.map((d) => path.resolve(d))].flatMap((dir) => {
    if (!existsSync(dir)) throw new RunbookCatalogError(`runbook directory ${dir} does not exist`);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
      .sort()
      .map((f) => path.join(dir, f));
  });
}

/** A catalogued runbook: its definition and the file it came from. */
export interface CatalogEntry {
  file: string;
  def: RunbookDefinition;
}

/**
 * The runbooks in the built-in directory and `dirs`, checked: metadata valid, names unique
 * (a duplicate names both files), targets and stronger runbooks declared.
 */
export function loadRunbooks(dirs: readonly string[] = []): CatalogEntry[] {
  const byName = new Map<string, CatalogEntry>();
  for (const file of runbookFiles(dirs)) {
    const entry = { file, def: loadDefinition(file) };
    const other = byName.get(entry.def.meta.name);
    if (other)
      throw new RunbookCatalogError(
        `${other.file} and ${file} both name a runbook "${entry.def.meta.name}": rename one`,
      );
    byName.set(entry.def.meta.name, entry);
  }
  for (const { file, def } of byName.values()) {
    const m = def.meta;
    for (const key of Object.keys(m.targets ?? {}))
      if (!Object.hasOwn(m.params, key))
        throw new RunbookCatalogError(`${file}: targets.${key} is not a declared parameter`);
    if (m.stronger && !byName.has(m.stronger.runbook))
      throw new RunbookCatalogError(`${file}: stronger.runbook names no runbook: ${m.stronger.runbook}`);
  }
  return [...byName.values()];
}

function loadDefinition(file: string): RunbookDefinition {
  // A runbook is TypeScript loaded by path at start-up; a static import cannot name files we have not seen.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const def = (require(file) as { default?: RunbookDefinition }).default;
  if (!def?.meta || typeof def.run !== 'function' || !def.params)
    throw new RunbookCatalogError(
      `${file} must default-export defineRunbook({ meta, run }) from 'tourniquet/runbook'`,
    );
  const parsed = RunbookMetaSchema.safeParse(def.meta);
  if (!parsed.success)
    throw new RunbookCatalogError(
      `${file}: invalid metadata: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return { ...def, meta: parsed.data };
}
