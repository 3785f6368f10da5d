import { Router } from 'express';
import { principalOf, requireRole, TokenStore } from '../auth';
import { parse } from '../errors';
import type { Incidents } from '../incidents';
import {
  AcknowledgeRequest,
  CreateIncidentRequest,
  EditIncidentRequest,
  IncidentIdParam,
  ImportIncidentRequest,
  ListIncidentsQuery,
  NoteRequest,
  TransitionRequest,
} from '../schemas';

/** /api/v1/incidents: declare, list, read and change incidents. */
export function incidentsRouter({ incidents, tokens }: { incidents: Incidents; tokens: TokenStore }): Router {
  const router = Router();
  const viewer = requireRole(tokens, 'viewer');
  const responder = requireRole(tokens, 'responder');
  const id = (raw: unknown) => parse(IncidentIdParam, raw, 'incident id');

  router.post('/', responder, async (req, res) => {
    const body = parse(CreateIncidentRequest, req.body, 'body');
    res.status(201).json(await incidents.create(body, principalOf(req).identity));
  });

  router.post('/import', requireRole(tokens, 'admin'), async (req, res) => {
    const body = parse(ImportIncidentRequest, req.body, 'body');
    res.status(201).json(await incidents.import(body, principalOf(req).identity));
  });

  router.get('/', viewer, async (req, res) => {
    res.json(await incidents.list(parse(ListIncidentsQuery, req.query, 'query')));
  });

  router.get('/:id', viewer, async (req, res) => {
    res.json(await incidents.get(id(req.params.id)));
  });

  router.post('/:id/acknowledge', responder, async (req, res) => {
    const body = parse(AcknowledgeRequest, req.body ?? {}, 'body');
    res.json(await incidents.acknowledge(id(req.params.id), principalOf(req).identity, body.assignee));
  });

  router.post('/:id/transition', responder, async (req, res) => {
    const body = parse(TransitionRequest, req.body, 'body');
    res.json(await incidents.transition(id(req.params.id), principalOf(req).identity, body));
  });

  router.post('/:id/notes', responder, async (req, res) => {
    const body = parse(NoteRequest, req.body, 'body');
    res.json(await incidents.addNote(id(req.params.id), principalOf(req).identity, body.text));
  });

  router.patch('/:id', responder, async (req, res) => {
    const body = parse(EditIncidentRequest, req.body, 'body');
    res.json(await incidents.edit(id(req.params.id), principalOf(req).identity, body));
  });

  return router;
}
