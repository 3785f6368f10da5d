import { Router } from 'express';
import type { RunbookMeta } from '../../domain/runbook';
import { principalOf, requireRole, TokenStore } from '../auth';
import { NotFoundError, parse } from '../errors';
import type { Runbooks } from '../runbooks';
import {
  ApprovalIdParam,
  ApproveRequest,
  CompleteStepRequest,
  IncidentIdParam,
  RejectRequest,
  RunIdParam,
  StartRunbookRequest,
} from '../schemas';

/** The runbook catalogue, runbooks on incidents, approvals and manual steps. */
export function runbooksRouter({
  runbooks,
  catalog,
  tokens,
}: {
  runbooks: Runbooks;
  catalog: RunbookMeta[];
  tokens: TokenStore;
}): Router {
  const router = Router();
  const viewer = requireRole(tokens, 'viewer');
  const responder = requireRole(tokens, 'responder');
  const approver = requireRole(tokens, 'approver');
  const incident = (raw: unknown) => parse(IncidentIdParam, raw, 'incident id');
  const approval = (raw: unknown) => parse(ApprovalIdParam, raw, 'approval id');

  router.get('/api/v1/runbooks', viewer, (_req, res) => {
    res.json({ runbooks: catalog });
  });

  router.post('/api/v1/incidents/:id/runbooks', responder, async (req, res) => {
    const body = parse(StartRunbookRequest, req.body, 'body');
    if (!catalog.some((r) => r.name === body.name))
      throw new NotFoundError(`no runbook named ${body.name}; GET /api/v1/runbooks lists them`);
    res.status(202).json(await runbooks.start(incident(req.params.id), principalOf(req).identity, body));
  });

  router.get('/api/v1/incidents/:id/approvals', viewer, async (req, res) => {
    res.json({ approvals: await runbooks.approvals(incident(req.params.id)) });
  });

  router.post('/api/v1/incidents/:id/approvals/:approvalId/approve', approver, async (req, res) => {
    const body = parse(ApproveRequest, req.body ?? {}, 'body');
    res.json(
      await runbooks.decide(incident(req.params.id), approval(req.params.approvalId), {
        approve: true,
        actor: principalOf(req).identity,
        comment: body.comment,
      }),
    );
  });

  router.post('/api/v1/incidents/:id/approvals/:approvalId/reject', approver, async (req, res) => {
    const body = parse(RejectRequest, req.body, 'body');
    res.json(
      await runbooks.decide(incident(req.params.id), approval(req.params.approvalId), {
        approve: false,
        actor: principalOf(req).identity,
        comment: body.reason,
      }),
    );
  });

  router.post('/api/v1/incidents/:id/runbooks/:runId/steps/:stepId/complete', responder, async (req, res) => {
    const body = parse(CompleteStepRequest, req.body ?? {}, 'body');
    const id = incident(req.params.id);
    const runId = parse(RunIdParam, req.params.runId, 'run id');
    if (!runId.startsWith(`${id}-rb-`)) throw new NotFoundError(`run ${runId} does not belong to ${id}`);
    res.json(
      await runbooks.completeStep(id, runId, String(req.params.stepId), principalOf(req).identity, body.note),
    );
  });

  return router;
}
