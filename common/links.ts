/**
 * Approval links for chat and pager messages: a signed, expiring token (HMAC-SHA256 over
 * incident, approval, identity, decision and expiry). The link decides as its identity, with
 * the same rules as the API (that identity must hold the approver role; no self-approval,
 * no second vote by the same person). Single use comes from the approval's own state in
 * Temporal: once decided, or once this person has voted, the link answers 409/403.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const LinkClaims = z.strictObject({
  incident: z.string(),
  approval: z.string(),
  identity: z.string(),
  decision: z.enum(['approve', 'reject']),
  exp: z.number().int(),
});
export type LinkClaims = z.infer<typeof LinkClaims>;

/** A page's one-click acknowledge link: acknowledges as the person paged. */
export const AckClaims = z.strictObject({
  incident: z.string(),
  identity: z.string(),
  action: z.literal('acknowledge'),
  exp: z.number().int(),
});
export type AckClaims = z.infer<typeof AckClaims>;

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64url');

export function createLinkToken(secret: string, claims: LinkClaims | AckClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/** The claims of a valid, unexpired token; otherwise why not. */
export function verifyLinkToken(secret: string, token: string, now?: number): LinkClaims | string;
export function verifyLinkToken<S extends z.ZodType<{ exp: number }>>(
  secret: string,
  token: string,
  now: number | undefined,
  schema: S,
): z.infer<S> | string;
export function verifyLinkToken(
  secret: string,
  token: string,
  now = Date.now(),
  schema: z.ZodType<{ exp: number }> = LinkClaims,
): { exp: number } | string {
  const [body, mac] = token.split('.');
  if (!body || !mac) return 'malformed link';
  const want = Buffer.from(sign(secret, body));
  const got = Buffer.from(mac);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return 'invalid link signature';
  // Each kind of link has its own strict schema: an approval link is no acknowledge link.
  const claims = schema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  if (!claims.success) return 'malformed link';
  if (claims.data.exp * 1000 < now) return 'this link has expired';
  return claims.data;
}
