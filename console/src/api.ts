/** The console's HTTP client: the same API and tokens as curl, nothing more. */
import type { IncidentView as Incident } from '../../domain/incident-view';
import type { Role } from '../../config/roles';

export type { Incident };

export interface Me {
  identity: string;
  roles: Role[];
  temporal_ui: string | null;
}

export interface FieldError {
  path: string;
  message: string;
}

/** An API error as the API sends it: a message and, for bad input, the fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }
}

const KEY = 'tourniquet.token';
export const savedToken = () => sessionStorage.getItem(KEY);
export const saveToken = (t: string | null) =>
  t ? sessionStorage.setItem(KEY, t) : sessionStorage.removeItem(KEY);

/** crypto.randomUUID needs a secure context; the console may be served over plain http. */
const newKey = () =>
  globalThis.crypto?.randomUUID?.() ??
  `${Date.now().toString(36)}-${Array.from(crypto.getRandomValues(new Uint32Array(4)), (n) => n.toString(36)).join('')}`;

export async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      // One key per action: a retry of this request (a flaky network, a proxy) changes nothing more.
      ...(method === 'GET' ? {} : { 'idempotency-key': newKey() }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json: unknown = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  if (!res.ok) {
    const error = (json as { error?: { message?: string; fields?: FieldError[] } } | undefined)?.error;
    throw new ApiError(res.status, error?.message ?? `HTTP ${res.status}`, error?.fields ?? []);
  }
  return json as T;
}

export const can = (me: Me | null, role: Role) => !!me?.roles.includes(role);
