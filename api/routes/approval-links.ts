import { Response, Router } from 'express';
import { z } from 'zod';
import { requireRole, TokenStore } from '../auth';
import { AckClaims, createLinkToken, verifyLinkToken } from '../approval-links';
import type { Incidents } from '../incidents';
import { AuthenticationError, NotAllowedError, parse } from '../errors';
import type { Runbooks } from '../runbooks';
import { ApprovalIdParam, IncidentIdParam, NameSchema } from '../schemas';

export const MintRequest = z.strictObject({
  identity: NameSchema,
  decision: z.enum(['approve', 'reject']).default('approve'),
  ttl_seconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3600),
});

/**
 * Minting links is for admins and the notifier; deciding through one needs only the link.
 * GET shows what the link will do (chat previews fetch links: a GET must never decide);
 * POST decides.
 */
export function approvalLinksRouter({
  runbooks,
  incidents,
  tokens,
  secret,
}: {
  runbooks: Runbooks;
  incidents: Incidents;
  tokens: TokenStore;
  secret?: string;
}): Router {
  const router = Router();
  const claimsOf = (token: string) => {
    if (!secret) throw new AuthenticationError('approval links are not enabled (set TOURNIQUET_LINK_SECRET)');
    const claims = verifyLinkToken(secret, token);
    if (typeof claims === 'string') throw new AuthenticationError(claims);
    if (!tokens.identityHas(claims.identity, 'approver'))
      throw new NotAllowedError(`${claims.identity} does not hold the approver role`);
    return claims;
  };

  router.post(
    '/api/v1/incidents/:id/approvals/:approvalId/links',
    requireRole(tokens, 'admin'),
    (req, res) => {
      if (!secret)
        throw new AuthenticationError('approval links are not enabled (set TOURNIQUET_LINK_SECRET)');
      const body = parse(MintRequest, req.body ?? {}, 'body');
      const incident = parse(IncidentIdParam, req.params.id, 'incident id');
      const approval = parse(ApprovalIdParam, req.params.approvalId, 'approval id');
      const exp = Math.floor(Date.now() / 1000) + body.ttl_seconds;
      const token = createLinkToken(secret, {
        incident,
        approval,
        identity: body.identity,
        decision: body.decision,
        exp,
      });
      res
        .status(201)
        .json({ url: `/api/v1/approval-links/${token}`, expires_at: new Date(exp * 1000).toISOString() });
    },
  );

  router.get('/api/v1/approval-links/:token', (req, res) => {
    const c = claimsOf(String(req.params.token));
    const what = {
      incident: c.incident,
      approval: c.approval,
      identity: c.identity,
      decision: c.decision,
      expires_at: new Date(c.exp * 1000).toISOString(),
      how: 'POST this URL to decide',
    };
    answer(
      res,
      what,
      `${c.decision === 'approve' ? 'Approve' : 'Reject'} step ${c.approval} of ${c.incident} as ${c.identity}`,
    );
  });

  router.post('/api/v1/approval-links/:token', async (req, res) => {
    const c = claimsOf(String(req.params.token));
    res.json(
      await runbooks.decide(c.incident, c.approval, {
        approve: c.decision === 'approve',
        actor: c.identity,
        comment: `via link (${c.decision})`,
      }),
    );
  });

  // One-click acknowledge from a page: as the person paged, who must hold the responder role.
  const ackClaimsOf = (token: string) => {
    if (!secret) throw new AuthenticationError('links are not enabled (set TOURNIQUET_LINK_SECRET)');
    const claims = verifyLinkToken(secret, token, undefined, AckClaims);
    if (typeof claims === 'string') throw new AuthenticationError(claims);
    if (!tokens.identityHas(claims.identity, 'responder'))
      throw new NotAllowedError(`${claims.identity} does not hold the responder role`);
    return claims;
  };
  router.get('/api/v1/ack-links/:token', (req, res) => {
    const c = ackClaimsOf(String(req.params.token));
    const what = {
      incident: c.incident,
      identity: c.identity,
      action: 'acknowledge',
      expires_at: new Date(c.exp * 1000).toISOString(),
      how: 'POST this URL to acknowledge',
    };
    answer(res, what, `Acknowledge ${c.incident} as ${c.identity}`);
  });
  router.post('/api/v1/ack-links/:token', async (req, res) => {
    const c = ackClaimsOf(String(req.params.token));
    const incident = await incidents.acknowledge(c.incident, c.identity);
    res.format({
      json: () => res.json(incident),
      html: () =>
        res.send(
          `<!doctype html><title>Tourniquet</title><p style="font-family:sans-serif">${escape(incident.id)} acknowledged by ${escape(c.identity)}.</p>`,
        ),
    });
  });
  return router;
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
