import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { guardStart } from '../../activities/guard';
import { guardPauseUpdate, guardQuery, guardResetUpdate, guardWorkflowId } from '../../workflows/definitions';
import { principalOf, requireRole, TokenStore } from '../auth';
import { parse } from '../errors';
import { NameSchema } from '../schemas';
import { temporalCall } from '../temporal-errors';

export const AutomationTarget = z.strictObject({ service: NameSchema.optional() });
export const AutomationServiceTarget = z.strictObject({ service: NameSchema });

/**
 * The kill switch and the circuit breakers. Pausing is open to responders (stopping
 * automation is always safe); resuming and resetting a breaker need an approver.
 * Paused steps wait, they do not fail, and carry on when automation resumes.
 */
export function automationRouter({
  client,
  taskQueue,
  tokens,
}: {
  client: Client;
  taskQueue: string;
  tokens: TokenStore;
}): Router {
  const router = Router();
  const pause = (service: string, paused: boolean, actor: string) =>
    temporalCall(client, `guard ${service}`, () =>
      client.workflow.executeUpdateWithStart(guardPauseUpdate, {
        args: [{ paused, actor }],
        startWorkflowOperation: guardStart(taskQueue, service),
      }),
    );
  const state = (service: string) =>
    temporalCall(client, `guard ${service}`, () =>
      client.workflow
        .getHandle(guardWorkflowId(service))
        .query(guardQuery)
        .catch((err) => {
          if (err?.name === 'WorkflowNotFoundError')
            return { paused: false, breaker_open: false, actions: [], failures: [] };
          throw err;
        }),
    );

  router.get('/api/v1/automation', requireRole(tokens, 'viewer'), async (req, res) => {
    const { service } = parse(AutomationTarget, req.query, 'query');
    res.json({
      global: await state('*'),
      ...(service ? { service: { name: service, ...(await state(service)) } } : {}),
    });
  });
  router.post('/api/v1/automation/pause', requireRole(tokens, 'responder'), async (req, res) => {
    const { service } = parse(AutomationTarget, req.body ?? {}, 'body');
    res.json(await pause(service ?? '*', true, principalOf(req).identity));
  });
  router.post('/api/v1/automation/resume', requireRole(tokens, 'approver'), async (req, res) => {
    const { service } = parse(AutomationTarget, req.body ?? {}, 'body');
    res.json(await pause(service ?? '*', false, principalOf(req).identity));
  });
  router.post('/api/v1/automation/reset-breaker', requireRole(tokens, 'approver'), async (req, res) => {
    const { service } = parse(AutomationServiceTarget, req.body ?? {}, 'body');
    res.json(
      await temporalCall(client, `guard ${service}`, () =>
        client.workflow.executeUpdateWithStart(guardResetUpdate, {
          args: [{ actor: principalOf(req).identity }],
          startWorkflowOperation: guardStart(taskQueue, service),
        }),
      ),
    );
  });
  return router;
}
