/**
 * Update handlers that honour `Idempotency-Key` beyond one run (domain/request-keys.ts):
 * a keyed retry gets the first answer without a second effect, also after continue-as-new
 * (where Temporal's own Update-id dedup ends); the same key with another body is refused.
 */
import * as wf from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { addKey, type KeyBook, keptAnswer, requestKeyOf, type SeenKey } from '../domain/request-keys';
import { conflict, unprocessable } from './failures';

export class RequestKeys {
  readonly book: KeyBook;

  constructor(carried?: KeyBook) {
    this.book = carried ? { keys: [...carried.keys], omitted: carried.omitted } : { keys: [], omitted: 0 };
  }

  /** The request this Update carries, if keyed, and what the book knows of its key. */
  private current(): { key?: ReturnType<typeof requestKeyOf>; seen?: SeenKey } {
    const key = requestKeyOf(wf.currentUpdateInfo()?.id);
    return { key, seen: key && this.book.keys.find((k) => k.id === key.id) };
  }

  /** In a validator: true for a retry of a request already done; a reused key with another body is a 422. */
  isRetry(): boolean {
    const { key, seen } = this.current();
    if (!key || !seen) return false;
    if (seen.fingerprint !== key.fingerprint)
      throw unprocessable(
        'this Idempotency-Key was already used with a different request; use a new key for a new request',
      );
    return true;
  }

  /** Runs the handler once per key: a retry gets the kept answer, or `again` reads it anew. */
  async once<R>(run: () => R | Promise<R>, again?: (answerId?: string) => R | undefined): Promise<R> {
    const { key, seen } = this.current();
    if (!key) return run();
    if (seen) {
      if ('answer' in seen) return seen.answer as R;
      const answer = again?.(seen.answer_id);
      if (answer === undefined)
        throw conflict('this request was already done; read the incident for its result');
      return answer;
    }
    // Booked before it runs, so a concurrent request with the same key and another body is refused.
    const entry: SeenKey = { ...key, at: Date.now() };
    addKey(this.book, entry);
    try {
      const answer = await run();
      Object.assign(entry, keptAnswer(answer));
      return answer;
    } catch (err) {
      this.book.keys = this.book.keys.filter((k) => k !== entry);
      throw err;
    }
  }
}

/**
 * `wf.setHandler` for an Update that honours keys: the validator refuses a reused key and
 * lets a retry through (it was valid the first time), the handler runs once per key.
 */
export function setKeyedUpdate<R, A>(
  keys: RequestKeys,
  def: UpdateDefinition<R, [A]>,
  handler: (arg: A) => R | Promise<R>,
  options: { validator?: (arg: A) => void; again?: (answerId?: string) => R | undefined } = {},
): void {
  wf.setHandler(def, (arg: A) => keys.once(() => handler(arg), options.again), {
    validator: (arg: A) => {
      if (!keys.isRetry()) options.validator?.(arg);
    },
  });
}
