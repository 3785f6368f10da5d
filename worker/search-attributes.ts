import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SA } from '../workflows/definitions';

const { IndexedValueType } = temporal.api.enums.v1;
const TYPES = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
} as Record<string, temporal.api.enums.v1.IndexedValueType>;

/**
 * Registers the custom search attributes the engine needs, before any worker polls.
 * Idempotent: attributes already present are left alone, so it runs on every start,
 * against the embedded dev server or an existing cluster.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.values(SA).filter((k) => !known.has(k.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, TYPES[k.type]])),
  });
  return missing.map((k) => k.name);
}
