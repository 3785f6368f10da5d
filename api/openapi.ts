/**
 * The API described as OpenAPI 3.1, generated from the same zod schemas that validate the
 * requests (zod-openapi), so the document cannot drift from what the API accepts.
 * Served at GET /api/v1/openapi.json; a test checks every route is in it.
 */
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import * as S from './schemas';
import { MintRequest } from './routes/approval-links';
import { AutomationServiceTarget, AutomationTarget } from './routes/automation';
import type { Role } from '../config/roles';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Op {
  summary: string;
  /** Who may call it: a role (bearer token), or how else it is authenticated. */
  auth: Role | 'none' | 'source secret' | 'signed link';
  body?: z.ZodType;
  query?: z.ZodObject;
}

const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

const OPS: Record<string, Partial<Record<Method, Op>>> = {
  '/healthz': { get: { summary: 'The process is up', auth: 'none' } },
  '/readyz': { get: { summary: 'Temporal is reachable and a worker polls', auth: 'none' } },
  '/metrics': { get: { summary: 'Prometheus text format', auth: 'viewer' } },
  '/api/v1/me': { get: { summary: "The token's identity and roles", auth: 'viewer' } },
  '/api/v1/incidents': {
    get: { summary: 'List incidents (newest first by default)', auth: 'viewer', query: S.ListIncidentsQuery },
    post: { summary: 'Declare an incident', auth: 'responder', body: S.CreateIncidentRequest },
  },
  '/api/v1/incidents/import': {
    post: {
      summary: 'Bring a past incident over with its timings',
      auth: 'admin',
      body: S.ImportIncidentRequest,
    },
  },
  '/api/v1/incidents/{id}': {
    get: { summary: 'The whole record with its timeline', auth: 'viewer' },
    patch: {
      summary: 'Change severity, assignee or services',
      auth: 'responder',
      body: S.EditIncidentRequest,
    },
  },
  '/api/v1/incidents/{id}/acknowledge': {
    post: { summary: 'Acknowledge (or take a handoff)', auth: 'responder', body: S.AcknowledgeRequest },
  },
  '/api/v1/incidents/{id}/transition': {
    post: { summary: 'Move through the lifecycle', auth: 'responder', body: S.TransitionRequest },
  },
  '/api/v1/incidents/{id}/notes': {
    post: { summary: 'Add a note to the timeline', auth: 'responder', body: S.NoteRequest },
  },
  '/api/v1/incidents/{id}/evidence': {
    post: { summary: 'Attach evidence', auth: 'responder', body: S.EvidenceRequest },
  },
  '/api/v1/incidents/{id}/services/{service}/health': {
    put: { summary: "Set an affected service's health", auth: 'responder', body: S.ServiceHealthRequest },
  },
  '/api/v1/incidents/{id}/status-updates': {
    get: { summary: 'Status updates', auth: 'viewer' },
    post: { summary: 'Post a status update', auth: 'responder', body: S.StatusUpdateRequest },
  },
  '/api/v1/incidents/{id}/status-updates/draft': {
    get: { summary: 'The next update in CAN form', auth: 'viewer', query: S.DraftQuery },
  },
  '/api/v1/incidents/{id}/postmortem': {
    get: { summary: 'The postmortem (JSON or Markdown)', auth: 'viewer', query: S.PostmortemQuery },
    put: { summary: 'Edit the human-written sections', auth: 'responder', body: S.PostmortemEditRequest },
  },
  '/api/v1/incidents/{id}/postmortem/publish': {
    post: { summary: 'Publish the postmortem', auth: 'responder' },
  },
  '/api/v1/incidents/{id}/action-items': {
    get: { summary: 'Action items', auth: 'viewer' },
    post: { summary: 'Add an action item', auth: 'responder', body: S.ActionItemRequest },
  },
  '/api/v1/incidents/{id}/action-items/{itemId}': {
    patch: { summary: 'Change an action item', auth: 'responder', body: S.ActionItemChangeRequest },
    delete: { summary: 'Delete an action item', auth: 'responder' },
  },
  '/api/v1/runbooks': { get: { summary: 'The runbook catalogue', auth: 'viewer' } },
  '/api/v1/incidents/{id}/runbooks': {
    post: { summary: 'Run a runbook on the incident', auth: 'responder', body: S.StartRunbookRequest },
  },
  '/api/v1/incidents/{id}/approvals': { get: { summary: "The incident's approvals", auth: 'viewer' } },
  '/api/v1/incidents/{id}/approvals/{approvalId}/approve': {
    post: { summary: 'Approve a gated step', auth: 'approver', body: S.ApproveRequest },
  },
  '/api/v1/incidents/{id}/approvals/{approvalId}/reject': {
    post: { summary: 'Reject a gated step', auth: 'approver', body: S.RejectRequest },
  },
  '/api/v1/incidents/{id}/approvals/{approvalId}/links': {
    post: { summary: 'Mint a signed approval link', auth: 'admin', body: MintRequest },
  },
  '/api/v1/incidents/{id}/runbooks/{runId}/steps/{stepId}/complete': {
    post: { summary: 'Mark a manual step done', auth: 'responder', body: S.CompleteStepRequest },
  },
  '/api/v1/approval-links/{token}': {
    get: { summary: 'What the link will do (a form for browsers)', auth: 'signed link' },
    post: { summary: 'Decide as the link says', auth: 'signed link' },
  },
  '/api/v1/ack-links/{token}': {
    get: { summary: 'What the link will do (a form for browsers)', auth: 'signed link' },
    post: { summary: 'Acknowledge as the person paged', auth: 'signed link' },
  },
  '/api/v1/automation': {
    get: { summary: 'Pause, breaker and recent actions', auth: 'viewer', query: AutomationTarget },
  },
  '/api/v1/automation/pause': {
    post: { summary: 'Kill switch: hold automated steps', auth: 'responder', body: AutomationTarget },
  },
  '/api/v1/automation/resume': {
    post: { summary: 'Resume automated steps', auth: 'approver', body: AutomationTarget },
  },
  '/api/v1/automation/reset-breaker': {
    post: { summary: "Close a service's circuit breaker", auth: 'approver', body: AutomationServiceTarget },
  },
  '/api/v1/oncall': { get: { summary: 'Who is on call, per schedule', auth: 'viewer' } },
  '/api/v1/oncall/load': {
    get: { summary: 'Pages per responder per week, off-hours apart', auth: 'viewer' },
  },
  '/api/v1/oncall/{schedule}': {
    get: { summary: 'Who is on call on one schedule (at=ISO)', auth: 'viewer' },
  },
  '/api/v1/metrics/incidents': {
    get: { summary: 'MTTA/MTTR distributions, SLA, recurrence', auth: 'viewer', query: S.MetricsQuery },
  },
  '/api/v1/alerts': { post: { summary: 'Generic alerts (HMAC-signed body)', auth: 'source secret' } },
  '/api/v1/alerts/alertmanager': { post: { summary: 'Alertmanager webhook v4', auth: 'source secret' } },
  '/api/v1/alerts/grafana': { post: { summary: 'Grafana alerting webhook', auth: 'source secret' } },
  '/v2/enqueue': { post: { summary: 'PagerDuty Events API v2', auth: 'source secret' } },
};

function operation(path: string, op: Op): ZodOpenApiOperationObject {
  const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  return {
    summary: op.summary,
    description:
      op.auth === 'none'
        ? 'No authentication.'
        : op.auth === 'source secret' || op.auth === 'signed link'
          ? `Authenticated by its ${op.auth}.`
          : `Bearer token with the ${op.auth} role.`,
    ...(['none', 'source secret', 'signed link'].includes(op.auth) ? { security: [] } : {}),
    requestParams: {
      ...(params.length ? { path: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) } : {}),
      ...(op.query ? { query: op.query } : {}),
    },
    ...(op.body ? { requestBody: { content: { 'application/json': { schema: op.body } } } } : {}),
    responses: {
      '200': { description: 'OK (201 when something is created, 202 when accepted)' },
      '4XX': {
        description: 'Refused: the message says why; 400 names each bad field',
        content: { 'application/json': { schema: ErrorBody } },
      },
      '503': {
        description: 'Temporal is unreachable or slow; retry',
        content: { 'application/json': { schema: ErrorBody } },
      },
    },
  };
}

export function openApiDocument() {
  const paths: ZodOpenApiPathsObject = Object.fromEntries(
    Object.entries(OPS).map(([path, ops]) => [
      path,
      Object.fromEntries(Object.entries(ops).map(([m, op]) => [m, operation(path, op!)])),
    ]),
  );
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Tourniquet',
      version: '1',
      description: 'Incident runbook engine: every incident is a durable Temporal workflow.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  });
}
