/**
 * The runbook catalogue for Node code: every file in runbooks/, with metadata checked by
 * zod. The worker refuses to start on an invalid or duplicate runbook, naming the file.
 */
import { TARGET_KINDS } from '../domain/services';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { RunbookMeta } from '../domain/runbook';
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

const DIR = path.resolve(__dirname, '../runbooks');

export function loadRunbookCatalog(dir = DIR): RunbookMeta[] {
  const metas: RunbookMeta[] = [];
  const files = new Map<string, string>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    // A runbook is TypeScript loaded by path at start-up; a static import cannot name files we have not seen.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const def = (require(path.join(dir, file)) as { default?: RunbookDefinition }).default;
    if (!def?.meta || typeof def.run !== 'function')
      throw new RunbookCatalogError(`runbooks/${file} must default-export defineRunbook({ meta, run })`);
    const parsed = RunbookMetaSchema.safeParse(def.meta);
    if (!parsed.success) {
      throw new RunbookCatalogError(
        `runbooks/${file}: invalid metadata: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    const other = files.get(parsed.data.name);
    if (other)
      throw new RunbookCatalogError(
        `runbooks/${file} and runbooks/${other} both name a runbook "${parsed.data.name}"`,
      );
    files.set(parsed.data.name, file);
    metas.push(parsed.data);
  }
  for (const m of metas) {
    for (const key of Object.keys(m.targets ?? {}))
      if (!Object.hasOwn(m.params, key))
        throw new RunbookCatalogError(
          `runbooks/${files.get(m.name)}: targets.${key} is not a declared parameter`,
        );
    if (m.stronger && !files.has(m.stronger.runbook))
      throw new RunbookCatalogError(
        `runbooks/${files.get(m.name)}: stronger.runbook names no runbook: ${m.stronger.runbook}`,
      );
  }
  return metas;
}
