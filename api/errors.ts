/**
 * Typed errors thrown where a problem is known, mapped to HTTP in one place
 * (errorHandler). Clients get `{error: {code, message, fields?}}`, never a stack trace.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from 'pino';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: { path: string; message: string }[],
  ) {
    super(message);
  }
}
export class InputError extends HttpError {
  constructor(message: string, fields?: { path: string; message: string }[]) {
    super(400, 'invalid_input', message, fields);
  }
  static fromZod(err: z.ZodError, where: string): InputError {
    const fields = err.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    return new InputError(
      `invalid ${where}: ` + fields.map((f) => `${f.path}: ${f.message}`).join('; '),
      fields,
    );
  }
}
export class AuthenticationError extends HttpError {
  constructor(message: string) {
    super(401, 'unauthenticated', message);
  }
}
export class NotAllowedError extends HttpError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}
export class NotFoundError extends HttpError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}
export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}
/** The IETF Idempotency-Key draft's answer to a key reused with a different request. */
export class KeyReusedError extends HttpError {
  constructor(message: string) {
    super(422, 'idempotency_key_reused', message);
  }
}
export class UnavailableError extends HttpError {
  constructor(message: string) {
    super(503, 'unavailable', message);
  }
}

/** Parse with a zod schema or throw an InputError naming each bad field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw InputError.fromZod(result.error, where);
  return result.data;
}

export const notFoundRoute: RequestHandler = (req, _res, next) =>
  next(new NotFoundError(`no route for ${req.method} ${req.path}`));

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    // Errors from Express and body-parser carry these fields.
    const x = err as { type?: string; status?: unknown; message?: string } | undefined;
    let e: HttpError;
    if (err instanceof HttpError) e = err;
    else if (x?.type === 'entity.too.large')
      e = new HttpError(413, 'payload_too_large', 'request body is too large');
    else if (x?.type === 'entity.parse.failed')
      e = new InputError(`malformed JSON body: ${x.message}`, [
        { path: '(body)', message: 'malformed JSON' },
      ]);
    else if (typeof x?.status === 'number' && x.status >= 400 && x.status < 500)
      e = new HttpError(x.status, 'bad_request', String(x.message));
    else {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
      e = new HttpError(500, 'internal', 'internal error; see the server log');
    }
    if (e.status >= 500 && e.status !== 500) logger.warn({ status: e.status, path: req.path }, e.message);
    if (e.status === 503) res.set('retry-after', '1'); // a moment's wait usually does it
    res
      .status(e.status)
      .json({ error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } });
  };
}
