import type { Response } from 'express';
import { z } from 'zod';
import type { TokenStore } from '../auth';
import { AckClaims, createLinkToken, verifyLinkToken } from '../../common/links';
import type { Incidents } from '../incidents';
import { AuthenticationError, NotAllowedError } from '../errors';
import { type Route, route } from '../route';
import type { Runbooks } from '../runbooks';
import { NameSchema } from '../schemas';

export const MintRequest = z.strictObject({
  /** Only yourself: a link decides as its identity, so nobody mints one for someone else. */
  identity: NameSchema.optional(),
  decision: z.enum(['approve', 'reject']).default('approve'),
  ttl_seconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3600),
});

/**
 * An approver mints a link for itself (to decide from a phone); the notifier mints them for
 * the people it pages. Nobody mints one for another person: one admin could otherwise
 * decide a two-person step as two people. Deciding through a link needs only the link.
 * GET shows what the link will do (chat previews fetch links: a GET must never decide);
 * POST decides.
 */
export function linkRoutes({
  runbooks,
  incidents,
  tokens,
  secret,
}: {
  runbooks: Runbooks;
  incidents: Incidents;
  tokens: TokenStore;
  secret?: string;
}): Route[] {
  const enabled = (what: string) => {
    if (!secret) throw new AuthenticationError(`${what} are not enabled (set TOURNIQUET_LINK_SECRET)`);
    return secret;
  };
  const claimsOf = (token: string) => {
    const claims = verifyLinkToken(enabled('approval links'), token);
    if (typeof claims === 'string') throw new AuthenticationError(claims);
    if (!tokens.identityHas(claims.identity, 'approver'))
      throw new NotAllowedError(`${claims.identity} does not hold the approver role`);
    return claims;
  };
  // One-click acknowledge from a page: as the person paged, who must hold the responder role.
  const ackClaimsOf = (token: string) => {
    const claims = verifyLinkToken(enabled('links'), token, undefined, AckClaims);
    if (typeof claims === 'string') throw new AuthenticationError(claims);
    if (!tokens.identityHas(claims.identity, 'responder'))
      throw new NotAllowedError(`${claims.identity} does not hold the responder role`);
    return claims;
  };
  return [
    route({
      method: 'post',
      path: '/api/v1/incidents/{id}/approvals/{approvalId}/links',
      auth: 'approver',
      operationId: 'mintApprovalLink',
      summary: 'Mint a signed approval link for yourself',
      body: MintRequest,
      status: 201,
      handle: ({ params, body, actor }) => {
        if (body.identity !== undefined && body.identity !== actor)
          throw new NotAllowedError(
            `a link decides as its identity: you may mint one only for yourself (${actor}), not ${body.identity}`,
          );
        const exp = Math.floor(Date.now() / 1000) + body.ttl_seconds;
        const claims = {
          incident: params.id,
          approval: params.approvalId,
          identity: actor,
          decision: body.decision,
          exp,
        };
        const token = createLinkToken(enabled('approval links'), claims);
        return { url: `/api/v1/approval-links/${token}`, expires_at: new Date(exp * 1000).toISOString() };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/approval-links/{token}',
      auth: 'signed link',
      operationId: 'showApprovalLink',
      summary: 'What the link will do (a form for browsers)',
      handle: ({ params, res }) => {
        const c = claimsOf(params.token);
        const what = {
          incident: c.incident,
          approval: c.approval,
          identity: c.identity,
          decision: c.decision,
          expires_at: new Date(c.exp * 1000).toISOString(),
          how: 'POST this URL to decide',
        };
        const verb = c.decision === 'approve' ? 'Approve' : 'Reject';
        answer(res, what, `${verb} step ${c.approval} of ${c.incident} as ${c.identity}`);
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/approval-links/{token}',
      auth: 'signed link',
      operationId: 'decideByLink',
      summary: 'Decide as the link says',
      handle: ({ params }) => {
        const c = claimsOf(params.token);
        const decision = {
          approve: c.decision === 'approve',
          actor: c.identity,
          comment: `via link (${c.decision})`,
        };
        return runbooks.decide(c.incident, c.approval, decision);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/ack-links/{token}',
      auth: 'signed link',
      operationId: 'showAckLink',
      summary: 'What the link will do (a form for browsers)',
      handle: ({ params, res }) => {
        const c = ackClaimsOf(params.token);
        const what = {
          incident: c.incident,
          identity: c.identity,
          action: 'acknowledge',
          expires_at: new Date(c.exp * 1000).toISOString(),
          how: 'POST this URL to acknowledge',
        };
        answer(res, what, `Acknowledge ${c.incident} as ${c.identity}`);
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/ack-links/{token}',
      auth: 'signed link',
      operationId: 'acknowledgeByLink',
      summary: 'Acknowledge as the person paged',
      handle: async ({ params, res }) => {
        const c = ackClaimsOf(params.token);
        const incident = await incidents.acknowledge(c.incident, c.identity);
        const page = `<!doctype html><title>Tourniquet</title><p style="font-family:sans-serif">${escape(incident.id)} acknowledged by ${escape(c.identity)}.</p>`;
        res.format({ json: () => res.json(incident), html: () => res.send(page) });
      },
    }),
  ];
}

const escape = (v: string) => v.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * What a link will do: JSON for programs; for a browser (a tap on the link in a page), a
 * one-button form that POSTs to the same URL. The GET itself never acts (chat previews fetch links).
 */
function answer(res: Response, what: object, action: string): void {
  res.format({
    json: () => res.json(what),
    html: () =>
      res
        .set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
        .send(
          `<!doctype html><meta name="viewport" content="width=device-width, initial-scale=1"><title>Tourniquet</title>` +
            `<body style="font-family:sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem">` +
            `<h1 style="font-size:1.3rem">${escape(action)}?</h1>` +
            `<form method="post"><button style="font-size:1.2rem;padding:.6rem 1.4rem">${escape(action.split(' ')[0])}</button></form></body>`,
        ),
  });
}
