/**
 * Bearer-token authentication. Tokens are kept only as SHA-256 hashes and compared in
 * constant time; the identity recorded on the timeline always comes from here.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Role, TokenEntry } from '../config';
import { AuthenticationError, NotAllowedError } from './errors';
import { grants } from '../config/roles';

export interface Principal {
  identity: string;
  roles: readonly Role[];
}

export const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

export class TokenStore {
  private readonly entries: { hash: Buffer; principal: Principal }[];

  constructor(entries: readonly TokenEntry[]) {
    this.entries = entries.map((e) => ({
      hash: 'token' in e ? sha256(e.token) : Buffer.from(e.token_sha256, 'hex'),
      principal: { identity: e.identity, roles: e.roles },
    }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** Whether any token of this identity holds the role (approval links act as that identity). */
  identityHas(identity: string, role: Role): boolean {
    return this.entries.some((e) => e.principal.identity === identity && hasRole(e.principal, role));
  }

  authenticate(token: string): Principal | undefined {
    const hash = sha256(token);
    let found: Principal | undefined;
    // Visit every entry so timing does not reveal which one matched.
    for (const e of this.entries) if (timingSafeEqual(e.hash, hash)) found ??= e.principal;
    return found;
  }
}

export const hasRole = (p: Principal, role: Role): boolean => grants(p.roles, role);

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** The token of `Authorization: Bearer <token>`, if the request has one. */
export const bearerToken = (req: Request): string | undefined =>
  /^Bearer\s+(.+)$/i.exec(req.header('authorization') ?? '')?.[1].trim();

/** Express middleware: 401 without a valid bearer token, 403 without the role. */
export function requireRole(tokens: TokenStore, role: Role) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    const principal = token ? tokens.authenticate(token) : undefined;
    if (!principal)
      return next(
        new AuthenticationError('a valid bearer token is required (Authorization: Bearer <token>)'),
      );
    if (!hasRole(principal, role))
      return next(new NotAllowedError(`${principal.identity} lacks the ${role} role`));
    req.principal = principal;
    next();
  };
}

/** The authenticated caller; only valid behind requireRole. */
export const principalOf = (req: Request): Principal => req.principal!;
