import { draftStatusUpdate, postmortemMarkdown } from '../../domain/record';
import {
  actionItemChangeUpdate,
  actionItemCreateUpdate,
  actionItemDeleteUpdate,
  evidenceUpdate,
  postmortemEditUpdate,
  postmortemPublishUpdate,
  serviceHealthUpdate,
  statusUpdateUpdate,
} from '../../workflows/definitions';
import { NotFoundError } from '../errors';
import type { Incidents } from '../incidents';
import { type Route, route } from '../route';
import {
  ActionItemChangeRequest,
  ActionItemRequest,
  DraftQuery,
  EvidenceRequest,
  PostmortemEditRequest,
  PostmortemQuery,
  ServiceHealthRequest,
  StatusUpdateRequest,
} from '../schemas';

const BASE = '/api/v1/incidents/{id}';

/** The incident record: evidence, service health, status updates, postmortem, action items. */
export function recordRoutes({ incidents }: { incidents: Incidents }): Route[] {
  return [
    ...evidenceRoutes(incidents, BASE),
    ...statusUpdateRoutes(incidents, BASE),
    ...postmortemRoutes(incidents, BASE),
    ...actionItemRoutes(incidents, BASE),
  ];
}

/** Evidence and service health. */
function evidenceRoutes(incidents: Incidents, base: string): Route[] {
  return [
    route({
      method: 'post',
      path: `${base}/evidence`,
      auth: 'responder',
      operationId: 'addEvidence',
      summary: 'Attach evidence',
      body: EvidenceRequest,
      status: 201,
      handle: ({ params, actor, body }) => incidents.update(params.id, evidenceUpdate, { actor, ...body }),
    }),
    route({
      method: 'put',
      path: `${base}/services/{service}/health`,
      auth: 'responder',
      operationId: 'setServiceHealth',
      summary: "Set an affected service's health",
      body: ServiceHealthRequest,
      handle: ({ params, actor, body }) =>
        incidents.update(params.id, serviceHealthUpdate, { actor, service: params.service, ...body }),
    }),
  ];
}

/** Status updates and their CAN draft. */
function statusUpdateRoutes(incidents: Incidents, base: string): Route[] {
  return [
    route({
      method: 'get',
      path: `${base}/status-updates`,
      auth: 'viewer',
      operationId: 'listStatusUpdates',
      summary: 'Status updates',
      handle: async ({ params }) => ({
        status_updates: (await incidents.get(params.id)).status_updates ?? [],
      }),
    }),
    route({
      method: 'post',
      path: `${base}/status-updates`,
      auth: 'responder',
      operationId: 'postStatusUpdate',
      summary: 'Post a status update',
      body: StatusUpdateRequest,
      status: 201,
      handle: ({ params, actor, body }) =>
        incidents.update(params.id, statusUpdateUpdate, { actor, ...body }),
    }),
    route({
      method: 'get',
      path: `${base}/status-updates/draft`,
      auth: 'viewer',
      operationId: 'draftStatusUpdate',
      summary: 'The next update in CAN form',
      query: DraftQuery,
      handle: async ({ params, query }) => {
        const incident = await incidents.get(params.id);
        const next = incident.milestones?.find((m) => m.name === 'update' && m.status === 'pending')?.due_at;
        return {
          incident_id: incident.id,
          next_update_by: next ?? null,
          ...draftStatusUpdate(incident, query.visibility, next),
        };
      },
    }),
  ];
}

/** The postmortem: read, edit, publish. */
function postmortemRoutes(incidents: Incidents, base: string): Route[] {
  return [
    route({
      method: 'get',
      path: `${base}/postmortem`,
      auth: 'viewer',
      operationId: 'getPostmortem',
      summary: 'The postmortem (JSON or Markdown)',
      query: PostmortemQuery,
      handle: async ({ params, query, res }) => {
        const incident = await incidents.get(params.id);
        if (!incident.postmortem) {
          throw new NotFoundError(
            `${incident.id} has no postmortem yet: it is drafted when the incident is resolved`,
          );
        }
        const markdown = postmortemMarkdown(incident);
        if (query.format === 'md') return void res.type('text/markdown').send(markdown);
        return {
          incident_id: incident.id,
          ...incident.postmortem,
          action_items: incident.action_items ?? [],
          markdown,
        };
      },
    }),
    route({
      method: 'put',
      path: `${base}/postmortem`,
      auth: 'responder',
      operationId: 'editPostmortem',
      summary: 'Edit the human-written sections',
      body: PostmortemEditRequest,
      handle: ({ params, actor, body }) =>
        incidents.update(params.id, postmortemEditUpdate, { actor, sections: body }),
    }),
    route({
      method: 'post',
      path: `${base}/postmortem/publish`,
      auth: 'responder',
      operationId: 'publishPostmortem',
      summary: 'Publish the postmortem',
      handle: ({ params, actor }) => incidents.update(params.id, postmortemPublishUpdate, { actor }),
    }),
  ];
}

/** The postmortem's action items. */
function actionItemRoutes(incidents: Incidents, base: string): Route[] {
  return [
    route({
      method: 'get',
      path: `${base}/action-items`,
      auth: 'viewer',
      operationId: 'listActionItems',
      summary: 'Action items',
      handle: async ({ params }) => ({ action_items: (await incidents.get(params.id)).action_items ?? [] }),
    }),
    route({
      method: 'post',
      path: `${base}/action-items`,
      auth: 'responder',
      operationId: 'createActionItem',
      summary: 'Add an action item',
      body: ActionItemRequest,
      status: 201,
      handle: ({ params, actor, body }) =>
        incidents.update(params.id, actionItemCreateUpdate, { actor, ...body }),
    }),
    route({
      method: 'patch',
      path: `${base}/action-items/{itemId}`,
      auth: 'responder',
      operationId: 'changeActionItem',
      summary: 'Change an action item',
      body: ActionItemChangeRequest,
      handle: ({ params, actor, body }) =>
        incidents.update(params.id, actionItemChangeUpdate, { actor, id: params.itemId, ...body }),
    }),
    route({
      method: 'delete',
      path: `${base}/action-items/{itemId}`,
      auth: 'responder',
      operationId: 'deleteActionItem',
      summary: 'Delete an action item',
      handle: ({ params, actor }) =>
        incidents.update(params.id, actionItemDeleteUpdate, { actor, id: params.itemId }),
    }),
  ];
}
