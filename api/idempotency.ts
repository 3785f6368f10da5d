/**
 * `Idempotency-Key` on mutating routes: the key reaches Temporal as the Update id (or the
 * id allocation's Update id for a declare), so a client or proxy retrying a request gets the
 * first call's answer and the change happens once. Temporal deduplicates Update ids within
 * one workflow run, which covers retries within minutes (a run lasts thousands of events).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { InputError } from './errors';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const KEY = /^[\x21-\x7e]{1,255}$/; // visible ASCII, as the IETF draft's examples

const current = new AsyncLocalStorage<{ key: string; operation: string }>();

/** Runs `fn` with the request's key (if any) in scope; a malformed key is a 400 naming the header. */
export function withIdempotencyKey<T>(req: Request, operation: string, fn: () => T): T {
  const key = req.header(IDEMPOTENCY_HEADER);
  if (key === undefined) return fn();
  if (!KEY.test(key))
    throw new InputError(`${IDEMPOTENCY_HEADER} must be 1-255 visible ASCII characters`, [
      { path: `header ${IDEMPOTENCY_HEADER}`, message: 'invalid' },
    ]);
  return current.run({ key, operation }, fn);
}

/**
 * The Update id for this request: one per (operation, caller, key), so one key reused for
 * another kind of change, or by another caller, is not mistaken for a retry. Undefined
 * without a key: behaviour as before.
 */
export function updateIdFor(actor: string): string | undefined {
  const c = current.getStore();
  if (!c) return undefined;
  const key = createHash('sha256').update(c.key).digest('hex').slice(0, 32);
  return `${c.operation}:${actor}:${key}`;
}
