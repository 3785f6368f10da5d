/**
 * Recent `Idempotency-Key`s a workflow has seen (api/idempotency.ts builds the ids). Temporal
 * deduplicates an Update id only within one run; this book, carried over continue-as-new,
 * lets a retry a day later find its first answer, and turns a key reused with another body
 * into a 422. Bounded: the newest KEY_BOOK.max keys (an exact count of those dropped early)
 * and small answers only.
 */

/** A keyed request as a workflow sees it: who sent which key, and a fingerprint of what it asked. */
export interface RequestKey {
  /** operation, caller and key hash: equal ids are the same request, or a key reused. */
  id: string;
  fingerprint: string;
}

export interface SeenKey extends RequestKey {
  /** Epoch ms the request first arrived (workflow time). */
  at: number;
  /** The first answer, when small; otherwise the id of what it created (a retry reads it again). */
  answer?: unknown;
  answer_id?: string;
}

export interface KeyBook {
  keys: SeenKey[];
  /** Keys dropped before their 24 hours were up, because the book was full. */
  omitted: number;
}

export const KEY_BOOK = { max: 300, keepMs: 24 * 3_600_000, answerBytes: 512 } as const;

const PREFIX = 'key:';

/** The Update id for a keyed request: prefix, identity, then the body's fingerprint last. */
export const keyedUpdateId = (k: RequestKey): string => `${PREFIX}${k.id}:${k.fingerprint}`;

/** The keyed request behind an Update id; undefined for ids the engine or an unkeyed call chose. */
export function requestKeyOf(updateId: string | undefined): RequestKey | undefined {
  if (!updateId?.startsWith(PREFIX)) return undefined;
  const cut = updateId.lastIndexOf(':');
  if (cut <= PREFIX.length) return undefined;
  return { id: updateId.slice(PREFIX.length, cut), fingerprint: updateId.slice(cut + 1) };
}

/** Adds a key: expired ones go, and past the cap the oldest go (counted). */
export function addKey(book: KeyBook, key: SeenKey): void {
  book.keys = book.keys.filter((k) => key.at - k.at < KEY_BOOK.keepMs);
  book.keys.push(key);
  const over = book.keys.length - KEY_BOOK.max;
  if (over > 0) {
    book.keys.splice(0, over);
    book.omitted += over;
  }
}

/** What is kept of an answer: itself when small, else the id of what it made (if it has one). */
export function keptAnswer(answer: unknown): Pick<SeenKey, 'answer' | 'answer_id'> {
  if (answer !== undefined && JSON.stringify(answer).length <= KEY_BOOK.answerBytes) return { answer };
  const id = (answer as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? { answer_id: id } : {};
}
