import type { RunbookMeta } from '../../domain/runbook';
import { NotFoundError } from '../errors';
import { type Route, route } from '../route';
import type { Runbooks } from '../runbooks';
import { ApproveRequest, CompleteStepRequest, RejectRequest, StartRunbookRequest } from '../schemas';

/** The runbook catalogue, runbooks on incidents, approvals and manual steps. */
export function runbookRoutes({
  runbooks,
  catalog,
}: {
  runbooks: Runbooks;
  catalog: RunbookMeta[];
}): Route[] {
  const approval = '/api/v1/incidents/{id}/approvals/{approvalId}';
  return [
    route({
      method: 'get',
      path: '/api/v1/runbooks',
      auth: 'viewer',
      operationId: 'listRunbooks',
      summary: 'The runbook catalogue',
      handle: () => ({ runbooks: catalog }),
    }),
    route({
      method: 'post',
      path: '/api/v1/incidents/{id}/runbooks',
      auth: 'responder',
      operationId: 'startRunbook',
      summary: 'Run a runbook on the incident',
      body: StartRunbookRequest,
      status: 202,
      handle: ({ params, actor, body }) => {
        if (!catalog.some((r) => r.name === body.name)) {
          throw new NotFoundError(`no runbook named ${body.name}; GET /api/v1/runbooks lists them`);
        }
        return runbooks.start(params.id, actor, body);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/incidents/{id}/approvals',
      auth: 'viewer',
      operationId: 'listApprovals',
      summary: "The incident's approvals",
      handle: async ({ params }) => ({ approvals: await runbooks.approvals(params.id) }),
    }),
    route({
      method: 'post',
      path: `${approval}/approve`,
      auth: 'approver',
      operationId: 'approveStep',
      summary: 'Approve a gated step',
      body: ApproveRequest,
      handle: ({ params, actor, body }) =>
        runbooks.decide(params.id, params.approvalId, { approve: true, actor, comment: body.comment }),
    }),
    route({
      method: 'post',
      path: `${approval}/reject`,
      auth: 'approver',
      operationId: 'rejectStep',
      summary: 'Reject a gated step',
      body: RejectRequest,
      handle: ({ params, actor, body }) =>
        runbooks.decide(params.id, params.approvalId, { approve: false, actor, comment: body.reason }),
    }),
    route({
      method: 'post',
      path: '/api/v1/incidents/{id}/runbooks/{runId}/steps/{stepId}/complete',
      auth: 'responder',
      operationId: 'completeManualStep',
      summary: 'Mark a manual step done',
      body: CompleteStepRequest,
      handle: ({ params: { id, runId, stepId }, actor, body }) => {
        if (!runId.startsWith(`${id}-rb-`)) throw new NotFoundError(`run ${runId} does not belong to ${id}`);
        return runbooks.completeStep(id, runId, stepId, actor, body.note);
      },
    }),
  ];
}
