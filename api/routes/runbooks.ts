import { z } from 'zod';
import type { CatalogEntry } from '../../common/runbook-catalog';
import { InputError, NotFoundError } from '../errors';
import { type Route, route } from '../route';
import type { Runbooks } from '../runbooks';
import {
  ApproveRequest,
  CancelRunRequest,
  CompleteStepRequest,
  RejectRequest,
  RetryStepRequest,
  SkipStepRequest,
  StartRunbookRequest,
} from '../schemas';

/** The runbook catalogue, runbooks on incidents, approvals and manual steps. */
export function runbookRoutes({
  runbooks,
  catalog,
}: {
  runbooks: Runbooks;
  catalog: CatalogEntry[];
}): Route[] {
  const byName = new Map(catalog.map((e) => [e.def.meta.name, e.def]));
  // Each runbook's parameters as JSON Schema too, for forms (the console's run form).
  const listed = catalog.map(({ def }) => ({
    ...def.meta,
    param_schema: z.toJSONSchema(def.params, { io: 'input', unrepresentable: 'any' }),
  }));
  const approval = '/api/v1/incidents/{id}/approvals/{approvalId}';
  return [
    route({
      method: 'get',
      path: '/api/v1/runbooks',
      auth: 'viewer',
      operationId: 'listRunbooks',
      summary: 'The runbook catalogue',
      handle: () => ({ runbooks: listed }),
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
        const def = byName.get(body.name);
        if (!def) throw new NotFoundError(`no runbook named ${body.name}; GET /api/v1/runbooks lists them`);
        checkParams(def.params, body.params);
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
    ...resumeRoutes(runbooks),
    route({
      method: 'post',
      path: '/api/v1/incidents/{id}/runbooks/{runId}/steps/{stepId}/complete',
      auth: 'responder',
      operationId: 'completeManualStep',
      summary: 'Mark a manual step done',
      body: CompleteStepRequest,
      handle: ({ params: { id, runId, stepId }, actor, body }) => {
        ownRun(id, runId);
        return runbooks.completeStep(id, runId, stepId, actor, body.note);
      },
    }),
  ];
}

/**
 * Each given value of a declared parameter parses (400 naming it). Undeclared ones never reach
 * the runbook (the run keeps declared parameters only); missing required ones may still come
 * from the service's catalogue entry: the run checks the whole set.
 */
function checkParams(schema: z.ZodObject, given: Record<string, string>): void {
  const shape = schema.shape as Record<string, z.ZodType>;
  for (const [name, value] of Object.entries(given)) {
    if (!Object.hasOwn(shape, name)) continue;
    const parsed = shape[name].safeParse(value);
    if (!parsed.success) {
      const field = `params.${name}`;
      const message = parsed.error.issues[0].message;
      throw new InputError(`${field}: ${message}`, [{ path: field, message }]);
    }
  }
}

const ownRun = (id: string, runId: string) => {
  if (!runId.startsWith(`${id}-rb-`)) throw new NotFoundError(`run ${runId} does not belong to ${id}`);
};

/** Resume a run whose step failed: retry it, skip it (an approver, with a reason), or cancel the run. */
function resumeRoutes(runbooks: Runbooks): Route[] {
  const step = '/api/v1/incidents/{id}/runbooks/{runId}/steps/{stepId}';
  return [
    route({
      method: 'post',
      path: `${step}/retry`,
      auth: 'responder',
      operationId: 'retryStep',
      summary: 'Run a failed step again (steps that succeeded do not run again)',
      body: RetryStepRequest,
      handle: ({ params: { id, runId, stepId }, actor }) => {
        ownRun(id, runId);
        return runbooks.decideRun(runId, { action: 'retry', stepId, actor });
      },
    }),
    route({
      method: 'post',
      path: `${step}/skip`,
      auth: 'approver',
      operationId: 'skipStep',
      summary: 'Go on without a failed step, saying why',
      body: SkipStepRequest,
      handle: ({ params: { id, runId, stepId }, actor, body }) => {
        ownRun(id, runId);
        return runbooks.decideRun(runId, { action: 'skip', stepId, actor, reason: body.reason });
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/incidents/{id}/runbooks/{runId}/cancel',
      auth: 'responder',
      operationId: 'cancelRun',
      summary: 'Stop a run where it is: no further step runs',
      body: CancelRunRequest,
      handle: ({ params: { id, runId }, actor, body }) => {
        ownRun(id, runId);
        return runbooks.decideRun(runId, { action: 'cancel', actor, reason: body.reason });
      },
    }),
  ];
}
