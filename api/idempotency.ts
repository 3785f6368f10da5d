/**
 * `Idempotency-Key` on mutating routes: the key reaches Temporal as the Update id (or the
 * id allocation's Update id for a declare), so a client or proxy retrying a request gets the
 * first call's answer and the change happens once. Temporal deduplicates Update ids within
 * one workflow run; the workflows keep a book of recent keys past that (workflows/request-keys.ts),
 * which also refuses a key reused with a different request (422).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { keyedUpdateId } from '../domain/request-keys';
import { InputError } from './errors';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const KEY = /^[\x21-\x7e]{1,255}$/; // visible ASCII, as the IETF draft's examples

const current = new AsyncLocalStorage<{ key: string; operation: string; fingerprint: string }>();

/** Runs `fn` with the request's key (if any) in scope; a malformed key is a 400 naming the header. */
export function withIdempotencyKey<T>(req: Request, operation: string, fn: () => T): T {
  const key = req.header(IDEMPOTENCY_HEADER);
  if (key === undefined) return fn();
  if (!KEY.test(key))
    throw new InputError(`${IDEMPOTENCY_HEADER} must be 1-255 visible ASCII characters`, [
      { path: `header ${IDEMPOTENCY_HEADER}`, message: 'invalid' },
    ]);
  return withKey(key, operation, fingerprintOf(req), fn);
}

/** Runs `fn` with a key from elsewhere (Slack's trigger_id): the same once-only as the header. */
export const withKey = <T>(key: string, operation: string, fingerprint: string, fn: () => T): T =>
  current.run({ key, operation, fingerprint }, fn);

/** What the request asks for: its path (incident, approval…) and body, hashed. */
const fingerprintOf = (req: Request): string =>
  sha256(`${req.method} ${req.path}\n${JSON.stringify(req.body ?? null)}`).slice(0, 16);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The Update id for this request: one key per (operation, caller), so one key reused for
 * another kind of change, or by another caller, is not mistaken for a retry; the request's
 * fingerprint comes last, so the workflow tells a retry from a key reused with another body.
 * Undefined without a key: behaviour as before.
 */
export function updateIdFor(actor: string): string | undefined {
  const c = current.getStore();
  if (!c) return undefined;
  return keyedUpdateId({
    id: `${c.operation}:${actor}:${sha256(c.key).slice(0, 32)}`,
    fingerprint: c.fingerprint,
  });
}
