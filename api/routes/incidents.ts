import type { Incidents } from '../incidents';
import type { IncidentRole } from '../../domain/roles';
import { assignRoleUpdate } from '../../workflows/definitions';
import { type Route, route } from '../route';
import {
  AssignRoleRequest,
  AcknowledgeRequest,
  CreateIncidentRequest,
  EditIncidentRequest,
  ImportIncidentRequest,
  ListIncidentsQuery,
  NoteRequest,
  TimelineQuery,
  TransitionRequest,
} from '../schemas';

/** /api/v1/incidents: declare, list, read and change incidents. */
export function incidentRoutes({ incidents }: { incidents: Incidents }): Route[] {
  const base = '/api/v1/incidents';
  return [
    route({
      method: 'get',
      path: base,
      auth: 'viewer',
      operationId: 'listIncidents',
      summary: 'List incidents (newest first by default)',
      query: ListIncidentsQuery,
      handle: ({ query }) => incidents.list(query),
    }),
    route({
      method: 'post',
      path: base,
      auth: 'responder',
      operationId: 'declareIncident',
      summary: 'Declare an incident',
      body: CreateIncidentRequest,
      status: 201,
      handle: ({ body, actor }) => incidents.create(body, actor),
    }),
    route({
      method: 'post',
      path: `${base}/import`,
      auth: 'admin',
      operationId: 'importIncident',
      summary: 'Bring a past incident over with its timings',
      body: ImportIncidentRequest,
      status: 201,
      handle: ({ body, actor }) => incidents.import(body, actor),
    }),
    route({
      method: 'get',
      path: `${base}/{id}`,
      auth: 'viewer',
      operationId: 'getIncident',
      summary: 'The whole record with its timeline',
      handle: ({ params }) => incidents.get(params.id),
    }),
    route({
      method: 'patch',
      path: `${base}/{id}`,
      auth: 'responder',
      operationId: 'editIncident',
      summary: 'Change severity, assignee or services',
      body: EditIncidentRequest,
      handle: ({ params, actor, body }) => incidents.edit(params.id, actor, body),
    }),
    route({
      method: 'post',
      path: `${base}/{id}/acknowledge`,
      auth: 'responder',
      operationId: 'acknowledgeIncident',
      summary: 'Acknowledge (or take a handoff)',
      body: AcknowledgeRequest,
      handle: ({ params, actor, body }) => incidents.acknowledge(params.id, actor, body.assignee),
    }),
    roleRoute(incidents, base),
    route({
      method: 'post',
      path: `${base}/{id}/transition`,
      auth: 'responder',
      operationId: 'transitionIncident',
      summary: 'Move through the lifecycle',
      body: TransitionRequest,
      handle: ({ params, actor, body }) => incidents.transition(params.id, actor, body),
    }),
    route({
      method: 'get',
      path: `${base}/{id}/timeline`,
      auth: 'viewer',
      operationId: 'getTimeline',
      summary: 'The timeline, newest first page; ?before=<seq> pages back through all of it',
      query: TimelineQuery,
      handle: ({ params, query }) => incidents.timeline(params.id, query.before, query.limit),
    }),
    route({
      method: 'post',
      path: `${base}/{id}/notes`,
      auth: 'responder',
      operationId: 'addNote',
      summary: 'Add a note to the timeline',
      body: NoteRequest,
      handle: ({ params, actor, body }) => incidents.addNote(params.id, actor, body.text),
    }),
  ];
}

/** Incident roles: assigned or handed over, one at a time. */
const roleRoute = (incidents: Incidents, base: string): Route =>
  route({
    method: 'put',
    path: `${base}/{id}/roles/{role}`,
    auth: 'responder',
    operationId: 'assignIncidentRole',
    summary: 'Assign or hand over an incident role (commander, communications, scribe, operations)',
    body: AssignRoleRequest,
    handle: ({ params, actor, body }) =>
      incidents.update(params.id, assignRoleUpdate, {
        actor,
        role: params.role as IncidentRole,
        person: body.person,
      }),
  });
