import { Router } from 'express';
import { principalOf, requireRole, TokenStore } from '../auth';
import { NotFoundError, parse } from '../errors';
import type { Incidents } from '../incidents';
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
import {
  ActionItemChangeRequest,
  ActionItemIdParam,
  ActionItemRequest,
  DraftQuery,
  EvidenceRequest,
  IncidentIdParam,
  NameSchema,
  PostmortemEditRequest,
  PostmortemQuery,
  ServiceHealthRequest,
  StatusUpdateRequest,
} from '../schemas';

/** The incident record: evidence, service health, status updates, postmortem, action items. */
export function recordRouter({ incidents, tokens }: { incidents: Incidents; tokens: TokenStore }): Router {
  const router = Router();
  const viewer = requireRole(tokens, 'viewer');
  const responder = requireRole(tokens, 'responder');
  const id = (raw: unknown) => parse(IncidentIdParam, raw, 'incident id');
  const base = '/api/v1/incidents/:id';

  router.post(`${base}/evidence`, responder, async (req, res) => {
    const body = parse(EvidenceRequest, req.body, 'body');
    res
      .status(201)
      .json(
        await incidents.update(id(req.params.id), evidenceUpdate, {
          actor: principalOf(req).identity,
          ...body,
        }),
      );
  });

  router.put(`${base}/services/:service/health`, responder, async (req, res) => {
    const body = parse(ServiceHealthRequest, req.body, 'body');
    const service = parse(NameSchema, req.params.service, 'service');
    res.json(
      await incidents.update(id(req.params.id), serviceHealthUpdate, {
        actor: principalOf(req).identity,
        service,
        ...body,
      }),
    );
  });

  router.get(`${base}/status-updates`, viewer, async (req, res) => {
    res.json({ status_updates: (await incidents.get(id(req.params.id))).status_updates ?? [] });
  });

  router.post(`${base}/status-updates`, responder, async (req, res) => {
    const body = parse(StatusUpdateRequest, req.body, 'body');
    res
      .status(201)
      .json(
        await incidents.update(id(req.params.id), statusUpdateUpdate, {
          actor: principalOf(req).identity,
          ...body,
        }),
      );
  });

  router.get(`${base}/status-updates/draft`, viewer, async (req, res) => {
    const { visibility } = parse(DraftQuery, req.query, 'query');
    const incident = await incidents.get(id(req.params.id));
    const next = incident.milestones?.find((m) => m.name === 'update' && m.status === 'pending')?.due_at;
    res.json({
      incident_id: incident.id,
      next_update_by: next ?? null,
      ...draftStatusUpdate(incident, visibility, next),
    });
  });

  router.get(`${base}/postmortem`, viewer, async (req, res) => {
    const { format } = parse(PostmortemQuery, req.query, 'query');
    const incident = await incidents.get(id(req.params.id));
    if (!incident.postmortem)
      throw new NotFoundError(
        `${incident.id} has no postmortem yet: it is drafted when the incident is resolved`,
      );
    if (format === 'md') res.type('text/markdown').send(postmortemMarkdown(incident));
    else
      res.json({
        incident_id: incident.id,
        ...incident.postmortem,
        action_items: incident.action_items ?? [],
        markdown: postmortemMarkdown(incident),
      });
  });

  router.put(`${base}/postmortem`, responder, async (req, res) => {
    const sections = parse(PostmortemEditRequest, req.body, 'body');
    res.json(
      await incidents.update(id(req.params.id), postmortemEditUpdate, {
        actor: principalOf(req).identity,
        sections,
      }),
    );
  });

  router.post(`${base}/postmortem/publish`, responder, async (req, res) => {
    res.json(
      await incidents.update(id(req.params.id), postmortemPublishUpdate, {
        actor: principalOf(req).identity,
      }),
    );
  });

  router.get(`${base}/action-items`, viewer, async (req, res) => {
    res.json({ action_items: (await incidents.get(id(req.params.id))).action_items ?? [] });
  });

  router.post(`${base}/action-items`, responder, async (req, res) => {
    const body = parse(ActionItemRequest, req.body, 'body');
    res
      .status(201)
      .json(
        await incidents.update(id(req.params.id), actionItemCreateUpdate, {
          actor: principalOf(req).identity,
          ...body,
        }),
      );
  });

  router.patch(`${base}/action-items/:itemId`, responder, async (req, res) => {
    const body = parse(ActionItemChangeRequest, req.body, 'body');
    const itemId = parse(ActionItemIdParam, req.params.itemId, 'action item id');
    res.json(
      await incidents.update(id(req.params.id), actionItemChangeUpdate, {
        actor: principalOf(req).identity,
        id: itemId,
        ...body,
      }),
    );
  });

  router.delete(`${base}/action-items/:itemId`, responder, async (req, res) => {
    const itemId = parse(ActionItemIdParam, req.params.itemId, 'action item id');
    res.json(
      await incidents.update(id(req.params.id), actionItemDeleteUpdate, {
        actor: principalOf(req).identity,
        id: itemId,
      }),
    );
  });

  return router;
}
